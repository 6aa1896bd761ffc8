"""Captions as files (SRT and WebVTT), from the same words and chunks as the burned-in captions.

Each scene's words (``caption_chunks.timings_for``: the voice's own timings, or the estimate the render used) are
chunked by ``caption_chunks.chunk_words`` exactly as the burned-in captions are; whole chunks are then joined
into sentence-sized cues (a cue ends at a sentence end, or before it grows past ``MAX_CUE_COLUMNS`` or
``MAX_CUE_SECONDS``). A cue runs from its first word's start to its last word's end, moved by its scene's
start in the finished video: the segments before it, each a whole number of frames (``frames_for``; fades
lie inside a segment, so scenes never overlap)::

    cues = subtitle_cues(scenes, fps=30, max_words=3)
    Path("video.srt").write_text(to_srt(cues)); Path("video.vtt").write_text(to_vtt(cues, "en"))
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from viralreel_core.render.assembler import SceneMedia, frames_for
from viralreel_core.render.caption_chunks import CaptionChunk, chunk_words, timings_for
from viralreel_core.text.languages import join_words
from viralreel_core.text.timing import ends_sentence

__all__ = ["SubtitleCue", "scene_starts", "subtitle_cues", "to_srt", "to_vtt", "MAX_CUE_COLUMNS",
           "MAX_CUE_SECONDS"]

MAX_CUE_COLUMNS = 84  # two lines of 42, the usual limit for a caption on screen
MAX_CUE_SECONDS = 7.0  # longer cues are hard to follow


@dataclass(frozen=True)
class SubtitleCue:
    """One caption: ``text`` shown from ``start`` to ``end`` seconds into the finished video."""

    start: float
    end: float
    text: str


def scene_starts(scenes: Sequence[SceneMedia], fps: int) -> list[float]:
    """Each scene's start in the finished video, in seconds (the segments before it, whole frames each)."""
    starts, frames = [], 0
    for scene in scenes:
        starts.append(frames / fps)
        frames += scene.frames(fps)
    return starts


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _sentences(chunks: Sequence[CaptionChunk]) -> list[list[CaptionChunk]]:
    """Whole chunks grouped into sentence-sized runs."""
    groups: list[list[CaptionChunk]] = []
    current: list[CaptionChunk] = []
    for chunk in chunks:
        if current:
            words = [w.word for c in [*current, chunk] for w in c.words]
            too_long = (_columns(join_words(words)) > MAX_CUE_COLUMNS
                        or chunk.words[-1].end - current[0].words[0].start > MAX_CUE_SECONDS)
            if too_long:
                groups.append(current)
                current = []
        current.append(chunk)
        if ends_sentence(chunk.words[-1].word):
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def subtitle_cues(scenes: Sequence[SceneMedia], fps: int, max_words: int = 3) -> list[SubtitleCue]:
    """The finished video's captions as sentence-sized cues, in time order, never overlapping.

    ``max_words`` is the burned-in captions' chunk size (``CaptionStyle.max_words``), so that the cues
    hold the same chunks.
    """
    cues: list[SubtitleCue] = []
    for scene, offset in zip(scenes, scene_starts(scenes, fps), strict=True):
        scene_end = offset + frames_for(scene.voice.duration, fps) / fps
        for group in _sentences(chunk_words(timings_for(scene.voice, scene.narration), max_words)):
            words = [w for chunk in group for w in chunk.words]
            start = offset + words[0].start
            end = min(offset + words[-1].end, scene_end)
            cues.append(SubtitleCue(start, max(end, start), join_words([w.word for w in words])))
    for i in range(len(cues) - 1):  # a word running into the next cue's first word: ends as that one starts
        if cues[i].end > cues[i + 1].start:
            cues[i] = SubtitleCue(cues[i].start, max(cues[i].start, cues[i + 1].start), cues[i].text)
    return cues


def _stamp(seconds: float, separator: str) -> str:
    ms = max(0, round(seconds * 1000))
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"


def _clean(text: str) -> str:
    """One line, with no ``-->`` (it would read as a timing line)."""
    return " ".join(text.split()).replace("-->", "→")


def to_srt(cues: Sequence[SubtitleCue]) -> str:
    """``cues`` as SubRip text (numbered cues, ``HH:MM:SS,mmm`` times)."""
    blocks = [f"{i}\n{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}\n{_clean(c.text)}\n"
              for i, c in enumerate(cues, 1)]
    return "\n".join(blocks)


def to_vtt(cues: Sequence[SubtitleCue], language: str = "") -> str:
    """``cues`` as WebVTT text (``HH:MM:SS.mmm`` times; ``&``, ``<`` and ``>`` escaped)."""
    header = "WEBVTT\nKind: captions\n" + (f"Language: {language}\n" if language else "")
    blocks = []
    for c in cues:
        text = _clean(c.text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        blocks.append(f"{_stamp(c.start, '.')} --> {_stamp(c.end, '.')}\n{text}\n")
    return "\n".join([header, *blocks])
