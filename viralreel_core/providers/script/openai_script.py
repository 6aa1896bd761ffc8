"""OpenAI script writer: chat completions with strict JSON-schema output, through the official SDK.

Works with OpenAI and with OpenAI-compatible servers (Ollama, vLLM, LM Studio) given their base URL.
It asks for ``json_schema`` structured output first; a server that rejects it gets the same request in
``json_object`` mode, and the writer remembers that for its later calls. The protocol lives in
``ChatScriptWriter``, which the local model server's writer (``ollama_script``) shares. The answer is validated
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
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from viralreel_core.config import Settings
from viralreel_core.errors import BadInput, ContentRejected, ProviderError
from viralreel_core.limits import MAX_SCENES, MIN_SCENES, USUAL_SCENES
from viralreel_core.models import Scene, Script
from viralreel_core.post.kit import PostTexts, tidy_texts
from viralreel_core.providers.base import ScriptRequest, ScriptWriter
from viralreel_core.providers.clips.search_phrases import clean_phrases, phrases_from_text
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
from viralreel_core.providers.script.json_answer import read_answer
from viralreel_core.providers.script.post_plain import plain_post_texts
from viralreel_core.providers.script.visuals_prompt import (
    VISUALS_MAX_TOKENS,
    VISUALS_SCHEMA,
    parse_visuals,
    visuals_messages,
)
from viralreel_core.text.languages import ENGLISH, LANGUAGES

if TYPE_CHECKING:
    import openai

__all__ = ["ChatScriptWriter", "OpenAIScriptWriter", "SCRIPT_SCHEMA", "POST_SCHEMA", "PRICES_PER_MILLION",
           "parse_script", "parse_post", "script_messages", "post_messages"]

_LOGGER = logging.getLogger(__name__)

DEFAULT_MODEL = "gpt-4o-mini"
TEMPERATURE = 0.8  # the seed's
MAX_TOKENS = 1000  # the seed's cap; six scenes of JSON fit in about 600 (a longer script gets more: answer_tokens)
MAX_NARRATION_WORDS = 60  # about 23 s of speech: longer is not a short-video scene (unless asked for: _most_words)
MAX_NARRATION_CHARS = 400
MAX_VISUALS_CHARS = 1000  # Runway's prompt limit
PROMPT_VERSION = "3"  # bump when the prompt changes, so cached scripts are not reused
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
                    "search_terms": {"type": "array", "items": {"type": "string"},
                                     "description": "2 to 4 short English phrases to search stock footage for: "
                                                    "concrete, filmable things (e.g. 'glacier ice')."},
                },
                "required": ["visuals", "narration", "search_terms"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["title", "scenes"],
    "additionalProperties": False,
}

POST_PROMPT_VERSION = "1"  # bump when the post prompt changes, so cached post texts are not reused
POST_MAX_TOKENS = 400  # a title, three sentences and eight hashtags fit in about 150
POST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "description": "At most 100 characters, no hashtags."},
        "description": {"type": "string", "description": "One to three sentences, no hashtags."},
        "hashtags": {"type": "array", "items": {"type": "string"},
                     "description": "3 to 8 hashtags, each starting with #, no spaces."},
    },
    "required": ["title", "description", "hashtags"],
    "additionalProperties": False,
}

_POST_SYSTEM = """You write the post that goes with a short video on YouTube Shorts, TikTok and Instagram Reels.
Answer with JSON only, shaped {{"title": string, "description": string, "hashtags": [string]}}.
Rules:
- title: at most 100 characters (under 70 is best), makes people want to watch; no hashtags, no emojis.
- description: one to three sentences on what the video shows, ending with a question to the viewer; no hashtags.
- hashtags: 3 to 8, each starting with # and without spaces, the most specific first.
- Language: write the title, the description and the hashtags in {language}."""

_SYSTEM = """You write scripts for vertical short videos (TikTok, Reels, Shorts) of 20 to 60 seconds.
Answer with JSON only, shaped {{"title": string, "scenes": [{{"visuals": string, "narration": string,
"search_terms": [string]}}]}}.
Rules:
- {count}. Scene 1 is a hook that stops the scroll; the last scene ends with a call to action.
- narration: what the voice says in that scene, {narration};
  no stage directions, emojis or hashtags.
- visuals: one concrete shot that a video generator or a stock-footage search can show (subject,
  action, setting, light, camera); no text on screen, no logos, no real people's names.
- title: at most 8 words.
- Language: write the title and every narration in {language}; write the visuals in English (a video
  generator or a stock-footage search reads them).
- search_terms: 2 to 4 short phrases (1 to 3 words each) to search a stock-footage library for this scene:
  concrete things a camera can film ("glacier ice", "polar bear swimming"), in English whatever the
  narration's language; no style, camera or mood words ("cinematic", "close-up", "dramatic").{tone}"""


def script_messages(request: ScriptRequest) -> list[dict[str, str]]:
    """The chat messages for ``request`` (they mention JSON, as ``json_object`` mode requires)."""
    count = (f"Write exactly {request.scenes} scenes" if request.scenes
             else f"Write {USUAL_SCENES[0]} to {USUAL_SCENES[-1]} scenes (4 or 5 suit most topics)")
    narration = "one or two short spoken sentences, 8 to 35 words"
    if request.words:  # a target length: the words make the seconds, so the count matters
        low, high = _word_range(request.words)
        narration = (f"about {request.words} words ({low} to {high}) in short spoken sentences, so that the "
                     f"whole video runs to its length")
    tone = f"\n- Tone: {request.tone.strip()}." if request.tone.strip() else ""
    language = _language_name(request.language)
    return [{"role": "system", "content": _SYSTEM.format(count=count, narration=narration, tone=tone,
                                                         language=language)},
            {"role": "user", "content": f"Topic: {request.topic}"}]


def _word_range(words: int) -> tuple[int, int]:
    """The narration words asked for around a scene's share of a target length (±10%)."""
    return max(3, round(words * 0.9)), max(4, round(words * 1.1))


def _most_words(request: ScriptRequest) -> int:
    """The longest narration taken: a short-video scene, or well past the words a long scene was asked for."""
    return max(MAX_NARRATION_WORDS, round((request.words or 0) * 1.6))


def answer_tokens(request: ScriptRequest) -> int:
    """About how many tokens the script's JSON takes: a shot, the narration and the JSON around them a scene."""
    words = request.words or 20
    return (request.scenes or 5) * (_TOKENS_PER_SCENE + round(max(0, words - 20) * 1.4)) + 30


def _language_name(code: str) -> str:
    lang = LANGUAGES.get(code, ENGLISH)
    return lang.name if lang.native == lang.name else f"{lang.name} ({lang.native})"


def post_messages(script: Script, language: str) -> list[dict[str, str]]:
    """The chat messages asking for ``script``'s post texts in ``language`` (they mention JSON)."""
    narration = "\n".join(f"{s.number}. {s.narration}" for s in script.scenes)
    return [{"role": "system", "content": _POST_SYSTEM.format(language=_language_name(language))},
            {"role": "user", "content": f"Video title: {script.title}\nTopic: {script.topic}\nNarration:\n{narration}"}]


def parse_post(content: str | None, script: Script, language: str, *, service: str = "OpenAI",
               provider: str = "openai") -> PostTexts:
    """The post texts in a model's JSON answer, held to the platforms' rules (a short hashtag list is topped
    up from the script's own words); a retryable ProviderError saying what is wrong otherwise."""
    data, bad = read_answer(content, "post texts", service=service, provider=provider)
    if not isinstance(data, dict) or not str(data.get("title") or "").strip():
        raise bad("there is no title")
    tags = data.get("hashtags")
    tags = [str(t) for t in tags] if isinstance(tags, list) else str(tags or "").split()
    try:
        return tidy_texts(str(data["title"]), str(data.get("description") or ""), tags,
                          more=plain_post_texts(script, language).hashtags)
    except BadInput as exc:
        raise bad(exc.message) from None


def _response_format(mode: str, name: str = "short_video_script", schema: dict[str, Any] | None = None
                     ) -> dict[str, Any] | None:
    """The ``response_format`` of ``mode``: "json_schema", "json_object", or "text" (None: none is sent)."""
    if mode == "json_schema":
        return {"type": "json_schema",
                "json_schema": {"name": name, "strict": True, "schema": schema or SCRIPT_SCHEMA}}
    return {"type": "json_object"} if mode == "json_object" else None


def parse_script(content: str | None, request: ScriptRequest, *, service: str = "OpenAI",
                 provider: str = "openai") -> Script:
    """The Script in a model's JSON answer; a retryable ProviderError saying what is wrong otherwise."""
    data, bad = read_answer(content, "a script", service=service, provider=provider, not_json="it is not valid JSON")
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
        most = _most_words(request)
        if len(narration.split()) > most or len(narration) > MAX_NARRATION_CHARS * most // MAX_NARRATION_WORDS:
            raise bad(f"scene {number}'s narration is too long ({len(narration.split())} words)")
        terms = clean_phrases(item.get("search_terms") or ()) or phrases_from_text(visuals)  # a model may omit them
        scenes.append(Scene(number, visuals[:MAX_VISUALS_CHARS], narration, terms))
    title = " ".join(str(data.get("title") or "").split()) or request.topic
    return Script(topic=request.topic, title=title, scenes=tuple(scenes))


class _SchemaRejected(Exception):
    """The server does not take the response format asked for."""


def _rejects_format(exc: openai.BadRequestError) -> bool:
    body = exc.body if isinstance(exc.body, dict) else {}
    text = f"{body.get('message', '')} {body.get('param', '')} {exc.message}".lower()
    return "response_format" in text or "json_schema" in text or "json_object" in text


class ChatScriptWriter(ScriptWriter):
    """Scripts, post texts and visuals from an OpenAI-compatible chat-completions server, through the SDK.

    What differs between servers is declared: ``formats``, the response formats tried in turn (the first a
    server rejects is not asked for again by this writer; "text" sends none and reads the JSON out of the
    answer), the service's name in messages (``label``) and the hints its errors give (``error_hints``,
    see ``openai_errors``). A subclass names itself, its options and its settings (``from_settings``).
    """

    formats: ClassVar[tuple[str, ...]] = ("json_schema", "json_object")
    default_base_url: ClassVar[str] = DEFAULT_BASE_URL
    default_model: ClassVar[str] = DEFAULT_MODEL
    error_hints: ClassVar[Mapping[str, str]] = {}

    def __init__(self, api_key: str, *, model: str | None = None, base_url: str | None = None,
                 temperature: float = TEMPERATURE, max_tokens: int = MAX_TOKENS,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self.model = model or self.default_model
        self.base_url = base_url or self.default_base_url
        self.temperature = temperature
        self.max_tokens = max_tokens
        self._secret = api_key
        self._client = make_client(api_key, self.base_url, timeout=timeout)
        self._mode = self.formats[0]
        self._lock = threading.Lock()
        self._spent: dict[str, float] = {}  # request → measured dollars, for estimate_cost after the call

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={self.model!r}, endpoint={host_of(self.base_url)!r})"

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
        return self._dollars(prompt_tokens, answer_tokens(request))

    def write(self, request: ScriptRequest) -> Script:
        """The script for ``request``; ContentRejected on a refusal, ProviderError on anything unusable."""
        # room for a long script's answer (20 scenes of a 3-minute video take about 2,000 tokens)
        room = max(self.max_tokens, round(answer_tokens(request) * 1.5))
        content, cost = self._answer(script_messages(request), "writing the script", "script",
                                     _response_format, room)
        if cost is not None:
            self._spent[_request_key(request)] = cost
        return parse_script(content, request, service=self.display_name(), provider=self.name)

    def write_post(self, script: Script, language: str) -> tuple[PostTexts, float]:
        """The post's title, description and hashtags, written by the model in one small call, and its cost."""
        def post_format(mode: str) -> dict[str, Any] | None:
            return _response_format(mode, "short_video_post", POST_SCHEMA)

        content, cost = self._answer(post_messages(script, language), "writing the post texts", "post texts",
                                     post_format, POST_MAX_TOKENS)
        return parse_post(content, script, language, service=self.display_name(), provider=self.name), cost or 0.0

    def estimate_post_cost(self, script: Script) -> float:
        """Dollars for the post texts of ``script``, from the size of what is sent and a typical answer."""
        prompt_tokens = sum(len(m["content"]) for m in post_messages(script, "en")) // 4 + 20
        return self._dollars(prompt_tokens, 150)

    def write_visuals(self, narrations: Sequence[str], language: str) -> tuple[tuple[str, ...], float]:
        """One shot per narration, written by the model in one call, and its cost."""
        def visuals_format(mode: str) -> dict[str, Any] | None:
            return _response_format(mode, "short_video_visuals", VISUALS_SCHEMA)

        room = max(VISUALS_MAX_TOKENS, 90 * len(narrations) + 100)  # up to 20 scenes of your own
        content, cost = self._answer(visuals_messages(narrations, language), "writing the visuals", "visuals",
                                     visuals_format, room)
        return parse_visuals(content, len(narrations), service=self.display_name(), provider=self.name), cost or 0.0

    def estimate_visuals_cost(self, narrations: Sequence[str]) -> float:
        """Dollars for the visuals of ``narrations``: what is sent, and about 60 tokens a shot back."""
        prompt_tokens = sum(len(m["content"]) for m in visuals_messages(narrations, "en")) // 4 + 20
        return self._dollars(prompt_tokens, 60 * len(narrations) + 10)

    def _answer(self, messages: list[dict[str, str]], what: str, noun: str,
                response_format: Callable[[str], dict[str, Any] | None], max_tokens: int
                ) -> tuple[str | None, float | None]:
        """The model's JSON answer to ``messages`` and its cost (None: no usage reported); ContentRejected on a
        refusal, a retryable ProviderError on an empty or cut-off answer."""
        with self._lock:
            mode = self._mode
        while True:
            try:
                completion = self._complete(messages, mode, what, response_format, max_tokens)
                break
            except _SchemaRejected:
                after = self.formats[self.formats.index(mode) + 1]
                _LOGGER.info("%s does not take %s output; using %s", host_of(self.base_url), mode, after)
                with self._lock:
                    self._mode = mode = after
        label = self.display_name()
        usage = getattr(completion, "usage", None)
        cost = None if usage is None else self._dollars(usage.prompt_tokens or 0, usage.completion_tokens or 0)
        if not completion.choices:
            raise ProviderError(f"{label} answered with no {noun}.", provider=self.name, retryable=True,
                                hint="Try again.")
        choice = completion.choices[0]
        message = choice.message
        this = f"this {noun}" if noun == "script" else f"the {noun}"
        if getattr(message, "refusal", None):
            raise ContentRejected(f"{label} declined to write {this}: {scrub(message.refusal, self._secret)}",
                                  provider=self.name, hint="Rephrase the topic and try again.")
        if choice.finish_reason == "content_filter":
            raise ContentRejected(f"{label}'s content filter stopped {this}.", provider=self.name,
                                  hint="Rephrase the topic and try again.")
        if choice.finish_reason == "length":
            raise ProviderError(f"{label}'s {noun} was cut off at the {max_tokens}-token limit.",
                                provider=self.name, retryable=True,
                                hint="Try again, or ask for fewer scenes.")
        return message.content, cost

    # -- helpers -------------------------------------------------------------------------------
    def _complete(self, messages: list[dict[str, str]], mode: str, what: str,
                  response_format: Callable[[str], dict[str, Any] | None], max_tokens: int) -> Any:
        import openai  # here, not at the top: the registry imports this module just to read the class

        fmt = response_format(mode)
        extra = {"response_format": fmt} if fmt is not None else {}
        with openai_errors(what, secret=self._secret, base_url=self.base_url, model=self.model, provider=self.name,
                           label=self.display_name(), hints=self.error_hints):
            try:
                return self._client.chat.completions.create(
                    model=self.model, messages=messages, temperature=self.temperature,  # type: ignore[arg-type]
                    max_tokens=max_tokens, **extra)  # type: ignore[arg-type]
            except openai.BadRequestError as exc:
                if mode != self.formats[-1] and _rejects_format(exc):
                    raise _SchemaRejected from None
                raise

    def _dollars(self, prompt_tokens: int, completion_tokens: int) -> float:
        """Dollars for a call of these sizes (0: a server whose prices we do not know)."""
        return 0.0


class OpenAIScriptWriter(ChatScriptWriter):
    """Scripts from OpenAI chat completions (or any OpenAI-compatible server given as ``OPENAI_BASE_URL``)."""

    name = "openai"
    label = LABEL
    service = SERVICE
    key_env = KEY_ENV
    base_url_env = BASE_URL_ENV
    options = {"openai_model": DEFAULT_MODEL}

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIScriptWriter:
        """The writer for ``settings``: its key, ``openai_model`` and ``OPENAI_BASE_URL``."""
        return cls(settings.keys.get(cls.service, ""), model=cls.setting(settings, "openai_model"),
                   base_url=cls.base_url(settings))

    def _dollars(self, prompt_tokens: int, completion_tokens: int) -> float:
        prices = PRICES_PER_MILLION.get(self.model)
        if prices is None:
            if self.base_url != DEFAULT_BASE_URL:
                return 0.0  # a local or third-party server with its own pricing: we cannot know it
            prices = PRICES_PER_MILLION[DEFAULT_MODEL]
        return round((prompt_tokens * prices[0] + completion_tokens * prices[1]) / 1_000_000, 8)


def _request_key(request: ScriptRequest) -> str:
    return json.dumps(request.to_dict(), sort_keys=True)
