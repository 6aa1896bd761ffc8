"""OpenAI script writer: chat completions with strict JSON-schema output, through the official SDK.

Works with OpenAI and with OpenAI-compatible servers (Ollama, vLLM, LM Studio) given their base URL.
It asks for ``json_schema`` structured output first; a server that rejects it gets the same request in
``json_object`` mode, and the writer remembers that for its later calls. The answer is validated
(scene count, non-empty fields, narration length); a refusal is ContentRejected, a cut-off answer
(``finish_reason == "length"``) a retryable ProviderError. The pipeline retries a failed script under
the one policy (``retry.py``); an empty account (``insufficient_quota``) is never retried.

Example::

    writer = OpenAIScriptWriter(api_key="sk-…")                       # gpt-4o-mini
    script = writer.write(ScriptRequest("Why do cats purr?", scenes=4))
"""

from __future__ import annotations

import json
import logging
import threading
from typing import TYPE_CHECKING, Any

from viralreel_core.config import Settings
from viralreel_core.errors import ContentRejected, ProviderError
from viralreel_core.limits import MAX_SCENES, MIN_SCENES
from viralreel_core.models import Scene, Script
from viralreel_core.providers.base import ScriptRequest, ScriptWriter
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
from viralreel_core.providers.http.transport import host_of, scrub
from viralreel_core.text.languages import ENGLISH, LANGUAGES

if TYPE_CHECKING:
    import openai

__all__ = ["OpenAIScriptWriter", "SCRIPT_SCHEMA", "PRICES_PER_MILLION", "parse_script", "script_messages"]

_LOGGER = logging.getLogger(__name__)

DEFAULT_MODEL = "gpt-4o-mini"
TEMPERATURE = 0.8  # the seed's
MAX_TOKENS = 1000  # the seed's cap; six scenes of JSON fit in about 600
MAX_NARRATION_WORDS = 60  # about 23 s of speech: longer is not a short-video scene
MAX_NARRATION_CHARS = 400
MAX_VISUALS_CHARS = 1000  # Runway's prompt limit
PROMPT_VERSION = "2"  # bump when the prompt changes, so cached scripts are not reused
#: dollars per million (input, output) tokens; third-party figures, check the live price page
PRICES_PER_MILLION = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
}
_TOKENS_PER_SCENE = 90  # an estimate of one scene's JSON, for costs before the call

SCRIPT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "description": "A catchy title, at most 8 words."},
        "scenes": {
            "type": "array",
            "description": "The scenes in order: a hook first, a call to action last.",
            "items": {
                "type": "object",
                "properties": {
                    "visuals": {"type": "string",
                                "description": "One concrete shot: subject, action, setting, light, camera."},
                    "narration": {"type": "string",
                                  "description": "What the voice says in this scene: 8 to 35 words."},
                },
                "required": ["visuals", "narration"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["title", "scenes"],
    "additionalProperties": False,
}

_SYSTEM = """You write scripts for vertical short videos (TikTok, Reels, Shorts) of 20 to 60 seconds.
Answer with JSON only, shaped {{"title": string, "scenes": [{{"visuals": string, "narration": string}}]}}.
Rules:
- {count}. Scene 1 is a hook that stops the scroll; the last scene ends with a call to action.
- narration: what the voice says in that scene, one or two short spoken sentences, 8 to 35 words;
  no stage directions, emojis or hashtags.
- visuals: one concrete shot that a video generator or a stock-footage search can show (subject,
  action, setting, light, camera); no text on screen, no logos, no real people's names.
- title: at most 8 words.
- Language: write the title and every narration in {language}; write the visuals in English (a video
  generator or a stock-footage search reads them).{tone}"""


def script_messages(request: ScriptRequest) -> list[dict[str, str]]:
    """The chat messages for ``request`` (they mention JSON, as ``json_object`` mode requires)."""
    count = (f"Write exactly {request.scenes} scenes" if request.scenes
             else f"Write {MIN_SCENES} to {MAX_SCENES} scenes (4 or 5 suit most topics)")
    tone = f"\n- Tone: {request.tone.strip()}." if request.tone.strip() else ""
    lang = LANGUAGES.get(request.language, ENGLISH)
    language = lang.name if lang.native == lang.name else f"{lang.name} ({lang.native})"
    return [{"role": "system", "content": _SYSTEM.format(count=count, tone=tone, language=language)},
            {"role": "user", "content": f"Topic: {request.topic}"}]


def _response_format(mode: str) -> dict[str, Any]:
    if mode == "json_schema":
        return {"type": "json_schema",
                "json_schema": {"name": "short_video_script", "strict": True, "schema": SCRIPT_SCHEMA}}
    return {"type": "json_object"}


def parse_script(content: str | None, request: ScriptRequest, *, service: str = "OpenAI",
                 provider: str = "openai") -> Script:
    """The Script in a model's JSON answer; a retryable ProviderError saying what is wrong otherwise."""
    def bad(problem: str) -> ProviderError:
        return ProviderError(f"{service} wrote a script that cannot be used: {problem}.", provider=provider,
                             retryable=True, hint="Try again; a new attempt usually works.")

    try:
        data = json.loads(content or "")
    except ValueError:
        raise bad("it is not valid JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("scenes"), list):
        raise bad("it has no list of scenes")
    raw = data["scenes"]
    wanted = request.scenes
    if wanted is not None and len(raw) != wanted:
        raise bad(f"it has {len(raw)} scenes, not the {wanted} asked for")
    if not MIN_SCENES <= len(raw) <= MAX_SCENES:
        raise bad(f"it has {len(raw)} scenes; a script has {MIN_SCENES} to {MAX_SCENES}")
    scenes = []
    for number, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            raise bad(f"scene {number} is not an object")
        visuals = " ".join(str(item.get("visuals") or "").split())
        narration = " ".join(str(item.get("narration") or "").split())
        if not visuals:
            raise bad(f"scene {number} has no visuals")
        if not narration:
            raise bad(f"scene {number} has no narration")
        if len(narration.split()) > MAX_NARRATION_WORDS or len(narration) > MAX_NARRATION_CHARS:
            raise bad(f"scene {number}'s narration is too long ({len(narration.split())} words)")
        scenes.append(Scene(number, visuals[:MAX_VISUALS_CHARS], narration))
    title = " ".join(str(data.get("title") or "").split()) or request.topic
    return Script(topic=request.topic, title=title, scenes=tuple(scenes))


class _SchemaRejected(Exception):
    """The server does not take ``json_schema`` response formats."""


def _rejects_json_schema(exc: openai.BadRequestError) -> bool:
    body = exc.body if isinstance(exc.body, dict) else {}
    text = f"{body.get('message', '')} {body.get('param', '')} {exc.message}".lower()
    return "response_format" in text or "json_schema" in text


class OpenAIScriptWriter(ScriptWriter):
    """Scripts from OpenAI chat completions (or any OpenAI-compatible server)."""

    name = "openai"
    label = LABEL
    service = SERVICE
    key_env = KEY_ENV
    base_url_env = BASE_URL_ENV
    options = {"openai_model": DEFAULT_MODEL}

    def __init__(self, api_key: str, *, model: str = DEFAULT_MODEL, base_url: str | None = None,
                 temperature: float = TEMPERATURE, max_tokens: int = MAX_TOKENS,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self.model = model or DEFAULT_MODEL
        self.base_url = base_url or DEFAULT_BASE_URL
        self.temperature = temperature
        self.max_tokens = max_tokens
        self._secret = api_key
        self._client = make_client(api_key, self.base_url, timeout=timeout)
        self._mode = "json_schema"
        self._lock = threading.Lock()
        self._spent: dict[str, float] = {}  # request → measured dollars, for estimate_cost after the call

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIScriptWriter:
        """The writer for ``settings``: its key, ``openai_model`` and ``OPENAI_BASE_URL``."""
        return cls(settings.keys.get(cls.service, ""), model=settings.option("openai_model"),
                   base_url=settings.base_urls.get(cls.service))


    def __repr__(self) -> str:
        return f"OpenAIScriptWriter(model={self.model!r}, endpoint={host_of(self.base_url)!r})"

    # -- provider protocol ---------------------------------------------------------------------
    def cache_params(self) -> dict[str, Any]:
        """Model, sampling, prompt version and the server (a local model of the same name writes differently)."""
        return {"model": self.model, "temperature": self.temperature, "max_tokens": self.max_tokens,
                "prompt": PROMPT_VERSION, "endpoint": host_of(self.base_url)}

    def unit_cost(self) -> float:
        """Dollars for one script of five scenes."""
        return self._dollars(400, 5 * _TOKENS_PER_SCENE + 30)

    def estimate_cost(self, request: ScriptRequest) -> float:
        """Dollars for ``request``: what it cost if this writer just wrote it, else an estimate from its size."""
        spent = self._spent.get(_request_key(request))
        if spent is not None:
            return spent
        prompt_tokens = sum(len(m["content"]) for m in script_messages(request)) // 4 + 20
        scenes = request.scenes or 5
        return self._dollars(prompt_tokens, scenes * _TOKENS_PER_SCENE + 30)

    def write(self, request: ScriptRequest) -> Script:
        """The script for ``request``; ContentRejected on a refusal, ProviderError on anything unusable."""
        messages = script_messages(request)
        with self._lock:
            mode = self._mode
        try:
            completion = self._complete(messages, mode)
        except _SchemaRejected:
            _LOGGER.info("%s does not take json_schema output; using json_object mode", host_of(self.base_url))
            with self._lock:
                self._mode = mode = "json_object"
            completion = self._complete(messages, mode)
        usage = getattr(completion, "usage", None)
        if usage is not None:
            cost = self._dollars(usage.prompt_tokens or 0, usage.completion_tokens or 0)
            self._spent[_request_key(request)] = cost
        if not completion.choices:
            raise ProviderError("OpenAI answered with no script.", provider=self.name, retryable=True,
                                hint="Try again.")
        choice = completion.choices[0]
        message = choice.message
        if getattr(message, "refusal", None):
            raise ContentRejected(f"OpenAI declined to write this script: {scrub(message.refusal, self._secret)}",
                                  provider=self.name, hint="Rephrase the topic and try again.")
        if choice.finish_reason == "content_filter":
            raise ContentRejected("OpenAI's content filter stopped this script.", provider=self.name,
                                  hint="Rephrase the topic and try again.")
        if choice.finish_reason == "length":
            raise ProviderError(f"OpenAI's script was cut off at the {self.max_tokens}-token limit.",
                                provider=self.name, retryable=True,
                                hint="Try again, or ask for fewer scenes.")
        return parse_script(message.content, request, provider=self.name)

    # -- helpers -------------------------------------------------------------------------------
    def _complete(self, messages: list[dict[str, str]], mode: str) -> Any:
        import openai  # here, not at the top: the registry imports this module just to read the class

        with openai_errors("writing the script", secret=self._secret, base_url=self.base_url, model=self.model):
            try:
                return self._client.chat.completions.create(
                    model=self.model, messages=messages, temperature=self.temperature,  # type: ignore[arg-type]
                    max_tokens=self.max_tokens, response_format=_response_format(mode))  # type: ignore[arg-type]
            except openai.BadRequestError as exc:
                if mode == "json_schema" and _rejects_json_schema(exc):
                    raise _SchemaRejected from None
                raise

    def _dollars(self, prompt_tokens: int, completion_tokens: int) -> float:
        prices = PRICES_PER_MILLION.get(self.model)
        if prices is None:
            if self.base_url != DEFAULT_BASE_URL:
                return 0.0  # a local or third-party server with its own pricing: we cannot know it
            prices = PRICES_PER_MILLION[DEFAULT_MODEL]
        return round((prompt_tokens * prices[0] + completion_tokens * prices[1]) / 1_000_000, 8)


def _request_key(request: ScriptRequest) -> str:
    return json.dumps(request.to_dict(), sort_keys=True)
