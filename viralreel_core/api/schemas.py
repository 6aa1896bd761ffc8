"""The HTTP API's request bodies (pydantic): the CLI's options, by the CLI's names."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from viralreel_core.jobs import OPTION_NAMES

__all__ = ["ScriptBody", "VideoBody"]

_OPTIONS = ("The providers' own options (the CLI's --option), e.g. image_model, image_quality, runway_model, "
            "openai_model, openai_voice, elevenlabs_voice_id; a value outside an option's choices is refused.")
_LANGUAGE = "The script's, voice's and captions' language: auto (default: from the topic) or a code, e.g. es, hi, zh."


class ScriptBody(BaseModel):
    """POST /generate-script."""

    model_config = ConfigDict(extra="forbid")

    topic: str | None = Field(None, description="What the video is about (1–500 characters).",
                              examples=["Why do cats purr?"])
    scenes: int | None = Field(None, description="3–6; omitted: the writer chooses.")
    tone: str | None = Field(None, description="e.g. funny, serious, inspiring")
    seed: int | None = Field(None, description="Another version of the same request.")
    script_provider: str | None = Field(None, description="auto (default), local, openai…")
    language: str | None = Field(None, description=_LANGUAGE)
    options: dict[str, Any] | None = Field(None, description=_OPTIONS, examples=[{"openai_model": "gpt-4o-mini"}])

    def job_options(self) -> dict[str, Any]:
        """The job's options by the CLI's names; ``options`` (the providers' own) as ``provider_options``."""
        return _job_options(self.model_dump(exclude={"topic"}))


class VideoBody(BaseModel):
    """POST /create-video: a topic, or an edited script in its place, plus the CLI's options."""

    model_config = ConfigDict(extra="forbid")

    topic: str | None = Field(None, description="What the video is about; omit it when sending a script.",
                              examples=["The future of AI"])
    script: dict[str, Any] | None = Field(
        None, description="An edited script: {topic, title, scenes: [{scene_number, visuals, narration}]} "
                          "(what POST /generate-script returned, changed as you like).")
    scenes: int | None = Field(None, description="3–6; omitted: the writer chooses.")
    tone: str | None = None
    seed: int | None = None
    script_provider: str | None = Field(None, description="auto, local, openai…")
    voice_provider: str | None = Field(None, description="auto, local, elevenlabs, openai…")
    clip_provider: str | None = Field(None, description="auto, local, runway, pexels, pixabay, openai_images, "
                                                         "runway_images…")
    aspect: str | None = Field(None, description="9:16 (default), 1:1, 4:5 or 16:9; full HD on the short side "
                                                 "(16:9 is 1920×1080). With width or height: the other side follows.",
                               examples=["16:9"])
    width: int | None = Field(None, description="Even, 16–4096; default 1080 (or from aspect).")
    height: int | None = Field(None, description="Even, 16–4096; default 1920 (or from aspect).")
    transitions: bool | None = Field(None, description="false: cut between scenes instead of fading.")
    captions: dict[str, Any] | None = Field(
        None, description="Caption style fields to change, e.g. {\"font_size\": 70, \"uppercase\": false}.")
    music: str | None = Field(None, description="Background music under the voice: calm, lofi, upbeat, none, or "
                                                  "the id POST /music returned for your own track.")
    music_volume: float | None = Field(None, description="The music's loudness as a fraction of the voice's, "
                                                         "0–1; default 0.25 (12 dB under it).")
    language: str | None = Field(None, description=_LANGUAGE)
    options: dict[str, Any] | None = Field(None, description=_OPTIONS, examples=[{"image_model": "gpt-image-1-mini"}])
    wait: bool = Field(False, description="true: answer when the video is done, with the original design's JSON.")

    def job_options(self) -> dict[str, Any]:
        """The job's options by the CLI's names; ``options`` (the providers' own) as ``provider_options``."""
        return _job_options(self.model_dump(exclude={"topic", "script", "wait"}))


def _job_options(data: dict[str, Any]) -> dict[str, Any]:
    data["provider_options"] = data.pop("options", None)
    return {k: v for k, v in data.items() if v is not None and k in OPTION_NAMES}
