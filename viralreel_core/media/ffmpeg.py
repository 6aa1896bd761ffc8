"""The ffmpeg binary (the one imageio-ffmpeg ships) and small helpers to run and probe with it."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from viralreel_core.errors import AssemblyError, BadInput
from viralreel_core.media import disk

__all__ = ["ffmpeg_exe", "run_ffmpeg", "probe", "MediaInfo", "h264_encoder", "h264_args", "ENCODERS",
           "raise_disk_fault"]

_FIX = "Install it with `pip install imageio-ffmpeg` (it ships its own ffmpeg), or set IMAGEIO_FFMPEG_EXE."


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg executable; AssemblyError naming the fix when there is none."""
    try:
        import imageio_ffmpeg
        exe = imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as exc:
        raise AssemblyError(f"ffmpeg was not found ({exc}).", hint=_FIX) from exc
    if shutil.which(exe) is None:  # IMAGEIO_FFMPEG_EXE is taken on trust by imageio-ffmpeg
        raise AssemblyError(f"ffmpeg was not found at {exe}.", hint=_FIX)
    return exe


def run_ffmpeg(args: list[str], *, what: str, timeout: float = 600) -> None:
    """Run ffmpeg with ``args``; AssemblyError with the end of its log if it fails."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", *args]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise AssemblyError(f"ffmpeg took longer than {timeout:.0f} s to {what}.") from exc
    if done.returncode != 0:
        raise_disk_fault(done.stderr, args[-1] if args else "")
        tail = "\n".join(done.stderr.strip().splitlines()[-6:])
        raise AssemblyError(f"ffmpeg could not {what}: {tail}")


def raise_disk_fault(log: str, out_path: str | Path) -> None:
    """A failed ffmpeg run that could not write ``out_path`` (a full or read-only disk, said anywhere in its log,
    or found by writing there now) as the DiskFault of its folder: its last lines rarely say so."""
    folder = Path(out_path).parent
    if not Path(out_path).is_absolute() or not folder.is_dir():
        return
    kind = disk.fault_kind(log) or disk.full_or_read_only(folder)
    if kind is not None:
        raise disk.fault(folder, kind)


#: VIRALREEL_ENCODER value -> the ffmpeg encoder it asks for ("auto": NVENC when it works here, else x264)
ENCODERS = {"libx264": "libx264", "x264": "libx264", "nvenc": "h264_nvenc", "h264_nvenc": "h264_nvenc"}


@functools.cache
def _nvenc_works(exe: str) -> bool:
    """True when this ffmpeg has h264_nvenc and it can encode a frame here (a GPU and its driver present)."""
    try:
        listed = subprocess.run([exe, "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=20)
        if " h264_nvenc " not in listed.stdout:
            return False
        trial = subprocess.run([exe, "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                                "color=black:s=256x256:r=30:d=0.1", "-frames:v", "1", "-c:v", "h264_nvenc",
                                "-f", "null", "-"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return trial.returncode == 0


def h264_encoder(wanted: str = "auto") -> str:
    """The H.264 encoder to use for ``wanted`` (``settings.encoder``, from VIRALREEL_ENCODER at the edge):
    auto (NVENC where it works, else libx264), libx264 or nvenc."""
    wanted = str(wanted or "").strip().lower() or "auto"
    if wanted != "auto":
        if wanted not in ENCODERS:
            raise BadInput(f"VIRALREEL_ENCODER={wanted!r} is not an encoder this app knows.",
                           hint="Use auto, libx264 or nvenc.")
        if ENCODERS[wanted] == "h264_nvenc" and not _nvenc_works(ffmpeg_exe()):
            raise AssemblyError("VIRALREEL_ENCODER=nvenc, but NVENC cannot encode here (no NVIDIA GPU, driver "
                                "or NVENC in this ffmpeg).", hint="Set VIRALREEL_ENCODER=auto or libx264.")
        return ENCODERS[wanted]
    return "h264_nvenc" if _nvenc_works(ffmpeg_exe()) else "libx264"


def h264_args(encoder: str, *, bitrate: str, preset: str, fps: int) -> list[str]:
    """Output options for ``encoder`` giving the same stream shape: H.264 High, yuv420p, a keyframe every 2 s."""
    common = ["-b:v", bitrate, "-profile:v", "high", "-g", str(fps * 2), "-pix_fmt", "yuv420p"]
    if encoder == "h264_nvenc":
        return ["-c:v", "h264_nvenc", "-preset", "p4", "-rc", "cbr", *common]
    return ["-c:v", "libx264", "-preset", preset, *common]


@dataclass(frozen=True)
class MediaInfo:
    """What ffmpeg says about a media file."""

    duration: float
    video_codec: str | None
    width: int | None
    height: int | None
    fps: float | None
    audio_codec: str | None
    video_bitrate_kbps: int | None
    audio_bitrate_kbps: int | None


_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\S+.*?: Video: (\w+).*?, (\d{2,5})x(\d{2,5})")
_AUDIO = re.compile(r"Stream #\S+.*?: Audio: (\w+)")
_FPS = re.compile(r"([\d.]+) fps")
_KBPS = re.compile(r"(\d+) kb/s")
_ROTATION = re.compile(r"rotation of (-?[\d.]+) degrees")


def probe(path: str | Path) -> MediaInfo:
    """Codec, size as displayed (rotation applied), frame rate, duration and bitrates (AssemblyError if unreadable)."""
    done = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
                          capture_output=True, text=True)
    log = done.stderr
    duration = _DURATION.search(log)
    if duration is None:
        raise AssemblyError(f"{Path(path).name} is not a readable video or audio file.",
                            hint="Check the file, or make or upload it again.")
    h, m, s = duration.groups()
    video = audio = None
    for line in log.splitlines():
        video = video or _VIDEO.search(line) and line
        audio = audio or _AUDIO.search(line) and line
    vmatch = _VIDEO.search(video) if video else None
    fps = _FPS.search(video) if video else None
    vkbps = _KBPS.search(video) if video else None
    akbps = _KBPS.search(audio) if audio else None
    width, height = (int(vmatch.group(2)), int(vmatch.group(3))) if vmatch else (None, None)
    rotation = _ROTATION.search(log)
    if rotation and round(abs(float(rotation.group(1)))) % 180 == 90:  # a phone's portrait video: shown upright
        width, height = height, width
    return MediaInfo(
        duration=int(h) * 3600 + int(m) * 60 + float(s),
        video_codec=vmatch.group(1) if vmatch else None,
        width=width,
        height=height,
        fps=float(fps.group(1)) if fps else None,
        audio_codec=_AUDIO.search(audio).group(1) if audio else None,
        video_bitrate_kbps=int(vkbps.group(1)) if vkbps else None,
        audio_bitrate_kbps=int(akbps.group(1)) if akbps else None,
    )
