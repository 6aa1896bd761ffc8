"""In-process fake providers for pipeline tests: they record calls and fail on demand.

Like simonw/llm's MockModel: ``enqueue_failure(exc)`` makes the next call raise ``exc``; ``calls`` lists
what was asked. Media they produce is real (a tone WAV, an ffmpeg test-pattern MP4), just tiny.
"""

from __future__ import annotations

import subprocess
import threading
import uuid
import wave
from pathlib import Path
from typing import ClassVar

import numpy as np

from viralreel_core.media.ffmpeg import ffmpeg_exe
from viralreel_core.models import Clip, Scene, Script, VoiceTrack, WordTiming
from viralreel_core.providers.base import ClipMaker, ScriptRequest, ScriptWriter, Voice
from viralreel_core.text.languages import split_words

WORD_SECONDS = 0.3
GAP_SECONDS = 0.1


class _Recorder:
    calls: ClassVar[list]
    failures: ClassVar[list]
    lock: ClassVar[threading.Lock]

    @classmethod
    def reset(cls) -> None:
        cls.calls = []
        cls.failures = []
        cls.lock = threading.Lock()

    @classmethod
    def enqueue_failure(cls, exc: Exception, match: str | None = None) -> None:
        """The next call (whose input contains ``match``, if given) raises ``exc``."""
        cls.failures.append((match, exc))

    @classmethod
    def _record(cls, text: str) -> None:
        with cls.lock:
            cls.calls.append(text)
            for i, (match, exc) in enumerate(cls.failures):
                if match is None or match in text:
                    del cls.failures[i]
                    raise exc

    @classmethod
    def from_settings(cls, settings):
        return cls()


class FakeScriptWriter(_Recorder, ScriptWriter):
    name = "fake"
    offline = True

    def cache_params(self):
        return {"model": "fake-writer"}

    def write(self, request: ScriptRequest) -> Script:
        self._record(request.topic)
        n = request.scenes or 3
        scenes = tuple(Scene(i, f"visual {i} of {request.topic}", f"Scene {i} says hello world.")
                       for i in range(1, n + 1))
        return Script(request.topic, f"About {request.topic}", scenes)

    def estimate_cost(self, request):
        return 0.001


def write_tone(path: Path, seconds: float, freq: float = 440.0, rate: int = 22050) -> None:
    t = np.arange(int(seconds * rate)) / rate
    samples = (0.4 * np.sin(2 * np.pi * freq * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())


PAUSE = "[pause]"


class FakeVoice(_Recorder, Voice):
    """Each word is a 0.3 s tone followed by 0.1 s of silence; ``[pause]`` is 1 s of silence."""

    name = "fake"
    offline = True

    def cache_params(self):
        return {"model": "fake-voice"}

    def speak(self, text: str, out_dir: Path) -> VoiceTrack:
        self._record(text)
        words, t = [], 0.0
        for word in split_words(text):  # Chinese comes in pieces, as the real voices time it
            if word == PAUSE:
                t += 1.0
                continue
            words.append(WordTiming(word, round(t, 3), round(t + WORD_SECONDS, 3)))
            t += WORD_SECONDS + GAP_SECONDS
        rate = 22050
        signal = np.zeros(int(t * rate), dtype=np.float64)
        for w in words:
            a, b = int(w.start * rate), int(w.end * rate)
            signal[a:b] = 0.4 * np.sin(2 * np.pi * 330 * np.arange(b - a) / rate)
        path = out_dir / f"voice_{uuid.uuid4().hex}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes((signal * 32767).astype("<i2").tobytes())
        return VoiceTrack(str(path), duration=len(signal) / rate, words=tuple(words), provider=self.name,
                          cost_usd=0.002)


class FakeClipMaker(_Recorder, ClipMaker):
    """A small test-pattern clip whose hue depends on the visuals text.

    The same pattern (size, length, hue) is encoded once per test process and written again from memory for
    every later call: the same bytes ffmpeg would make, a fresh file each time, without an encoder's start."""

    name = "fake"
    offline = True
    size = (160, 284)
    _encoded: ClassVar[dict[tuple[int, int, float, int], bytes]] = {}

    def cache_params(self):
        return {"model": "fake-clips"}

    def make(self, visuals: str, seconds: float, out_dir: Path) -> Clip:
        self._record(visuals)
        hue = sum(map(ord, visuals)) * 137 % 360
        path = out_dir / f"clip_{uuid.uuid4().hex}.mp4"
        w, h = self.size
        pattern = (w, h, float(seconds), hue)
        if pattern in self._encoded:
            path.write_bytes(self._encoded[pattern])
        else:
            subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi",
                            "-i", f"testsrc2=size={w}x{h}:rate=24:duration={seconds}",
                            "-vf", f"hue=h={hue}", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast",
                            str(path)], check=True, capture_output=True)
            self._encoded[pattern] = path.read_bytes()
        return Clip(str(path), seconds, w, h, provider=self.name, cost_usd=0.05, credit=f"fake credit {hue}")


class SlowClipMaker(FakeClipMaker):
    """Like FakeClipMaker, but each clip waits (like a paid job being polled) until ``release`` or ``abort``."""

    name = "slow"
    offline = False  # a service far away: its own lane, every scene asked for at once (no CPU slot held waiting)
    can_abort = True
    release = threading.Event()
    aborted = threading.Event()

    @classmethod
    def reset(cls) -> None:
        super().reset()
        cls.release, cls.aborted = threading.Event(), threading.Event()

    def abort(self) -> None:
        type(self).aborted.set()

    def make(self, visuals: str, seconds: float, out_dir: Path) -> Clip:
        from viralreel_core.errors import ProviderError
        if "1" in visuals:  # scene 1 is quick, the others wait
            return super().make(visuals, seconds, out_dir)
        while not type(self).release.wait(0.01):
            if type(self).aborted.is_set():
                raise ProviderError("The clip generation was stopped.", provider=self.name, retryable=False)
        return super().make(visuals, seconds, out_dir)
