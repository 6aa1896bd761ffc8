"""Making a render's post kit beside its video: captions as SRT and WebVTT, the texts, the cover, the JSON.

Called by ``Pipeline.make_post_kit`` once the video is written (every way in: studio, CLI, API, batch).
The kit never fails a render: whatever part cannot be made is left out with one line saying so (the
texts fall back to the plain ones read from the script). The paid part, the writer's texts, is cached by
the script's content (``Pipeline.write_post``); the cover's frame is cached by the clip's bytes; the rest
is a few milliseconds of text and one JPEG, so a kit made again for an unchanged render costs nothing::

    kit, problems = make_post_kit(pipeline, script, pipeline.scene_media(script, voices, clips),
                                  Path("out/viralreel_….mp4"))
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from viralreel_core.cache.store import cache_key, file_sha256
from viralreel_core.errors import ViralReelError
from viralreel_core.media.files import write_text_atomically
from viralreel_core.models import Clip, Script
from viralreel_core.post.cover import FRAME_AT, cover_frame, draw_cover
from viralreel_core.post.kit import PostKit, PostTexts, kit_paths, save_kit, tidy_texts
from viralreel_core.providers.script.post_plain import plain_post_texts
from viralreel_core.text.languages import resolve_language

if TYPE_CHECKING:
    from viralreel_core.cache.store import AssetCache
    from viralreel_core.config import Settings
    from viralreel_core.render.assembler import SceneMedia

__all__ = ["make_post_kit", "video_language", "COVER_VERSION"]

COVER_VERSION = "1"  # bump when the cover's frame is taken differently
_LOGGER = logging.getLogger(__name__)


class Pipeline(Protocol):
    """What making a kit needs of the run's pipeline (``pipeline.Pipeline`` is one)."""

    settings: Settings
    cache: AssetCache

    def write_post(self, script: Script, language: str) -> PostTexts: ...


def video_language(settings: Settings, narrations: Sequence[str]) -> str:
    """The language code of a video with these narrations (as its voice reads them): its captions' and texts'."""
    return resolve_language(settings.language, " ".join(narrations), spoken=True).code


def _texts(pipeline: Pipeline, script: Script, language: str, problems: list[str]) -> PostTexts:
    try:
        return pipeline.write_post(script, language)
    except ViralReelError as exc:
        problems.append(f"The post's title, description and hashtags could not be written ({exc}); plain ones "
                        "read from the script are used: make the video again later for written ones.")
        return plain_post_texts(script, language)


def _with_credits(texts: PostTexts, clips: list[Clip]) -> PostTexts:
    """The description with the stock footage's credits under it (their licences ask for them)."""
    credits = sorted({c.credit for c in clips if c.credit})
    if not credits:
        return texts
    return tidy_texts(texts.title, "\n\n".join(filter(None, [texts.description, "\n".join(credits)])),
                      texts.hashtags)


def _cover(pipeline: Pipeline, first: SceneMedia, title: str, out_path: Path) -> tuple[Path, Path]:
    """The cover at ``out_path`` and the frame it was drawn on (kept in the cache, to redraw it)."""
    s = pipeline.settings
    clip = first.clip
    key = cache_key("cover", "ffmpeg", {"version": COVER_VERSION, "size": [s.width, s.height], "at": FRAME_AT},
                    {"clip": file_sha256(clip.video_path), "duration": clip.duration})

    def make(work_dir: Path):
        frame = cover_frame(clip, s.width, s.height, work_dir / "frame.jpg")
        return {"size": [s.width, s.height]}, {"frame": frame}, 0.0

    asset, _ = pipeline.cache.get_or_make(key, "cover", make, label="cover frame")
    frame = Path(asset.files["frame"])
    return draw_cover(frame, title, out_path), frame


def _problem(what: str, exc: Exception) -> str:
    """One line for a kit part that failed; an unexpected error is logged with its traceback too."""
    if not isinstance(exc, (ViralReelError, OSError)):
        _LOGGER.exception("%s", what)
        return f"{what} ({type(exc).__name__}); see the log."
    return f"{what} ({exc})."


def make_post_kit(pipeline: Pipeline, script: Script, scenes: Sequence[SceneMedia],
                  video_path: Path) -> tuple[PostKit, list[str]]:
    """The kit for the video at ``video_path``, its files written beside it (captions and cover from ``scenes``,
    the media the assembly used; texts from ``script``); and a line for each part that could not be made."""
    problems: list[str] = []
    language = video_language(pipeline.settings, [m.narration for m in scenes])
    # the texts are the whole script's: a scene left out and made again later finds them cached
    texts = _with_credits(_texts(pipeline, script, language, problems), [m.clip for m in scenes])
    paths = kit_paths(video_path)
    from viralreel_core.post.subtitles import subtitle_cues, to_srt, to_vtt  # captions' numpy: only once a kit is made

    made = {}
    try:
        cues = subtitle_cues(scenes, pipeline.settings.fps, pipeline.settings.captions.max_words)
        made["srt_path"] = str(write_text_atomically(paths["srt_path"], to_srt(cues)))
        made["vtt_path"] = str(write_text_atomically(paths["vtt_path"], to_vtt(cues, language)))
    except Exception as exc:  # noqa: BLE001 - the video is made: a kit part that fails is a warning, never a failure
        problems.append(_problem("The captions files could not be written", exc))
    if scenes:
        try:
            cover, frame = _cover(pipeline, scenes[0], texts.title, paths["cover_path"])
            made.update(cover_path=str(cover), cover_frame=str(frame))
        except Exception as exc:  # noqa: BLE001 - as above
            problems.append(_problem("The cover could not be made", exc))
    kit = PostKit(texts.title, texts.description, texts.hashtags, json_path=str(paths["json_path"]),
                  language=language, **made)
    try:
        save_kit(kit)
    except OSError as exc:
        problems.append(f"The post kit could not be saved beside the video ({exc}).")
        kit = replace(kit, json_path="")
    return kit, problems
