"""The HTTP API's request bodies (pydantic): the CLI's options, by the CLI's names; the error body.

The bodies are strict (``"wait": 0`` or ``"seed": false`` is a 422, not coerced). The limits shown in
the schema (scenes, length, frame sides, topic length, volume) come from the shared constants; the values are
checked by ``jobs.options.check_request``, which answers 400 with the CLI's own one-line message.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from viralreel_core.config import MAX_FRAME_SIDE, MIN_FRAME_SIDE
from viralreel_core.jobs.options import MAX_SCRIPT_SCENES
from viralreel_core.limits import MAX_LENGTH, MAX_SCENES, MAX_TOPIC_CHARS, MIN_LENGTH, MIN_SCENES
from viralreel_core.option_names import JOB_OPTIONS
from viralreel_core.render.caption_styles import PRESETS

__all__ = ["ErrorBody", "PublishBody", "ScriptBody", "VideoBody", "error_body"]

_OPTIONS = ("The providers' own options (the CLI's --option), e.g. image_model, image_quality, runway_model, "
            "openai_model, openai_voice, elevenlabs_voice_id; a value outside an option's choices is refused.")
_LANGUAGE = "The script's, voice's and captions' language: auto (default: from the topic) or a code, e.g. es, hi, zh."


# shown in the schema; enforced by check_request with the CLI's messages (400), not by pydantic (422)
_SCENES = {"minimum": MIN_SCENES, "maximum": MAX_SCENES}
_LENGTH = {"minimum": MIN_LENGTH, "maximum": MAX_LENGTH}
_LENGTH_SAID = (f"The video's target length in seconds, {MIN_LENGTH}–{MAX_LENGTH}: the scenes (unless scenes is "
                "given) and their words follow it at the voice's pace.")
_TOPIC = {"minLength": 1, "maxLength": MAX_TOPIC_CHARS}
_SIDE = {"minimum": MIN_FRAME_SIDE, "maximum": MAX_FRAME_SIDE, "multipleOf": 2}


def error_body(message: str, hint: str | None = None, kind: str = "Error", **extra: Any) -> dict[str, Any]:
    """Every error's JSON: the one-line message (with the hint) and its parts."""
    return {"success": False, "message": f"{message} {hint}" if hint else message,
            "error": {"message": message, "hint": hint, "type": kind}, **extra}


class ErrorDetail(BaseModel):
    message: str
    hint: str | None = None
    type: str = Field(description="BadInput, QueueFull, QueueUnavailable, AlreadyEnded, HTTPError…")


class ErrorBody(BaseModel):
    """What every error answers (the OpenAPI document's error responses)."""

    success: bool = False
    message: str = Field(description="One line: what is wrong and what to do.")
    error: ErrorDetail


class ScriptBody(BaseModel):
    """POST /generate-script."""

    model_config = ConfigDict(extra="forbid", strict=True)

    topic: str | None = Field(None, description=f"What the video is about (1–{MAX_TOPIC_CHARS} characters).",
                              examples=["Why do cats purr?"], json_schema_extra=_TOPIC)
    scenes: int | None = Field(None, description=f"{MIN_SCENES}–{MAX_SCENES}; omitted: the writer chooses.",
                               json_schema_extra=_SCENES)
    length: int | None = Field(None, description=_LENGTH_SAID, examples=[60], json_schema_extra=_LENGTH)
    tone: str | None = Field(None, description="e.g. funny, serious, inspiring")
    seed: int | None = Field(None, description="Another version of the same request.")
    script_provider: str | None = Field(None, description="auto (default), local, openai…")
    language: str | None = Field(None, description=_LANGUAGE)
    options: dict[str, Any] | None = Field(None, description=_OPTIONS, examples=[{"openai_model": "gpt-4o-mini"}])

    def job_options(self) -> dict[str, Any]:
        """The job's options by the CLI's names; ``options`` (the providers' own) as ``provider_options``."""
        return _job_options(self.model_dump(exclude={"topic"}))


class VideoBody(BaseModel):
    """POST /create-video: a topic, or an edited script (or your own narration) in its place, plus the CLI's
    options."""

    model_config = ConfigDict(extra="forbid", strict=True)

    topic: str | None = Field(None, description="What the video is about; omit it when sending a script.",
                              examples=["The future of AI"], json_schema_extra=_TOPIC)
    script: dict[str, Any] | str | None = Field(
        None, description="An edited script: {topic, title, scenes: [{scene_number, visuals, narration}]} "
                          f"(what POST /generate-script returned, changed as you like; 1–{MAX_SCRIPT_SCENES} "
                          "scenes), or your own narration as plain text, one paragraph a scene (separated by a "
                          "blank line). The narration is used word for word; scenes without visuals get them "
                          "from the script writer (script_provider). With a topic, it names what the video is "
                          "about; else the first sentence does.",
        examples=["Cats purr with tiny muscles in their throat.\n\nThe hum helps their bones heal."])
    scenes: int | None = Field(None, description=f"{MIN_SCENES}–{MAX_SCENES}; omitted: the writer chooses.",
                               json_schema_extra=_SCENES)
    length: int | None = Field(None, description=_LENGTH_SAID, examples=[60], json_schema_extra=_LENGTH)
    tone: str | None = None
    seed: int | None = None
    script_provider: str | None = Field(None, description="auto, local, openai…")
    voice_provider: str | None = Field(None, description="auto, local, elevenlabs, openai…")
    clip_provider: str | None = Field(None, description="auto, local, runway, pexels, pixabay, openai_images, "
                                                         "runway_images…")
    aspect: str | None = Field(None, description="9:16 (default), 1:1, 4:5 or 16:9; full HD on the short side "
                                                 "(16:9 is 1920×1080). With width or height: the other side follows.",
                               examples=["16:9"])
    width: int | None = Field(None, description=f"Even, {MIN_FRAME_SIDE}–{MAX_FRAME_SIDE}; default 1080 (or from "
                                                "aspect).", json_schema_extra=_SIDE)
    height: int | None = Field(None, description=f"Even, {MIN_FRAME_SIDE}–{MAX_FRAME_SIDE}; default 1920 (or "
                                                 "from aspect).", json_schema_extra=_SIDE)
    transitions: bool | None = Field(None, description="false: plain cuts between scenes (no arrival push).")
    caption_style: str | None = Field(None, description=f"The captions' look, a named preset: {', '.join(PRESETS)} "
                                                         "(default classic); captions adjusts it.",
                                       json_schema_extra={"enum": list(PRESETS)})
    captions: dict[str, Any] | None = Field(
        None, description="Caption style fields to change, e.g. {\"font_size\": 70, \"uppercase\": false}.")
    music: str | None = Field(None, description="Background music under the voice: calm, lofi, upbeat, none, or "
                                                  "the id POST /music returned for your own track.")
    music_volume: float | None = Field(None, description="The music's loudness as a fraction of the voice's, "
                                                         "0–1; default 0.25 (12 dB under it).",
                                        json_schema_extra={"minimum": 0, "maximum": 1})
    language: str | None = Field(None, description=_LANGUAGE)
    options: dict[str, Any] | None = Field(None, description=_OPTIONS, examples=[{"image_model": "gpt-image-1-mini"}])
    wait: bool = Field(False, description="true: answer when the video is done, with the original design's JSON.")

    def job_options(self) -> dict[str, Any]:
        """The job's options by the CLI's names; ``options`` (the providers' own) as ``provider_options``."""
        return _job_options(self.model_dump(exclude={"topic", "script", "wait"}))


def _job_options(data: dict[str, Any]) -> dict[str, Any]:
    data["provider_options"] = data.pop("options", None)
    return {k: v for k, v in data.items() if v is not None and k in JOB_OPTIONS}


class PublishBody(BaseModel):
    """POST /jobs/{id}/publish: where to publish the video a finished job made, and what to tell YouTube."""

    model_config = ConfigDict(extra="forbid", strict=True)

    youtube: bool = Field(True, description="Publish to the YouTube channel connected on this server (the one "
                                            "place for now; `python -m viralreel_core youtube connect`).")
    title: str | None = Field(None, description="Up to 100 characters; default: the post kit's title, else the "
                                                "script's.")
    description: str | None = Field(None, description="Default: the post kit's description.")
    tags: list[str] | None = Field(None, description="Default: the post kit's hashtags, without #.")
    privacy: Literal["private", "unlisted", "public"] = Field("private", description="private by default.")
    made_for_kids: bool = Field(False, description="status.selfDeclaredMadeForKids.")
    synthetic: bool = Field(True, description="status.containsSyntheticMedia: realistic altered or AI-made "
                                              "content (declared by default).")
    thumbnail: bool = Field(True, description="Set the post kit's cover as the thumbnail where the channel may "
                                              "(a refusal is a warning).")
    wait: bool = Field(False, description="true: answer when the upload is done, with the publish job.")
