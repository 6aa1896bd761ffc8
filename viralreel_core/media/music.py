"""Background music and the final sound: the shipped tracks, an uploaded one, the mix under the narration.

Once MoviePy has laid the narration out (``Assembler.narration_track``), every render's final sound is made
in two audio-only ffmpeg runs, beside the scenes' renders:

1. ``mix``: the narration (each scene's take evened out to ``VOICE_LUFS``, see ``take_gains``), with music
   chosen the music looped to the narration's length, set ``volume`` below the voice (a fraction of the
   voice's loudness: 0.25 = 12 dB under it), faded in and out, and **ducked while the voice speaks** by
   ``sidechaincompress`` with the narration as the key, then the voice added on top; raised by
   ``TARGET_LUFS - VOICE_LUFS`` and the peaks limited at that level; the result measured on its way out by
   ``ebur128`` (integrated loudness and true peak, EBU R128);
2. ``finish``: one gain correcting to −14 LUFS integrated what the limiting and the music changed (true peak
   ≤ −1.5 dBTP: 0.5 dB headroom for the AAC encode, the platforms ask for ≤ −1; the limiter again only if
   the correction lifts the peaks past it), encoded to AAC once, so the join copies the sound as it copies
   the picture.

This is loudnorm's two-pass linear mode without its cost: loudnorm measures at 192 kHz, ~0.35 s of CPU per
12 s twice per render, where ``ebur128`` takes ~0.05 s (docs/BENCHMARKS.md). A take's loudness is measured
once, when its voice is made (``VoiceTrack.loudness``), not at every render.

A video without music is levelled and normalized the same way, so it is as loud as one with music (and as
the platforms play it).

The shipped tracks (``viralreel_core/media/music/*.ogg``) are synthesized by ``tools/make_music.py`` and are CC0.
A person's own track is checked (``check_file``) and kept by ``music_uploads`` in their own folder
(``Settings.music_dir``), named ``upload:<content hash>.<suffix>``.
"""

from __future__ import annotations

import math
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from viralreel_core.errors import AssemblyError, BadInput
from viralreel_core.media.ffmpeg import ffmpeg_exe, probe, run_ffmpeg

__all__ = ["MUSIC_DIR", "MUSIC_TYPES", "MAX_MUSIC_BYTES", "TARGET_LUFS", "TARGET_TP", "VOICE_LUFS", "DEFAULT_VOLUME",
           "UPLOAD_ID", "SAMPLE_RATE", "Loudness", "tracks", "resolve", "check_volume", "check_kind", "check_file",
           "check_music", "loudness", "take_gain", "take_gains", "mix", "finish", "final_sound"]

MUSIC_DIR = Path(__file__).resolve().parent / "tracks"
TARGET_LUFS = -14.0  # the short-video platforms' integrated loudness
SAMPLE_RATE = 44100  # of the finished video's sound
TARGET_TP = -1.5  # dBTP before the AAC encode; ≤ −1 after it
VOICE_LUFS = -20.0  # each scene's narration is evened out to this before mixing
DEFAULT_VOLUME = 0.25
MAX_SCENE_GAIN_DB = 15.0  # a near-silent take is not blown up into noise
MAX_FINAL_GAIN_DB = 12.0  # nor a mix that a limiter keeps squashing
FADE_SECONDS = 1.5
# the sample peaks' ceiling, 1 dB under TARGET_TP for the inter-sample peaks a sample-peak limiter does not see
PEAK_LIMIT = 10 ** ((TARGET_TP - 1.0) / 20)
LIMITER = f"alimiter=limit={PEAK_LIMIT:.4f}:level=false:attack=5:release=50"
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
        level = loudness(path, seconds=30.0)
    except AssemblyError:
        raise BadInput(f"{name} has no sound we can read.", hint=f"Use another {types} file.") from None
    if seconds < MIN_MUSIC_SECONDS:
        raise BadInput(f"{name} lasts {seconds:.1f} s; music should last at least {MIN_MUSIC_SECONDS:g} s.",
                       hint="Use a longer track (it is looped to the video's length).")
    if level.silent:
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


#: the measuring filter: true peak by 4× oversampling, each 100 ms block logged only at -v verbose
MEASURE = "ebur128=peak=true:framelog=verbose"
SILENT_LUFS = -60.0  # quieter than this is silence: nothing to even out or normalize
_INTEGRATED = re.compile(r"I:\s+(-?[\d.]+|-inf) LUFS")
_TRUE_PEAK = re.compile(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS")


@dataclass(frozen=True)
class Loudness:
    """EBU R128 figures of a sound: integrated loudness (LUFS, −70 for silence) and true peak (dBTP)."""

    lufs: float
    true_peak: float

    @property
    def silent(self) -> bool:
        return self.lufs < SILENT_LUFS


def _measured(args: Sequence[str], what: str, name: str) -> Loudness:
    """Run ffmpeg ``args`` (whose filters end in ``MEASURE``) and read ebur128's summary from its log."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-y", "-loglevel", "info", *args]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AssemblyError(f"ffmpeg could not {what} ({exc}).") from exc
    summary = done.stderr[done.stderr.rfind("Summary:"):] if "Summary:" in done.stderr else ""
    lufs, peak = _INTEGRATED.search(summary), _TRUE_PEAK.search(summary)
    if done.returncode != 0 or lufs is None or peak is None:
        tail = "\n".join(done.stderr.strip().splitlines()[-4:])
        raise AssemblyError(f"ffmpeg could not {what}: {tail or 'no sound'}",
                            hint=f"Check that {name} is readable audio.")
    return Loudness(max(-70.0, _number(lufs.group(1))), max(-120.0, _number(peak.group(1))))


def loudness(path: Path, *, seconds: float | None = None) -> Loudness:
    """The loudness of ``path`` (only its first ``seconds`` when given); AssemblyError if it has no readable sound."""
    return _measured(["-i", str(path), *(["-t", f"{seconds:.3f}"] if seconds else []), "-vn", "-af", MEASURE,
                      "-f", "null", "-"], f"measure the loudness of {Path(path).name}", Path(path).name)


def _number(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        return -math.inf  # "-inf": silence
    return number if math.isfinite(number) else -math.inf


def take_gain(lufs: float | None) -> float:
    """The linear gain bringing a take measured at ``lufs`` to ``VOICE_LUFS`` (1.0 for silence or unknown),
    at most ±15 dB."""
    if lufs is None or lufs < SILENT_LUFS:
        return 1.0
    return 10 ** (max(-MAX_SCENE_GAIN_DB, min(MAX_SCENE_GAIN_DB, VOICE_LUFS - lufs)) / 20)


def take_gains(takes: Sequence[tuple[Path, float | None]], numbers: Sequence[int] | None = None) -> list[float]:
    """Each take's gain (``take_gain``) from its loudness as measured when made, measured now when unknown;
    ``numbers``: the scenes', to name the one whose voice cannot be read (1, 2, … by default)."""
    gains = []
    for i, (path, lufs) in enumerate(takes):
        if lufs is None:
            try:
                lufs = loudness(Path(path)).lufs
            except AssemblyError as exc:
                number = numbers[i] if numbers else i + 1
                raise AssemblyError(f"Scene {number}'s narration could not be read (not readable audio).",
                                    hint=f"Make the voice for scene {number} again.") from exc
        gains.append(take_gain(lufs))
    return gains


def mix(narration: Path, music: Path | None, volume: float, seconds: float, work: Path) -> tuple[Path, Loudness]:
    """The narration, with ``music`` ducked under it when given, raised to about −14 LUFS and its peaks
    limited: a float WAV of ``seconds`` in ``work``, and its loudness (measured as it is written).
    ``narration`` should already be at about ``VOICE_LUFS`` (see ``take_gains``)."""
    volume = check_volume(volume)
    music_db = -120.0  # no music, a silent track or volume 0: the voice alone, still normalized
    if music is not None and volume > 0:
        try:
            music_lufs = loudness(music, seconds=max(seconds, 3.0)).lufs
        except AssemblyError as exc:
            raise AssemblyError(f"The music {music.name} could not be read.",
                                hint="Choose another music file (MP3, M4A, OGG, WAV).") from exc
        if music_lufs >= SILENT_LUFS:
            music_db = VOICE_LUFS + 20 * math.log10(volume) - music_lufs
    voice = f"[0:a]aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo"
    # brought to about TARGET_LUFS (takes at VOICE_LUFS) before the peaks are limited, so that they are limited
    # once, at the level they will be heard: ``finish`` then only corrects by what the measurement finds.
    # apad=whole_dur: the sound must last exactly as long as the picture, and is measured as written
    tail = (f"volume={TARGET_LUFS - VOICE_LUFS:.2f}dB,{LIMITER},apad=whole_dur={seconds:.4f},"
            f"atrim=0:{seconds:.4f},{MEASURE}[out]")
    if music_db <= -120:
        inputs, graph = ["-i", str(narration)], f"{voice},{tail}"
    else:
        fade = min(FADE_SECONDS, seconds / 4)
        inputs = ["-i", str(narration), "-stream_loop", "-1", "-i", str(music)]
        graph = (f"[1:a]aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,atrim=0:{seconds:.4f},"
                 f"asetpts=N/SR/TB,volume={music_db:.2f}dB,afade=t=in:d={fade:.3f},"
                 f"afade=t=out:st={seconds - fade:.4f}:d={fade:.3f}[music];"
                 f"{voice},asplit=2[voice][key];[music][key]sidechaincompress={DUCK}[ducked];"
                 f"[voice][ducked]amix=inputs=2:duration=first:normalize=0,{tail}")
    mixed = work / "mix.wav"
    found = _measured([*inputs, "-filter_complex", graph, "-map", "[out]", "-c:a", "pcm_f32le", str(mixed)],
                      "mix the music under the narration" if music_db > -120 else "level the narration",
                      "the narration and the music" if music_db > -120 else "the narration")
    return mixed, found


def finish(mixed: Path, measured: Loudness, work: Path, bitrate: str) -> Path:
    """``mixed`` brought to −14 LUFS by one gain, peaks kept under −1.5 dBTP, as AAC at ``bitrate`` (an .m4a)."""
    gain = 0.0 if measured.silent else TARGET_LUFS - measured.lufs
    chain = [f"volume={gain:.2f}dB"]
    if measured.true_peak + gain > TARGET_TP:  # the correction lifts peaks the mix had limited: limit again
        gain = _gain_through_limiter(mixed, measured, gain)
        chain = [f"volume={gain:.2f}dB", LIMITER]
    out = work / "sound.m4a"
    run_ffmpeg(["-i", str(mixed), "-af", ",".join(chain), "-c:a", "aac", "-b:a", bitrate, "-ar", str(SAMPLE_RATE),
                "-f", "mp4", str(out)], what="encode the video's sound")
    return out


def _gain_through_limiter(mixed: Path, measured: Loudness, gain: float, steps: int = 2) -> float:
    """The gain that, followed by the limiter, brings ``mixed`` to ``TARGET_LUFS``.

    A limiter takes back part of any gain on speech with high peaks (measured: half of 1.6 dB on the offline
    voice), so the gain is found by secant steps, each one measured pass (~0.05 s per 12 s).
    """
    tried, found = 0.0, measured.lufs
    for _ in range(steps):
        now = _measured(["-i", str(mixed), "-af", f"volume={gain:.2f}dB,{LIMITER},{MEASURE}", "-f", "null", "-"],
                        "measure the levelled sound", "the narration").lufs
        if abs(now - TARGET_LUFS) < 0.1 or now <= found:
            break
        tried, found, gain = gain, now, gain + (TARGET_LUFS - now) * (gain - tried) / (now - found)
        gain = min(gain, MAX_FINAL_GAIN_DB)
    return gain


def final_sound(narration: Path, music: Path | None, volume: float, seconds: float, work: Path,
                bitrate: str) -> Path:
    """The finished video's sound from the evened narration: ``mix`` then ``finish`` (an .m4a in ``work``)."""
    mixed, measured = mix(narration, music, volume, seconds, work)
    return finish(mixed, measured, work, bitrate)
