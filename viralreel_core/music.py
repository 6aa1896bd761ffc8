"""Background music and the final sound: the shipped tracks, an uploaded one, the mix under the narration.

Every render's final audio is made in three audio-only ffmpeg runs before the join encodes it:

1. ``mix``: with music chosen, the music looped to the narration's length, set ``volume`` below the voice
   (a fraction of the voice's loudness: 0.25 = 12 dB under it), faded in and out, and **ducked while the
   voice speaks** by ``sidechaincompress`` with the narration as the key, then the voice added on top;
   with or without music the peaks are limited.
2. the mix measured with ``loudnorm``'s first pass (integrated loudness, true peak, range);
3. ``loudnorm``'s second pass with those measurements brings it to −14 LUFS integrated, true peak −1.5 dBTP
   (0.5 dB headroom for the AAC encode; the platforms ask for ≤ −1).

Each scene's narration is first evened out to ``VOICE_LUFS`` (``scene_gains``), so one loud or quiet take
does not stand out. A video without music is levelled and normalized the same way, so it is as loud as one
with music (and as the platforms play it).

The shipped tracks (``viralreel_core/music/*.ogg``) are synthesized by ``tools/make_music.py`` and are CC0.
A person's own track is checked (``check_file``) and kept by ``music_uploads`` in their own folder
(``Settings.music_dir``), named ``upload:<content hash>.<suffix>``.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from .errors import AssemblyError, BadInput
from .ffmpeg import ffmpeg_exe, probe, run_ffmpeg

__all__ = ["MUSIC_DIR", "MUSIC_TYPES", "MAX_MUSIC_BYTES", "TARGET_LUFS", "TARGET_TP", "VOICE_LUFS", "DEFAULT_VOLUME",
           "UPLOAD_ID", "tracks", "resolve", "check_volume", "check_kind", "check_file", "check_music", "measure",
           "scene_gains", "final_mix"]

MUSIC_DIR = Path(__file__).resolve().parent / "music"
TARGET_LUFS = -14.0  # the short-video platforms' integrated loudness
TARGET_TP = -1.5  # dBTP asked of loudnorm; ≤ −1 after the AAC encode
TARGET_LRA = 11.0
VOICE_LUFS = -20.0  # each scene's narration is evened out to this before mixing
DEFAULT_VOLUME = 0.25
MAX_SCENE_GAIN_DB = 15.0  # a near-silent take is not blown up into noise
FADE_SECONDS = 1.5
# peaks limited before loudnorm, so that its gain (about TARGET_LUFS - VOICE_LUFS) stays linear within TARGET_TP;
# 1 dB spare for the inter-sample peaks a sample-peak limiter does not see
PRE_LIMIT = 10 ** ((TARGET_TP - (TARGET_LUFS - VOICE_LUFS) - 1.0) / 20)
OFF = ("", "none", "off")
#: a person's own music: the suffixes accepted, its size and length limits, and an upload's id
MUSIC_TYPES = ("mp3", "ogg", "wav", "m4a")
MAX_MUSIC_BYTES = 50 * 2**20  # a few minutes of WAV; an MP3 song is a tenth of it
MIN_MUSIC_SECONDS = 1.0
UPLOAD_ID = re.compile(r"upload:[0-9a-f]{32}\.(?:mp3|ogg|wav|m4a)")  # its name in the uploads folder, by content
# ducking: the key (the voice at VOICE_LUFS) sits ~14 dB over the threshold while speaking, so with this
# ratio the music drops about 12 dB under speech and comes back within half a second in a pause
DUCK = "threshold=0.02:ratio=8:attack=20:release=400:knee=2"


def tracks() -> dict[str, Path]:
    """The shipped tracks by name (``calm``, ``lofi``, ``upbeat``)."""
    return {p.stem: p for p in sorted(MUSIC_DIR.glob("*.ogg"))}


def resolve(music: str | Path | None, uploads: Path | None = None, *, paths: bool = True) -> Path | None:
    """The audio file for ``music``: a shipped track's name, an uploaded track's id (``upload:…``, kept in
    ``uploads``) or, when ``paths``, a file's path; None for no music.

    BadInput naming the choices when it is none of these (checked before anything is spent).
    """
    name = str(music or "").strip()
    if name.lower() in OFF:
        return None
    shipped = tracks()
    if name.lower() in shipped:
        return shipped[name.lower()]
    if UPLOAD_ID.fullmatch(name):
        path = Path(uploads or ".") / name.removeprefix("upload:")
        if uploads is None or path.is_symlink() or not path.is_file():
            raise BadInput(f"The uploaded music {name!r} is not here (uploaded elsewhere, or deleted).",
                           hint=f"Upload the track again, or use one of {', '.join(shipped)}.")
        return path.absolute()
    path = Path(name).expanduser()
    if paths and path.is_file():
        return path.absolute()
    choices = "an uploaded track's id" + (", the path of an audio file" if paths else "")
    raise BadInput(f"There is no music called {name!r}.", hint=f"Use one of {', '.join(shipped)}, {choices}, or none.")


def check_volume(volume: float) -> float:
    """``volume`` as a float in 0..1 (BadInput otherwise)."""
    try:
        value = float(volume)
    except (TypeError, ValueError):
        value = math.nan
    if not 0.0 <= value <= 1.0:
        raise BadInput(f"A music volume of {volume!r} is not usable.",
                       hint="Use a number from 0 (silent) to 1 (as loud as the voice); 0.25 is the default.")
    return value


def check_kind(name: str, size: int) -> None:
    """BadInput unless ``name``'s suffix is one of ``MUSIC_TYPES`` and ``size`` bytes are within the limit."""
    if Path(name).suffix.lower().lstrip(".") not in MUSIC_TYPES:
        raise BadInput(f"{name or 'The file'} is not an audio file we accept.",
                       hint=f"Use an {', '.join(t.upper() for t in MUSIC_TYPES)} file.")
    if not size:
        raise BadInput(f"{name} is empty.", hint="Choose the audio file again.")
    if size > MAX_MUSIC_BYTES:
        raise BadInput(f"{name} is {size / 2**20:.0f} MB; the limit for music is {MAX_MUSIC_BYTES // 2**20} MB.",
                       hint="Use a shorter or more compressed track.")


def check_file(path: Path, name: str | None = None) -> None:
    """BadInput saying what is wrong when ``path`` (shown as ``name``) is not music we can use: the type
    by its suffix, its size, then ffmpeg must decode sound from it."""
    name = name or path.name
    check_kind(name, path.stat().st_size)
    types = ", ".join(t.upper() for t in MUSIC_TYPES)
    try:
        seconds = probe(path).duration
        loudness = measure(path, seconds=30.0)["input_i"]
    except AssemblyError:
        raise BadInput(f"{name} has no sound we can read.", hint=f"Use another {types} file.") from None
    if seconds < MIN_MUSIC_SECONDS:
        raise BadInput(f"{name} lasts {seconds:.1f} s; music should last at least {MIN_MUSIC_SECONDS:g} s.",
                       hint="Use a longer track (it is looped to the video's length).")
    if loudness < -60:
        raise BadInput(f"{name} is silent.", hint="Use a track with sound in it.")


def check_music(music: str | Path | None, volume: float, uploads: Path | None = None, *,
                paths: bool = True) -> Path | None:
    """The music file and a usable volume, checked before anything is spent (BadInput naming the fix);
    a file that is not a shipped track is checked as ``check_file`` checks an upload."""
    check_volume(volume)
    path = resolve(music, uploads, paths=paths)
    if path is not None and path.parent != MUSIC_DIR:
        check_file(path)
    return path


_JSON = re.compile(r"\{[^{}]*\"input_i\"[^{}]*\}", re.S)


def measure(path: Path, *, seconds: float | None = None) -> dict[str, float]:
    """EBU R128 figures of ``path`` (``input_i`` LUFS, ``input_tp`` dBTP, ``input_lra``, ``input_thresh``,
    ``target_offset``) from loudnorm's first pass; only the first ``seconds`` when given."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path), *(["-t", f"{seconds:.3f}"] if seconds else []),
           "-vn", "-af", f"loudnorm=I={TARGET_LUFS}:TP={TARGET_TP}:LRA={TARGET_LRA}:print_format=json",
           "-f", "null", "-"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AssemblyError(f"The loudness of {path.name} could not be measured ({exc}).") from exc
    found = _JSON.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise AssemblyError(f"{path.name} is not a readable audio file.",
                            hint="Choose another music file (MP3, M4A, OGG, WAV).")
    return {k: _number(v) for k, v in json.loads(found.group(0)).items() if k != "normalization_type"}


def _number(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        return -math.inf  # "-inf": silence
    return number if math.isfinite(number) else -math.inf


def scene_gains(voice_paths: Sequence[Path]) -> list[float]:
    """Linear gains bringing each narration to ``VOICE_LUFS`` (1.0 for a silent one), at most ±15 dB."""
    gains = []
    for path in voice_paths:
        try:
            loudness = measure(Path(path))["input_i"]
        except AssemblyError as exc:
            raise AssemblyError(f"A narration could not be read ({Path(path).name} is not readable audio).",
                                hint="Make the voice for that scene again.") from exc
        if loudness < -60:
            gains.append(1.0)
            continue
        db = max(-MAX_SCENE_GAIN_DB, min(MAX_SCENE_GAIN_DB, VOICE_LUFS - loudness))
        gains.append(10 ** (db / 20))
    return gains


def final_mix(narration: Path, music: Path | None, volume: float, seconds: float, work: Path) -> Path:
    """The narration, with ``music`` ducked under it when given, normalized to −14 LUFS: a WAV of
    ``seconds`` in ``work``. ``narration`` should already be at about ``VOICE_LUFS`` (see ``scene_gains``).
    """
    volume = check_volume(volume)
    music_db = -120.0  # no music, a silent track or volume 0: the voice alone, still normalized
    if music is not None and volume > 0:
        music_lufs = measure(music, seconds=max(seconds, 3.0))["input_i"]
        if music_lufs >= -60:
            music_db = VOICE_LUFS + 20 * math.log10(volume) - music_lufs
    voice = "[0:a]aresample=44100,aformat=sample_fmts=fltp:channel_layouts=stereo"
    # apad=whole_dur: loudnorm drops its last partial block, and the sound must last as long as the picture
    tail = f"alimiter=limit={PRE_LIMIT:.4f}:level=false:attack=5:release=50,apad=whole_dur={seconds:.4f}[out]"
    if music_db <= -120:
        inputs, graph = ["-i", str(narration)], f"{voice},{tail}"
    else:
        fade = min(FADE_SECONDS, seconds / 4)
        inputs = ["-i", str(narration), "-stream_loop", "-1", "-i", str(music)]
        graph = (f"[1:a]aresample=44100,aformat=sample_fmts=fltp:channel_layouts=stereo,atrim=0:{seconds:.4f},"
                 f"asetpts=N/SR/TB,volume={music_db:.2f}dB,afade=t=in:d={fade:.3f},"
                 f"afade=t=out:st={seconds - fade:.4f}:d={fade:.3f}[music];"
                 f"{voice},asplit=2[voice][key];[music][key]sidechaincompress={DUCK}[ducked];"
                 f"[voice][ducked]amix=inputs=2:duration=first:normalize=0,{tail}")
    mixed = work / "mix.wav"
    run_ffmpeg([*inputs, "-filter_complex", graph, "-map", "[out]", "-t", f"{seconds:.4f}", "-c:a", "pcm_f32le",
                str(mixed)], what="mix the music under the narration" if music_db > -120 else "level the narration")
    m = measure(mixed)
    if m["input_i"] < -60:  # nothing to normalize (a silent narration and no music)
        return mixed
    normalized = work / "mix_normalized.wav"
    loudnorm = (f"loudnorm=I={TARGET_LUFS}:TP={TARGET_TP}:LRA={TARGET_LRA}:measured_I={m['input_i']}"
                f":measured_TP={m['input_tp']}:measured_LRA={m['input_lra']}:measured_thresh={m['input_thresh']}"
                f":offset={m['target_offset']}:linear=true")
    run_ffmpeg(["-i", str(mixed), "-af", f"{loudnorm},aresample=44100,asetpts=N/SR/TB,"
                f"apad=whole_dur={seconds:.4f},atrim=0:{seconds:.4f}", "-c:a", "pcm_s16le",
                str(normalized)], what="normalize the loudness of the mix")
    return normalized
