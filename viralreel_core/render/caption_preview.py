"""The studio's caption preview: the cue shown at a time blended into a frame, in numpy.

Renders do not use this (ffmpeg overlays the cue images, ``segment.py``); the studio's preview and the
tests do, with exactly the same pictures::

    frame = burn_captions(picture, t, build_cues(words, style, width, height))
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np

from viralreel_core.render.caption_draw import CaptionCue

__all__ = ["active_cue", "burn_captions", "caption_transform"]


def _cue_start(cue: CaptionCue) -> float:
    return cue.start


def active_cue(cues: Sequence[CaptionCue], t: float) -> CaptionCue | None:
    """The cue shown at time ``t`` (``start <= t < end``), from cues sorted by start; O(log n)."""
    i = bisect.bisect_right(cues, t, key=_cue_start) - 1
    if i >= 0:
        cue = cues[i]
        if t < cue.end:
            return cue
    return None


_blend_cache: OrderedDict[int, tuple[CaptionCue, np.ndarray, np.ndarray]] = OrderedDict()
_BLEND_LOCK = threading.Lock()


def _blend_terms(cue: CaptionCue) -> tuple[np.ndarray, np.ndarray]:
    """(rgb·alpha + 128, 255 − alpha) as uint16 for the few most recent cues (kept small on purpose)."""
    with _BLEND_LOCK:
        hit = _blend_cache.get(id(cue))
        if hit is not None and hit[0] is cue:
            _blend_cache.move_to_end(id(cue))
            return hit[1], hit[2]
    premul = cue.rgb.astype(np.uint16)
    premul *= cue.alpha
    premul += 128
    inv = np.ascontiguousarray(np.broadcast_to(255 - cue.alpha, premul.shape))  # 4× faster than (h,w,1)
    with _BLEND_LOCK:
        _blend_cache[id(cue)] = (cue, premul, inv)
        while len(_blend_cache) > 8:
            _blend_cache.popitem(last=False)
    return premul, inv


def burn_captions(frame: np.ndarray, t: float, cues: Sequence[CaptionCue], *,
                  inplace: bool = False) -> np.ndarray:
    """The frame with the cue active at ``t`` blended in; ``frame`` itself when no cue is active.

    Only the cue's box is touched, with integer math (exact ``round((src·a + dst·(255−a)) / 255)``).
    The input is copied first unless ``inplace`` is true and it is writable, so MoviePy's cached or
    read-only frames are never changed. Frames may be H×W×3 or H×W×4 (alpha left as is); frames
    that are not uint8 are converted.
    """
    cue = active_cue(cues, t) if cues else None
    if cue is None:
        return frame
    if frame.dtype != np.uint8:
        frame = np.clip(frame, 0, 255).astype(np.uint8)
    elif not (inplace and frame.flags.writeable):
        frame = frame.copy()
    fh, fw = frame.shape[:2]
    x0, y0 = max(0, cue.x), max(0, cue.y)
    x1, y1 = min(fw, cue.x + cue.width), min(fh, cue.y + cue.height)
    if x1 <= x0 or y1 <= y0:
        return frame
    premul, inv = _blend_terms(cue)
    sy, sx = slice(y0 - cue.y, y1 - cue.y), slice(x0 - cue.x, x1 - cue.x)
    region = frame[y0:y1, x0:x1, :3]
    acc = region.astype(np.uint16)
    acc *= inv[sy, sx]
    acc += premul[sy, sx]
    acc += acc >> 8
    acc >>= 8
    region[...] = acc
    return frame


def caption_transform(cues: Sequence[CaptionCue]) -> Callable[[Callable[[float], np.ndarray], float],
                                                                 np.ndarray]:
    """A MoviePy 2 ``clip.transform`` function that burns ``cues`` into every frame."""
    cues = list(cues)

    def _burn(get_frame: Callable[[float], np.ndarray], t: float) -> np.ndarray:
        return burn_captions(get_frame(t), t, cues)

    return _burn

