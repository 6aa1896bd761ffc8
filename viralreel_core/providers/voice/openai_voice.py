"""OpenAI voice: ``/audio/speech`` through the official SDK, with the same key as the script writer.

The service gives no timings, so word timings are estimated from the narration and the audio's
measured length (``timing.estimate_word_timings``).

Example::

    voice = OpenAIVoice(api_key="sk-…", voice="coral")
    track = voice.speak("Cats purr when they are happy.", Path("out"))
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

from viralreel_core.config import Settings
from viralreel_core.errors import BadInput, ProviderError
from viralreel_core.media.files import atomic_path, playable
from viralreel_core.models import VoiceTrack
from viralreel_core.providers.base import Voice, voice_speed
from viralreel_core.providers.http.openai_common import (
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    KEY_ENV,
    LABEL,
    SERVICE,
    make_client,
    openai_errors,
)
from viralreel_core.providers.http.transport import host_of
from viralreel_core.text.timing import estimate_seconds, estimate_word_timings

__all__ = ["OpenAIVoice", "MAX_INPUT_CHARS", "PRICE_PER_MILLION_CHARS", "PRICE_PER_MINUTE"]

_LOGGER = logging.getLogger(__name__)

DEFAULT_MODEL = "gpt-4o-mini-tts"
DEFAULT_VOICE = "coral"
VOICES = ("alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse")
MAX_INPUT_CHARS = 4096
MIN_SPEED, MAX_SPEED = 0.25, 4.0
#: dollars per million input characters, for the character-priced models
PRICE_PER_MILLION_CHARS = {"tts-1": 15.0, "tts-1-hd": 30.0}
#: dollars per minute of audio for token-priced models (OpenAI's own estimate for gpt-4o-mini-tts)
PRICE_PER_MINUTE = {"gpt-4o-mini-tts": 0.015}
_NO_INSTRUCTIONS = ("tts-1", "tts-1-hd")  # these models reject ``instructions``
#: the studio's languages its speech models speak (OpenAI's list follows Whisper's; Bengali is not on it)
LANGUAGES_SPOKEN = ("en", "es", "fr", "de", "it", "pt", "nl", "pl", "tr", "sv", "id", "vi", "ru", "uk", "el", "ar",
                    "fa", "ur", "he", "hi", "ta", "th", "zh", "ja", "ko")


class OpenAIVoice(Voice):
    """OpenAI text to speech (MP3); word timings estimated."""

    name = "openai"
    label = LABEL
    service = SERVICE
    key_env = KEY_ENV
    base_url_env = BASE_URL_ENV
    options = {"openai_voice_model": DEFAULT_MODEL, "openai_voice": DEFAULT_VOICE}
    voice_option = "openai_voice"
    voice_names = VOICES
    speed_range = (MIN_SPEED, MAX_SPEED)
    languages = LANGUAGES_SPOKEN

    def __init__(self, api_key: str, *, model: str = DEFAULT_MODEL, voice: str = DEFAULT_VOICE,
                 speed: float = 1.0, instructions: str = "", base_url: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        speed = voice_speed(speed, MIN_SPEED, MAX_SPEED, "OpenAI")
        self.model = model or DEFAULT_MODEL
        self.voice = voice or DEFAULT_VOICE
        self.speed = speed
        self.instructions = instructions.strip()
        self.base_url = base_url or DEFAULT_BASE_URL
        self._secret = api_key
        self._client = make_client(api_key, self.base_url, timeout=timeout)

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIVoice:
        """The voice for ``settings``: key, ``openai_voice_model``, ``openai_voice``, ``voice_speed``."""
        return cls(settings.keys.get(cls.service, ""), model=cls.setting(settings, "openai_voice_model"),
                   voice=cls.setting(settings, "openai_voice"), speed=settings.voice_speed,
                   base_url=settings.base_urls.get(cls.service))


    def __repr__(self) -> str:
        return f"OpenAIVoice(model={self.model!r}, voice={self.voice!r}, endpoint={host_of(self.base_url)!r})"

    def cache_params(self) -> dict[str, Any]:
        """Model, voice, speed, style instructions, format and server."""
        return {"model": self.model, "voice": self.voice, "speed": self.speed,
                "instructions": self.instructions if self.model not in _NO_INSTRUCTIONS else "",
                "format": "mp3", "endpoint": host_of(self.base_url)}

    def unit_cost(self) -> float:
        """Dollars per character (per estimated spoken character for the per-minute models)."""
        sample = "Cats purr when they are happy and calm, and sometimes when they are hurt."
        return self.estimate_cost(sample) / len(sample)

    def estimate_cost(self, text: str) -> float:
        """Dollars to speak ``text``: per character for tts-1, per estimated minute for gpt-4o-mini-tts."""
        return self._dollars(text, estimate_seconds(text) / self.speed)

    def speak(self, text: str, out_dir: Path) -> VoiceTrack:
        """Speak ``text`` into a new MP3 under ``out_dir``, with estimated word timings."""
        text = " ".join(str(text or "").split())
        if not text:
            raise BadInput("There is no narration to speak.", hint="Write some narration for this scene.")
        if len(text) > MAX_INPUT_CHARS:
            raise BadInput(f"The narration is {len(text)} characters; OpenAI speaks at most {MAX_INPUT_CHARS}.",
                           hint="Shorten the narration or split the scene.")
        path = Path(out_dir) / f"voice_openai_{uuid.uuid4().hex[:16]}.mp3"
        extra: dict[str, Any] = {}
        if self.instructions and self.model not in _NO_INSTRUCTIONS:
            extra["instructions"] = self.instructions
        with atomic_path(path) as part:
            with openai_errors("speaking the narration", secret=self._secret, base_url=self.base_url,
                               model=self.model):
                with self._client.audio.speech.with_streaming_response.create(
                        model=self.model, voice=self.voice, input=text,  # type: ignore[arg-type]
                        response_format="mp3", speed=self.speed, **extra) as response:
                    try:
                        response.stream_to_file(part)
                    except OSError as exc:  # answered, so charged, though it could not be written (a full disk)
                        exc.spent_usd = self._dollars(text, estimate_seconds(text) / self.speed)
                        raise
            info = playable(part)
            if info is None:
                error = ProviderError("OpenAI sent audio that cannot be played.", provider=self.name, retryable=True,
                                      hint="Try again; if it keeps happening, choose another voice model.")
                error.spent_usd = self._dollars(text, 0.0)  # answered, so charged
                raise error
        duration = info.duration
        words = tuple(estimate_word_timings(text, duration))
        return VoiceTrack(audio_path=str(path), duration=duration, words=words, provider=self.name,
                          cost_usd=self._dollars(text, duration))

    def _dollars(self, text: str, seconds: float) -> float:
        if self.model in PRICE_PER_MILLION_CHARS:
            return round(len(text) * PRICE_PER_MILLION_CHARS[self.model] / 1_000_000, 8)
        per_minute = PRICE_PER_MINUTE.get(self.model, PRICE_PER_MINUTE[DEFAULT_MODEL])
        if self.model not in PRICE_PER_MINUTE and self.base_url != DEFAULT_BASE_URL:
            return 0.0  # an unknown model on another server: its price is not ours to guess
        return round(seconds / 60 * per_minute, 8)
