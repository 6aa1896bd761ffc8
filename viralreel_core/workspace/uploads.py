"""A person's own clip for a scene: checked by probing, then kept in the asset cache like a made clip.

Nothing about an upload is trusted: its name only picks the suffix, its size is capped, and ffmpeg
must find a video stream of a sensible length in it. The file is stored once per content hash, so
uploading the same clip twice (or in two sessions) keeps one copy::

    clip = store_upload(cache, "my clip.mp4", data)   # BadInput with the reason if it is not usable
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from viralreel_core.cache.store import AssetCache, cache_key
from viralreel_core.errors import AssemblyError, BadInput
from viralreel_core.media.ffmpeg import probe
from viralreel_core.models import Clip

__all__ = ["UPLOAD_TYPES", "MAX_UPLOAD_BYTES", "MIN_UPLOAD_SECONDS", "MAX_UPLOAD_SECONDS", "store_upload"]

#: the file suffixes accepted for a scene's own clip (video containers ffmpeg reads)
UPLOAD_TYPES = ("mp4", "mov", "m4v", "webm", "mkv")
MAX_UPLOAD_BYTES = 200 * 2**20  # matches server.maxUploadSize in .streamlit/config.toml
MIN_UPLOAD_SECONDS = 0.5
MAX_UPLOAD_SECONDS = 120.0
UPLOAD_PROVIDER = "upload"


def store_upload(cache: AssetCache, filename: str, data: bytes) -> Clip:
    """Validate an uploaded clip and keep it in the cache; BadInput saying what is wrong otherwise."""
    suffix = Path(filename or "").suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES:
        raise BadInput(f"{filename or 'The file'} is not a video file we accept.",
                       hint=f"Upload one of: {', '.join('.' + t for t in UPLOAD_TYPES)}.")
    if not data:
        raise BadInput(f"{filename} is empty.", hint="Choose the video file again.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise BadInput(f"{filename} is {len(data) / 2**20:.0f} MB; the limit is {MAX_UPLOAD_BYTES // 2**20} MB.",
                       hint="Trim or compress the clip first.")
    digest = hashlib.sha256(data).hexdigest()
    key = cache_key("clips", UPLOAD_PROVIDER, {}, {"sha256": digest})

    def make(work_dir: Path):
        path = work_dir / f"upload_{digest[:16]}.{suffix}"
        path.write_bytes(data)
        try:
            info = probe(path)
        except AssemblyError:
            info = None
        if info is None or not info.video_codec or not info.width or not info.height:
            raise BadInput(f"{filename} has no video we can read.",
                           hint="Upload an MP4 (H.264) or another common video file.")
        if not MIN_UPLOAD_SECONDS <= info.duration <= MAX_UPLOAD_SECONDS:
            raise BadInput(f"{filename} lasts {info.duration:.1f} s; a scene clip should last "
                           f"{MIN_UPLOAD_SECONDS:g}–{MAX_UPLOAD_SECONDS:.0f} s.",
                           hint="Trim the clip to the scene's length.")
        clip = Clip(str(path), info.duration, info.width, info.height, provider=UPLOAD_PROVIDER)
        return clip.to_dict(), {"video": path}, 0.0

    asset, _ = cache.get_or_make(key, "clips", make)
    return Clip.from_dict({**asset.meta, "video_path": str(asset.files["video"])})
