"""Assembly: each scene rendered once to a cached segment, segments joined without re-encoding.

Per scene, one ffmpeg run (``segment.py``) decodes the clip, fits it to the narration (trim, slow down
or loop), scales and crops it, overlays the captions (drawn once per moment by ``caption_draw.py``),
fades and encodes an H.264 segment: no raw frames pass through Python. The segments are joined by
ffmpeg's concat demuxer with stream copy. The sound for the whole video is laid out once by MoviePy,
mixed, normalized and encoded to AAC beside the renders (``music``; cached by its voices), so there are
no audio gaps at the joins and the join copies both streams. Timing arithmetic
lives in ``frames_for`` alone: each segment is a whole number of frames and its narration is padded to
exactly that length. How many segments render at once, and with how many threads, comes from
``resources.segment_plan`` (CPU quota and memory budget); each segment's ffmpeg and the sound wait for
their memory in the process-wide line (``admission.GATE``), beside every other visitor's and job's work.

The joined file is written as ``.<name>.<random>.partial.mp4``, locked by this process while it is
written, checked (``final_check``) and only then renamed; a partial left by a killed run is swept by the
next run into the same folder.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import shutil
import tempfile
import threading
import uuid
import wave
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from viralreel_core.cache.store import AssetCache, cache_key, file_sha256
from viralreel_core.config import Settings
from viralreel_core.errors import AssemblyError, CacheError, DiskFault
from viralreel_core.media import disk, resources
from viralreel_core.media import music as music_mix
from viralreel_core.media.admission import GATE, Waiter
from viralreel_core.media.ffmpeg import ffmpeg_exe, h264_args, h264_encoder, run_ffmpeg
from viralreel_core.media.files import locked_partial
from viralreel_core.models import Clip, ProgressEvent, VoiceTrack
from viralreel_core.render.caption_styles import POP_SCALES
from viralreel_core.render.final_check import check_final, check_segment
from viralreel_core.render.segment import (
    SLOW_DOWN_LIMIT,
    CaptionTrack,
    fit_plan,
    run_with_progress,
    segment_command,
    write_caption_track,
)
from viralreel_core.render.title_card import TITLE_FADE, TITLE_SECONDS, write_title_card

__all__ = ["SceneMedia", "Assembler", "frames_for", "fit_plan", "SLOW_DOWN_LIMIT"]

FINAL_VERSION = "4"  # bump when the join, the narration mix or the music mix changes (4: the sound made as AAC)
SEGMENT_VERSION = "5"  # bump when segment rendering changes its pixels (5: a [place] split in chunks keeps brackets;
#                         a clip of the frame's size no longer goes through a no-op scale)
ARRIVAL_SECONDS = 0.35  # how long a scene's arrival move takes
_LOGGER = logging.getLogger(__name__)


def frames_for(seconds: float, fps: int) -> int:
    """Whole frames needed to cover ``seconds`` (the one place scene lengths are rounded)."""
    return max(1, math.ceil(seconds * fps - 1e-6))


@dataclass(frozen=True)
class SceneMedia:
    """What one scene's segment is made of."""

    number: int
    narration: str
    clip: Clip
    voice: VoiceTrack
    fade_in: bool = True  # arrives with the transition (a push that settles; never from black)
    fade_out: bool = True  # fades to black at its end (the pipeline never asks: scenes change without black)
    title: str = ""  # the video's title, shown over the opening (the first scene: frame 0 says what it is)

    def frames(self, fps: int) -> int:
        return frames_for(self.voice.duration, fps)


@dataclass(frozen=True)
class SceneCaptions:
    """A scene's caption images and their playlist (``track``; None without words), in their own folder."""

    folder: Path
    track: CaptionTrack | None


def _captions_key(number: int, narration: str, voice: VoiceTrack) -> tuple:
    return number, narration, voice.words, voice.duration


class Assembler:
    """Turns scenes (clip + voice + narration) into the final MP4, caching each scene's segment."""

    def __init__(self, settings: Settings, cache: AssetCache | None = None,
                 on_progress: Callable[[ProgressEvent], None] | None = None, encoder: str | None = None,
                 waiter: Waiter | None = None) -> None:
        """``encoder``: an ffmpeg H.264 encoder name; by default ``ffmpeg.h264_encoder`` chooses for
        ``settings.encoder``.
        ``waiter``: told its place while a segment or the sound waits for memory (``admission``)."""
        self.settings = settings
        self.cache = cache
        self.on_progress = on_progress or (lambda event: None)
        self.waiter = waiter
        self.segment_hits = 0
        self.segment_misses = 0
        self._done: dict[int, float] = {}  # scene number -> fraction rendered
        self._frames: dict[int, int] = {}  # scene number -> its weight in the whole render
        self._progress_lock = threading.Lock()
        self._encoder = encoder
        self._digests: dict[tuple[str, int, int], str] = {}
        self._prepared: dict[tuple, Future[SceneCaptions]] = {}  # captions drawn ahead (prefetch_captions)
        self._prepared_lock = threading.Lock()

    @property
    def encoder(self) -> str:
        """The H.264 encoder segments are made with (NVENC where it works, else libx264; see ffmpeg.py)."""
        if self._encoder is None:
            self._encoder = h264_encoder(self.settings.encoder)
        return self._encoder

    def expect(self, scene: SceneMedia) -> None:
        """Count ``scene`` in the progress this assembler reports (``assemble`` counts all its scenes)."""
        with self._progress_lock:
            self._frames[scene.number] = scene.frames(self.settings.fps)

    def _scene_progress(self, scene: SceneMedia, fraction: float, message: str) -> None:
        """Report the whole render's progress, weighting each scene by its frames."""
        with self._progress_lock:
            self._done[scene.number] = fraction
            total = sum(self._frames.values()) or 1
            overall = sum(self._frames[n] * self._done.get(n, 0.0) for n in self._frames) / total
        self.on_progress(ProgressEvent("assemble", min(overall, 0.99), message, scene.number))

    # -- one scene -------------------------------------------------------------------------------
    def segment_key(self, scene: SceneMedia) -> str:
        """Content hash of everything a scene's pixels depend on."""
        s = self.settings
        params = {"version": SEGMENT_VERSION, "size": [s.width, s.height], "fps": s.fps,
                  "bitrate": s.frame_bitrate(), "preset": s.x264_preset, "captions": s.captions.to_dict(),
                  "fade": s.fade_seconds if s.transitions else 0, "encoder": self.encoder,
                  "transition": "arrive", **({"pop": list(POP_SCALES)} if s.captions.animation == "pop" else {})}
        inputs = {"clip": self._digest(scene.clip.video_path), "frames": scene.frames(s.fps),
                  "words": [w.to_dict() for w in scene.voice.words], "narration": scene.narration,
                  "duration": scene.voice.duration, "fade_in": scene.fade_in, "fade_out": scene.fade_out,
                  **({"title": scene.title} if scene.title else {})}
        return cache_key("segment", "ffmpeg", params, inputs)

    def final_key(self, scenes: Sequence[SceneMedia]) -> str:
        """Content hash of everything the finished video depends on: its segments, its narrations in order,
        the music under them and its volume."""
        params = {"version": FINAL_VERSION, "audio_bitrate": self.settings.audio_bitrate,
                  "sample_rate": music_mix.SAMPLE_RATE, "music": self._music_key()}
        inputs = [{"segment": self.segment_key(sc), "voice": self._digest(sc.voice.audio_path),
                   "loudness": sc.voice.loudness} for sc in scenes]
        return cache_key("final", "ffmpeg", params, inputs)

    def _music_key(self) -> dict | None:
        """What the chosen music adds to a key: its bytes' hash and its volume (None without music)."""
        track = music_mix.resolve(self.settings.music, self.settings.music_dir)
        return {"track": self._digest(track), "volume": self.settings.music_volume} if track else None

    def _digest(self, path: str | Path) -> str:
        """sha256 of a file, computed once per assembler for an unchanged file (keys ask for clips twice)."""
        stat = os.stat(path)
        mark = (str(path), stat.st_size, stat.st_mtime_ns)
        if mark not in self._digests:
            self._digests[mark] = file_sha256(path)
        return self._digests[mark]

    def prepare_captions(self, number: int, narration: str, voice: VoiceTrack, root: Path) -> SceneCaptions:
        """Draw scene ``number``'s caption images and write their timing (``segment.write_caption_track``) into
        a new folder under ``root``; the clip is not needed, so this can run before it arrives."""
        from viralreel_core.render.caption_chunks import timings_for
        from viralreel_core.render.caption_draw import build_cues  # Pillow and numpy: only when a scene is drawn

        s = self.settings
        folder = Path(tempfile.mkdtemp(prefix="viralreel_scene_", dir=root))
        try:
            cues = build_cues(timings_for(voice, narration), s.captions, s.width, s.height)
            return SceneCaptions(folder, write_caption_track(cues, folder, s.fps))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise

    def prefetch_captions(self, number: int, narration: str, voice: VoiceTrack, root: Path,
                          pool: ThreadPoolExecutor) -> None:
        """Prepare scene ``number``'s captions in ``pool`` for its render to find (``render_segment``)."""
        key = _captions_key(number, narration, voice)
        with self._prepared_lock:
            if key not in self._prepared:
                self._prepared[key] = pool.submit(self.prepare_captions, number, narration, voice, root)

    def drop_prefetched(self) -> None:
        """Forget the captions drawn ahead that no render took (cancelled if not started yet); their
        folders are under the ``root`` given to ``prefetch_captions``, which its owner removes."""
        with self._prepared_lock:
            for future in self._prepared.values():
                future.cancel()
            self._prepared.clear()

    def _captions_for(self, scene: SceneMedia, root: Path) -> SceneCaptions:
        """The scene's captions: drawn ahead if they were (or are being), else drawn now, at the render's
        priority rather than waiting in the side pool's queue (a failure is raised by drawing them now)."""
        with self._prepared_lock:
            prefetched = self._prepared.pop(_captions_key(scene.number, scene.narration, scene.voice), None)
        if prefetched is not None and not prefetched.cancel():
            with contextlib.suppress(Exception):  # drawn again below, and the failure reported then
                return prefetched.result()
        return self.prepare_captions(scene.number, scene.narration, scene.voice, root)

    def render_segment(self, scene: SceneMedia, out_path: Path, threads: int | None = None) -> Path:
        """Render one scene to an H.264 segment at ``out_path`` (video only), in one ffmpeg run."""
        s = self.settings
        frames = scene.frames(s.fps)
        seconds = frames / s.fps
        fade = min(s.fade_seconds, seconds / 3) if s.transitions else 0.0
        message = f"Rendering scene {scene.number}"
        # beside the segment, so under the cache's swept scratch folder rather than the system's temp
        captions = self._captions_for(scene, out_path.parent)
        try:
            cmd = segment_command(
                clip_path=scene.clip.video_path, clip_size=(scene.clip.width, scene.clip.height),
                clip_seconds=scene.clip.duration, frames=frames, width=s.width, height=s.height, fps=s.fps,
                captions=captions.track, arrive=ARRIVAL_SECONDS if scene.fade_in and s.transitions else 0.0,
                fade_out=fade if scene.fade_out else 0.0,
                title=write_title_card(scene.title, s.width, s.height, captions.folder),
                title_seconds=TITLE_SECONDS, title_fade=TITLE_FADE,
                encoder_args=h264_args(self.encoder, bitrate=s.frame_bitrate(), preset=s.x264_preset, fps=s.fps),
                threads=threads or resources.segment_plan(1, s.width, s.height)[1], out_path=out_path)
            self._scene_progress(scene, 0.0, message)
            try:
                with GATE.admit("render", resources.segment_mb(s.width, s.height), self.waiter):
                    run_with_progress(cmd, frames, lambda f: self._scene_progress(scene, f, message),
                                      what=f"render scene {scene.number}", log_path=captions.folder / "ffmpeg.log")
            except AssemblyError as exc:
                raise AssemblyError(f"Scene {scene.number} could not be rendered ({exc}).",
                                    hint=f"Make or upload scene {scene.number}'s clip again.") from exc
            except OSError as exc:
                if disk.fault_kind(exc) is not None:
                    raise  # a full or read-only disk: the cache names its folder
                raise AssemblyError(f"Scene {scene.number} could not be rendered ({exc}).",
                                    hint="Check that ffmpeg runs here: python -m viralreel_core doctor") from exc
        finally:
            shutil.rmtree(captions.folder, ignore_errors=True)
        return out_path

    def segment_for(self, scene: SceneMedia, work_dir: Path, threads: int | None = None) -> Path:
        """The scene's segment file, from the cache when its inputs have not changed; its frames are counted."""
        frames = scene.frames(self.settings.fps)
        if self.cache is None:
            self.segment_misses += 1
            path = self.render_segment(scene, work_dir / f"segment_{scene.number}.mp4", threads)
            self._raise_if_bad(path, scene, frames)
            return path
        key = self.segment_key(scene)

        def make(scratch: Path):
            path = self.render_segment(scene, scratch / f"segment_{scene.number}.mp4", threads)
            self._raise_if_bad(path, scene, frames)  # a bad render is never stored
            return {"frames": frames}, {"video": path}, 0.0

        asset, hit = self.cache.get_or_make(key, "segment", make, label=f"segment of scene {scene.number}")
        if hit and check_segment(asset.files["video"], scene.number, frames) is not None:
            self.cache.drop(key)  # stored whole but wrong (an older version's render): made again
            asset, hit = self.cache.get_or_make(key, "segment", make, label=f"segment of scene {scene.number}")
        if hit:
            self.segment_hits += 1
            self._scene_progress(scene, 1.0, f"Scene {scene.number} from cache")
        else:
            self.segment_misses += 1
        return asset.files["video"]

    def _segment_cached(self, scene: SceneMedia) -> bool:
        if self.cache is None:
            return False
        try:
            return self.cache.get(self.segment_key(scene)) is not None
        except OSError:  # a missing clip: its render says so
            return False

    @staticmethod
    def _raise_if_bad(path: Path, scene: SceneMedia, frames: int) -> None:
        problem = check_segment(path, scene.number, frames)
        if problem is not None:
            raise AssemblyError(f"Scene {scene.number} could not be rendered: {problem}.",
                                hint=f"Make or upload scene {scene.number}'s clip again.")

    # -- the whole video -------------------------------------------------------------------------
    def narration_track(self, voices: Sequence[VoiceTrack], out_path: Path, gains: Sequence[float] | None = None,
                        numbers: Sequence[int] | None = None) -> Path:
        """All narrations laid end to end, each cut or padded to its segment's exact length, as 16-bit stereo
        WAV at ``music_mix.SAMPLE_RATE``.

        MoviePy reads, cuts and levels one take at a time, a chunk at a time (``gains``: a linear gain per take,
        see ``music.take_gains``), so memory grows with neither the number of scenes nor their length.
        ``numbers``: the scenes' numbers, to name the one whose voice cannot be read (1, 2, … by default).
        """
        import numpy as np
        from moviepy import AudioFileClip

        fps, numbers = self.settings.fps, list(numbers or range(1, len(voices) + 1))
        frames = 0
        with wave.open(str(out_path), "wb") as out:
            out.setnchannels(2)
            out.setsampwidth(2)
            out.setframerate(music_mix.SAMPLE_RATE)
            for i, voice in enumerate(voices):
                # each scene's sound ends where its picture does: sample positions from whole frames, rounded once
                start = round(frames * music_mix.SAMPLE_RATE / fps)
                frames += frames_for(voice.duration, fps)
                samples = round(frames * music_mix.SAMPLE_RATE / fps) - start
                written = 0
                try:
                    audio = AudioFileClip(voice.audio_path, fps=music_mix.SAMPLE_RATE)
                    try:
                        take = audio.with_volume_scaled(gains[i]) if gains is not None and gains[i] != 1.0 \
                            else audio
                        # in MoviePy's own writer's chunks: reading a whole take at once, or in chunks longer
                        # than a short take, asks its reader for time past the end, which it refuses; each chunk
                        # written as it comes, so a long take is never held whole (a 20 s one was ~35 MB)
                        for chunk in take.iter_chunks(chunksize=2000, fps=music_mix.SAMPLE_RATE):
                            pcm = np.asarray(chunk, dtype=np.float32).reshape(len(chunk), -1)[:samples - written]
                            if pcm.shape[1] == 1:
                                pcm = np.repeat(pcm, 2, axis=1)
                            out.writeframes((np.clip(pcm[:, :2], -1.0, 1.0) * 32767).astype("<i2").tobytes())
                            written += len(pcm)
                    finally:
                        audio.close()
                except (OSError, KeyError, ValueError, IndexError) as exc:
                    raise AssemblyError(f"Scene {numbers[i]}'s narration could not be read ({exc}).",
                                        hint=f"Make the voice for scene {numbers[i]} again.") from exc
                if written < samples:  # the take is shorter than its scene's frames: silence to the end
                    out.writeframes(bytes(4 * (samples - written)))
        return out_path

    def final_sound(self, voices: Sequence[VoiceTrack], work: Path, numbers: Sequence[int] | None = None) -> Path:
        """The finished video's sound as AAC (.m4a): each take evened out (by the loudness measured when it
        was made), the ducked music under it when chosen, normalized to −14 LUFS (with or without music, so
        every video is as loud as the platforms play it); see ``music``."""
        s = self.settings
        track = music_mix.resolve(s.music, s.music_dir)
        gains = music_mix.take_gains([(Path(v.audio_path), v.loudness) for v in voices], numbers)
        with GATE.admit("sound", resources.SOUND_MB, self.waiter):
            narration = self.narration_track(voices, work / "narration.wav", gains, numbers)
            seconds = sum(frames_for(v.duration, s.fps) for v in voices) / s.fps
            return music_mix.final_sound(narration, track, s.music_volume, seconds, work, s.audio_bitrate)

    def sound_key(self, voices: Sequence[VoiceTrack]) -> str:
        """Content hash of what the finished sound depends on: each voice and its scene's frames, in order,
        the music and its volume, the AAC bitrate."""
        fps = self.settings.fps
        params = {"version": FINAL_VERSION, "sample_rate": music_mix.SAMPLE_RATE, "fps": fps,
                  "music": self._music_key(), "audio_bitrate": self.settings.audio_bitrate}
        inputs = [{"voice": self._digest(v.audio_path), "frames": frames_for(v.duration, fps), "loudness": v.loudness}
                  for v in voices]
        return cache_key("narration", "ffmpeg", params, inputs)

    def sound_for(self, voices: Sequence[VoiceTrack], work: Path, numbers: Sequence[int] | None = None) -> Path:
        """The finished video's sound (``final_sound``), cached: it depends on the voices alone, so it is made
        beside the renders (or, in a run, as soon as every voice is in: ``early_render``), and a re-render
        with the same voices finds it."""
        if self.cache is None:
            return self.final_sound(voices, work, numbers)
        try:
            key = self.sound_key(voices)
        except OSError:  # a missing voice: laying it out names the scene
            return self.final_sound(voices, work, numbers)

        def make(scratch: Path):
            return {"scenes": len(voices)}, {"audio": self.final_sound(voices, scratch, numbers)}, 0.0

        asset, _ = self.cache.get_or_make(key, "narration", make, label="video's sound")
        return asset.files["audio"]

    def _identity(self, scenes: Sequence[SceneMedia]) -> dict:
        """What the final MP4 records about how it was made (its comment tag)."""
        made: dict = {"scenes": len(scenes)}
        track = music_mix.resolve(self.settings.music, self.settings.music_dir)
        if track is not None:
            name = track.stem if track.parent == music_mix.MUSIC_DIR else file_sha256(track)[:16]
            made["music"] = {"track": name, "volume": self.settings.music_volume}
        return made

    def assemble(self, scenes: Sequence[SceneMedia], out_path: Path) -> Path:
        """Write the finished MP4 to ``out_path`` (via a temporary name, renamed when complete)."""
        if not scenes:
            raise AssemblyError("There are no scenes to assemble.",
                                hint="Make sure at least one scene has both a voice and a clip.")
        # the first progress at once: hashing the inputs and drawing captions come before any frame
        self.on_progress(ProgressEvent("assemble", 0.0, f"Preparing {len(scenes)} scene{'s' * (len(scenes) > 1)}…"))
        ffmpeg_exe()  # fail early with the fix if ffmpeg is missing
        try:
            out_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AssemblyError(f"Cannot write to {out_path.parent} ({exc.strerror}).",
                                hint="Choose a writable output folder.") from exc
        s = self.settings
        final_key = self._final_key_or_none(scenes)
        if final_key is not None and (done := self.cache.get(final_key)) is not None:  # type: ignore[union-attr]
            return self._reuse_final(done.files["video"], scenes, out_path)
        scratch = self.cache.scratch("assemble") if self.cache is not None \
            else tempfile.TemporaryDirectory(prefix="viralreel_")
        with scratch as tmp:
            work = Path(tmp)
            self._frames = {sc.number: sc.frames(s.fps) for sc in scenes}
            workers, threads = resources.segment_plan(len(scenes), s.width, s.height)
            voices, numbers = [sc.voice for sc in scenes], [sc.number for sc in scenes]
            beside = resources.sound_beside_segments(workers, s.width, s.height)
            if not beside:  # no room for its ffmpeg beside a segment's: the sound first
                narration = self.sound_for(voices, work, numbers)
            # beside the renders, in the cycles they leave idle: the captions of the scenes that render next
            # (the first ones start at once), then the sound, needed only by the join
            try:
                with ThreadPoolExecutor(max_workers=1, initializer=resources.background_thread) as side, \
                        ThreadPoolExecutor(max_workers=workers) as pool:
                    for sc in [sc for sc in scenes if not self._segment_cached(sc)][workers:]:
                        self.prefetch_captions(sc.number, sc.narration, sc.voice, work, side)
                    audio = side.submit(self.sound_for, voices, work, numbers) if beside else None
                    segments = list(pool.map(lambda sc: self.segment_for(sc, work, threads), scenes))
                    if audio is not None:
                        narration = audio.result()
            finally:
                self.drop_prefetched()  # any left (a scene found cached meanwhile) go with ``work``
            listing = work / "segments.txt"
            listing.write_text("".join(f"file '{_concat_escape(p)}'\n" for p in segments), encoding="utf-8")
            partial = out_path.with_name(f".{out_path.stem}.{uuid.uuid4().hex[:8]}.partial.mp4")
            try:
                with locked_partial(partial):
                    run_ffmpeg(["-f", "concat", "-safe", "0", "-i", str(listing), "-i", str(narration),
                                "-map", "0:v:0", "-map", "1:a:0", "-c", "copy", "-movflags", "+faststart",
                                "-metadata", f"comment={json.dumps(self._identity(scenes))}",
                                "-f", "mp4", str(partial)], what="join the scenes into the final video")
                    check_final(partial, [(sc.number, seg, sc.frames(s.fps)) for sc, seg in zip(scenes, segments,
                                                                                             strict=True)], s.fps)
                    self._keep_final(final_key, partial, len(scenes))
                    os.replace(partial, out_path)
            except OSError as exc:
                raise _write_error(exc, out_path) from exc
        self.on_progress(ProgressEvent("assemble", 1.0, f"Wrote {out_path.name}"))
        return out_path


    # -- the finished video, cached: an unchanged re-render is a copy ---------------------------------
    def _final_key_or_none(self, scenes: Sequence[SceneMedia]) -> str | None:
        if self.cache is None:
            return None
        try:
            return self.final_key(scenes)
        except OSError:  # a missing clip or voice: the render itself names it
            return None

    def _reuse_final(self, cached: Path, scenes: Sequence[SceneMedia], out_path: Path) -> Path:
        """Copy the finished video made earlier from the same segments and narrations (checked when made,
        its bytes verified by the cache on reading) to ``out_path``."""
        partial = out_path.with_name(f".{out_path.stem}.{uuid.uuid4().hex[:8]}.partial.mp4")
        try:
            with locked_partial(partial):
                shutil.copyfile(cached, partial)
                os.replace(partial, out_path)
        except OSError as exc:
            raise _write_error(exc, out_path) from exc
        self.segment_hits += len(scenes)
        self.on_progress(ProgressEvent("assemble", 1.0, f"Wrote {out_path.name} (nothing changed: from cache)"))
        return out_path

    def _keep_final(self, key: str | None, video: Path, scenes: int) -> None:
        """Cache the checked finished video; a cache that cannot take it costs only the next re-render."""
        if key is None or self.cache is None:
            return
        try:
            self.cache.put(key, "final", {"scenes": scenes}, {"video": video})
        except (CacheError, DiskFault) as exc:
            _LOGGER.warning("The finished video was not cached: %s", exc)


def _write_error(exc: OSError, out_path: Path) -> Exception:
    """Why the finished video could not be written: the output folder's DiskFault, or an AssemblyError."""
    return disk.as_fault(exc, [out_path.parent]) or AssemblyError(
        f"Cannot write {out_path} ({exc.strerror}).", hint="Check the output folder has space and is writable.")


def _concat_escape(path: Path) -> str:
    return str(path).replace("'", "'\\''")
