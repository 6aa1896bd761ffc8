"""ElevenLabs voice: ``/v1/text-to-speech/{voice_id}/with-timestamps``, so captions follow the real speech.

The answer carries the audio (base64 MP3) and a start and end time for every character of the text;
characters are grouped into words for the captions (:func:`words_from_alignment`). One call is one
request: the pipeline retries a failing scene under the one policy (``retry.py``: connection errors,
429 and 5xx, honouring ``Retry-After``) and skips it if it still fails. Requests at once are capped
(the free plan allows 2) so parallel scenes do not trip the concurrency limit.

Example::

    voice = ElevenLabsVoice(api_key="…", voice_id="JBFqnCBsd6RMkjVDRZzb")
    track = voice.speak("Cats purr when they are happy.", Path("out"))
    voice.voices()  # [{"voice_id": …, "name": "George", …}, …] for a picker
"""

from __future__ import annotations

import base64
import binascii
import logging
import math
import threading
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from viralreel_core.config import Settings
from viralreel_core.errors import AuthError, BadInput, ProviderError, QuotaExceeded, RateLimited
from viralreel_core.media.files import atomic_path, playable
from viralreel_core.models import VoiceTrack, WordTiming
from viralreel_core.providers.base import Voice, voice_speed
from viralreel_core.providers.http.retry import retry_after
from viralreel_core.providers.http.transport import (
    error_detail,
    error_for_status,
    host_of,
    json_body,
    make_session,
    network_errors,
    timeouts,
)
from viralreel_core.text.languages import AUTO, check_language, resolve_language, split_words
from viralreel_core.text.timing import estimate_word_timings, tidy_timings

__all__ = ["ElevenLabsVoice", "words_from_alignment", "DEFAULT_BASE_URL", "DEFAULT_VOICE_ID", "DEFAULT_MODEL",
           "MULTILINGUAL_MODEL", "ENGLISH_ONLY_MODELS",
           "USD_PER_CREDIT", "CREDITS_PER_CHARACTER", "CHARACTER_LIMITS"]

_LOGGER = logging.getLogger(__name__)

SERVICE = "ElevenLabs"
KEY_ENV = "ELEVENLABS_API_KEY"
BASE_URL_ENV = "ELEVENLABS_BASE_URL"
DEFAULT_BASE_URL = "https://api.elevenlabs.io"
DEFAULT_VOICE_ID = "JBFqnCBsd6RMkjVDRZzb"  # George; the seed's Rachel is a retired legacy voice
DEFAULT_MODEL = "eleven_multilingual_v2"
MULTILINGUAL_MODEL = "eleven_multilingual_v2"
#: models that speak English only: narration in another language goes to ``MULTILINGUAL_MODEL`` instead
ENGLISH_ONLY_MODELS = frozenset({"eleven_monolingual_v1", "eleven_turbo_v2", "eleven_flash_v2",
                                 "eleven_english_sts_v2"})
#: models that take ``language_code`` (they enforce the language and its text normalization)
LANGUAGE_CODE_MODELS = frozenset({"eleven_turbo_v2_5", "eleven_flash_v2_5"})
#: the studio's languages ``eleven_multilingual_v2`` speaks (its 29 less those the studio does not list)
MULTILINGUAL_LANGUAGES = ("en", "es", "fr", "de", "it", "pt", "nl", "pl", "tr", "sv", "id", "ru", "uk", "el", "ar",
                          "hi", "ta", "zh", "ja", "ko")
#: what other models speak: the v2.5 ones add Vietnamese; v3 speaks every language the studio lists (None)
MODEL_LANGUAGES: dict[str, tuple[str, ...] | None] = {
    "eleven_flash_v2_5": (*MULTILINGUAL_LANGUAGES, "vi"), "eleven_turbo_v2_5": (*MULTILINGUAL_LANGUAGES, "vi"),
    "eleven_v3": None}
OUTPUT_FORMAT = "mp3_44100_128"
STABILITY, SIMILARITY_BOOST = 0.5, 0.75
MIN_SPEED, MAX_SPEED = 0.7, 1.2  # what ElevenLabs' voice_settings.speed accepts
MAX_CONCURRENT = 2  # the free plan's limit; paid plans allow more
READ_TIMEOUT = 60.0
#: credits per character by model family (flash and turbo cost half)
CREDITS_PER_CHARACTER = {"eleven_flash": 0.5, "eleven_turbo": 0.5}
#: API pay-as-you-go: $0.10 per 1,000 characters at 1 credit each
USD_PER_CREDIT = 0.0001
#: characters one request may carry, by model
CHARACTER_LIMITS = {"eleven_v3": 5_000, "eleven_flash_v2_5": 40_000, "eleven_turbo_v2_5": 40_000}
_DEFAULT_CHARACTER_LIMIT = 10_000
_QUOTA_CODES = frozenset({"quota_exceeded", "paid_plan_required", "payment_required",
                          "insufficient_credits", "credits_exhausted"})
_AUTH_CODES = frozenset({"invalid_api_key", "needs_authorization", "missing_api_key", "unauthorized",
                         "detected_unusual_activity", "missing_permissions"})


def words_from_alignment(characters: Sequence[str], starts: Sequence[float], ends: Sequence[float],
                         narration: str = "") -> list[WordTiming]:
    """Word timings from per-character timings: a word runs from its first character's start to its last's end.

    Whitespace separates words. When the characters spell the narration, its own words are used
    (``languages.split_words``: text without spaces, such as Chinese, comes in short pieces); else, when
    the grouping gives as many words as ``narration`` has, the narration's words with those timings.
    """
    spoken = split_words(narration)
    timed = [(c, float(a), float(b)) for ch, a, b in zip(characters, starts, ends, strict=False)
             for c in str(ch or "") if not c.isspace()]
    if spoken and "".join(ch for ch, _, _ in timed) == "".join(spoken):
        out, at = [], 0
        for word in spoken:
            part = timed[at:at + len(word)]
            out.append(WordTiming(word, part[0][1], part[-1][2]))
            at += len(word)
        return out
    words: list[WordTiming] = []
    letters: list[str] = []
    first = last = 0.0
    for ch, start, end in zip(characters, starts, ends, strict=False):
        if ch.isspace() or not ch:
            if letters:
                words.append(WordTiming("".join(letters), first, last))
                letters = []
            continue
        if not letters:
            first = float(start)
        letters.append(ch)
        last = float(end)
    if letters:
        words.append(WordTiming("".join(letters), first, last))
    if spoken and len(spoken) == len(words):
        words = [WordTiming(w, t.start, t.end) for w, t in zip(spoken, words, strict=True)]
    return words




class ElevenLabsVoice(Voice):
    """ElevenLabs text to speech with character timestamps (MP3)."""

    name = "elevenlabs"
    label = SERVICE
    service = "elevenlabs"
    key_env = KEY_ENV
    base_url_env = BASE_URL_ENV
    options = {"elevenlabs_voice_id": DEFAULT_VOICE_ID, "elevenlabs_model": DEFAULT_MODEL}
    #: voices one run asks for at once: ElevenLabs answers 429 past the plan's concurrency (Free 2, Starter 3,
    #: Creator 5, Pro 10; a 429 is waited out and asked again): set VIRALREEL_ELEVENLABS_IN_FLIGHT to the plan's
    max_in_flight = 4
    voice_option = "elevenlabs_voice_id"
    voice_label = "ElevenLabs voice id"  # when the voice list cannot be fetched
    lists_voices = True
    speed_range = (MIN_SPEED, MAX_SPEED)
    languages = MULTILINGUAL_LANGUAGES  # the default model's; ``languages_here`` reads the chosen one

    def __init__(self, api_key: str, *, voice_id: str = DEFAULT_VOICE_ID, model: str = DEFAULT_MODEL,
                 base_url: str | None = None, speed: float = 1.0, stability: float = STABILITY,
                 similarity_boost: float = SIMILARITY_BOOST, output_format: str = OUTPUT_FORMAT,
                 read_timeout: float = READ_TIMEOUT, max_concurrent: int = MAX_CONCURRENT,
                 language: str = AUTO) -> None:
        speed = voice_speed(speed, -math.inf, math.inf)  # any number: ElevenLabs' 0.7–1.2 is clamped below
        self.language = check_language(language)
        self.voice_id = voice_id or DEFAULT_VOICE_ID
        self.model = model or DEFAULT_MODEL
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.speed = round(min(MAX_SPEED, max(MIN_SPEED, speed)), 2)  # ElevenLabs takes 0.7–1.2
        self.stability = stability
        self.similarity_boost = similarity_boost
        self.output_format = output_format
        self.read_timeout = read_timeout
        self._key = api_key
        self._session = make_session(retries=0)  # the pipeline retries (retry.py)
        self._slots = threading.BoundedSemaphore(max(1, max_concurrent))

    @classmethod
    def from_settings(cls, settings: Settings) -> ElevenLabsVoice:
        """The voice for ``settings``: key, ``elevenlabs_voice_id``, ``elevenlabs_model``, ``voice_speed``."""
        return cls(settings.keys.get(cls.service, ""), voice_id=cls.setting(settings, "elevenlabs_voice_id"),
                   model=cls.setting(settings, "elevenlabs_model"), base_url=settings.base_urls.get(cls.service),
                   speed=settings.voice_speed, language=settings.language)


    @classmethod
    def languages_here(cls, settings: Settings) -> tuple[str, ...] | None:
        """What the chosen model speaks (an English-only one gives way to the multilingual one: its languages)."""
        model = str(cls.setting(settings, "elevenlabs_model") or DEFAULT_MODEL)
        return MODEL_LANGUAGES.get(model, MULTILINGUAL_LANGUAGES)

    def __repr__(self) -> str:
        return f"ElevenLabsVoice(voice_id={self.voice_id!r}, model={self.model!r}, endpoint={host_of(self.base_url)!r})"

    # -- provider protocol ---------------------------------------------------------------------
    def cache_params(self) -> dict[str, Any]:
        """Model, voice, voice settings, audio format and the language setting (the text is in the key)."""
        return {"model": self.model, "voice_id": self.voice_id, "speed": self.speed, "stability": self.stability,
                "similarity_boost": self.similarity_boost, "format": self.output_format, "language": self.language}

    def model_for(self, text: str) -> tuple[str, str]:
        """(model id, language code) for speaking ``text``: an English-only model gives way to the
        multilingual one when the text is in another language."""
        code = resolve_language(self.language, text, spoken=True).code
        if code != "en" and self.model in ENGLISH_ONLY_MODELS:
            return MULTILINGUAL_MODEL, code
        return self.model, code

    def unit_cost(self) -> float:
        """Dollars per character with this model."""
        return self.credits_per_character() * USD_PER_CREDIT

    def credits_per_character(self, model: str | None = None) -> float:
        """Credits one character costs with this model (or ``model``)."""
        model = model or self.model
        return next((c for prefix, c in CREDITS_PER_CHARACTER.items() if model.startswith(prefix)), 1.0)

    def estimate_cost(self, text: str) -> float:
        """Dollars to speak ``text``: characters × credits per character × dollars per credit."""
        return round(len(text) * self.credits_per_character(self.model_for(text)[0]) * USD_PER_CREDIT, 8)

    def speak(self, text: str, out_dir: Path) -> VoiceTrack:
        """Speak ``text`` into a new MP3 under ``out_dir``, with word timings from the character alignment."""
        text = " ".join(str(text or "").split())
        if not text:
            raise BadInput("There is no narration to speak.", hint="Write some narration for this scene.")
        model, language = self.model_for(text)
        limit = CHARACTER_LIMITS.get(model, _DEFAULT_CHARACTER_LIMIT)
        if len(text) > limit:
            raise BadInput(f"The narration is {len(text)} characters; {model} takes at most {limit}.",
                           hint="Shorten the narration or split the scene.")
        body: dict[str, Any] = {"text": text, "model_id": model,
                                "voice_settings": {"stability": self.stability,
                                                   "similarity_boost": self.similarity_boost, "speed": self.speed}}
        if model in LANGUAGE_CODE_MODELS:
            body["language_code"] = language
        path = f"/v1/text-to-speech/{quote(self.voice_id, safe='')}/with-timestamps"
        with self._slots:
            response = self._request("POST", path, "speaking the narration", json=body,
                                     params={"output_format": self.output_format})
        try:  # the call was answered and charged: a reply we cannot use still cost this much
            data = json_body(response)
            if not isinstance(data, dict) or not isinstance(data.get("audio_base64"), str):
                raise ProviderError(f"{SERVICE} sent an answer that could not be read (no audio in it).",
                                    provider=self.name, retryable=True, hint="Try again.")
            try:
                audio = base64.b64decode(data["audio_base64"], validate=True)
            except (binascii.Error, ValueError):
                raise ProviderError(f"{SERVICE} sent audio that could not be decoded.", provider=self.name,
                                    retryable=True, hint="Try again.") from None
            audio_path, duration = self._write_audio(audio, Path(out_dir))
        except (ProviderError, OSError) as exc:  # OSError: the answer could not be written (a full disk)
            exc.spent_usd = self._cost(response, text)
            raise
        words = self._words(data, text, duration)
        return VoiceTrack(audio_path=str(audio_path), duration=duration, words=words, provider=self.name,
                          cost_usd=self._cost(response, text))

    def list_voices(self) -> list[tuple[str, str]]:
        """(voice_id, "Name · category") of the voices this key can use."""
        return [(str(v["voice_id"]), f"{v.get('name') or v['voice_id']}"
                 + (f" · {v['category']}" if v.get("category") else "")) for v in self.voices()]

    def voices(self) -> list[dict[str, Any]]:
        """The voices this key can use: ``voice_id``, ``name``, ``category``, ``labels``, ``preview_url``."""
        response = self._request("GET", "/v1/voices", "listing the voices")
        data = json_body(response)
        if not isinstance(data, dict) or not isinstance(data.get("voices"), list):
            raise ProviderError(f"{SERVICE} sent a voice list that could not be read.", provider=self.name,
                                retryable=True, hint="Try again.")
        fields = ("voice_id", "name", "category", "labels", "preview_url")
        return [{f: v.get(f) for f in fields} for v in data["voices"] if isinstance(v, dict) and v.get("voice_id")]

    # -- helpers -------------------------------------------------------------------------------
    def _request(self, method: str, path: str, what: str, **kwargs: Any) -> requests.Response:
        headers = {"xi-api-key": self._key, "Accept": "application/json"}
        with network_errors(SERVICE, provider=self.name, what=what, base_url=self.base_url,
                            base_url_env=BASE_URL_ENV):
            response = self._session.request(method, self.base_url + path, headers=headers,
                                             timeout=timeouts(self.read_timeout), **kwargs)
        if response.status_code >= 400:
            raise self._error(response)
        return response

    def _error(self, response: requests.Response) -> Exception:
        """The service's error answer as one of ours; reads both the newer ``code`` and the older ``status``."""
        status = response.status_code
        detail = json_body(response)
        detail = detail.get("detail", detail) if isinstance(detail, dict) else detail
        code = ""
        if isinstance(detail, dict):
            code = str(detail.get("code") or detail.get("status") or "")
        message = error_detail(detail if detail is not None else response, self._key)
        if code in _QUOTA_CODES or status == 402:
            hint = ("This voice or model needs a paid plan: choose another voice (see the voice list) or upgrade."
                    if code in ("paid_plan_required", "payment_required") or status == 402
                    else "Add credits or upgrade the plan at elevenlabs.io, or choose another voice provider.")
            return QuotaExceeded(f"{SERVICE} says the account is out of credit or plan ({code or status}): {message}",
                                 provider=self.name, hint=hint)
        if code in _AUTH_CODES or status in (401, 403):
            return AuthError(f"{SERVICE} rejected the API key ({code or status}).", provider=self.name,
                             hint=f"Check {KEY_ENV} in the environment or st.secrets.")
        if code == "voice_not_found" or (status == 404 and "voice" in message.lower()):
            return ProviderError(f"{SERVICE} has no voice {self.voice_id!r} for this account.", provider=self.name,
                                 retryable=False, hint="Pick a voice from the voice list (elevenlabs_voice_id).")
        if status == 429:
            wait = "wait for running requests to finish" if "concurrent" in code else "back off"
            return RateLimited(f"{SERVICE} is limiting requests ({code or 429}): {message}", provider=self.name,
                               retry_after=retry_after(response.headers),
                               hint=f"Too many requests at once; {wait} and try again.")
        if code == "max_character_limit_exceeded":
            return ProviderError(f"{SERVICE} says the narration is too long for {self.model}.", provider=self.name,
                                 retryable=False, hint="Shorten the narration.")
        if status == 422:
            return ProviderError(f"{SERVICE} did not accept the request (422): {message}", provider=self.name,
                                 retryable=False, hint="Check the voice settings and the model id.")
        return error_for_status(SERVICE, self.name, status, message, key_env=KEY_ENV, response=response)

    def _write_audio(self, audio: bytes, out_dir: Path) -> tuple[Path, float]:
        path = out_dir / f"voice_elevenlabs_{uuid.uuid4().hex[:16]}.mp3"
        with atomic_path(path) as part:
            part.write_bytes(audio)
            info = playable(part)
            if info is None:
                raise ProviderError(f"{SERVICE} sent audio that cannot be played.", provider=self.name,
                                    retryable=True, hint="Try again.")
        return path, info.duration

    def _words(self, data: dict[str, Any], text: str, duration: float) -> tuple[WordTiming, ...]:
        alignment = data.get("alignment") or data.get("normalized_alignment")
        words: list[WordTiming] = []
        if isinstance(alignment, dict):
            try:
                words = words_from_alignment(alignment["characters"], alignment["character_start_times_seconds"],
                                             alignment["character_end_times_seconds"], narration=text)
            except (KeyError, TypeError, ValueError):
                words = []
        if not words:
            _LOGGER.info("%s gave no usable alignment; estimating word timings", SERVICE)
            words = estimate_word_timings(text, duration)
        return tidy_timings(words, duration)

    def _cost(self, response: requests.Response, text: str) -> float:
        """Dollars this call cost: the ``character-cost`` header (credits) when present, else the estimate."""
        credits = response.headers.get("character-cost")
        try:
            return round(float(credits) * USD_PER_CREDIT, 8) if credits else self.estimate_cost(text)
        except ValueError:
            return self.estimate_cost(text)
