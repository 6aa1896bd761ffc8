"""The three provider protocols and what every provider declares about itself.

A provider turns text into an asset and knows nothing of the cache: the pipeline asks it for
``cache_params()`` (every setting that changes its output, never a key) and caches the result. (One
exception, opt-in: a clip maker whose paid part outlives one clip is handed the cache, ``use_cache``.)
Everything else the studio needs to know about a provider is a class attribute, read without making
one: its key and base-URL variables, display name, options with their defaults and capabilities (can
it be stopped, its voices, its speed range, its cost unit). Adding a provider is its module plus one
line in the registry (``providers/__init__.py``); docs/DESIGN.md shows how.

Example, a tiny offline voice::

    class Beep(Voice):
        name = "beep"
        label = "Beep"
        offline = True

        @classmethod
        def from_settings(cls, settings):
            return cls()

        def speak(self, text, out_dir):
            path = out_dir / "beep.wav"
            ...  # write audio to path
            return VoiceTrack(str(path), duration=1.0, provider=self.name)
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import requests

from viralreel_core.errors import BadInput
from viralreel_core.models import Clip, Script, VoiceTrack
from viralreel_core.text.timing import WORDS_PER_SECOND

if TYPE_CHECKING:
    from typing import Self

    from viralreel_core.cache.store import AssetCache
    from viralreel_core.config import Settings
    from viralreel_core.post.kit import PostTexts

__all__ = ["Provider", "ScriptRequest", "ScriptWriter", "Voice", "ClipMaker", "voice_speed"]

Work = TypeVar("Work")  # what a step's provider makes something from: a ScriptRequest, a text, seconds


class Provider(ABC, Generic[Work]):
    """What every provider declares about itself, and the two calls every provider answers alike.

    Class attributes (read by the registry, the settings, the sidebar and the pickers, no instance needed):

    * ``step``, ``name`` (its registry name), ``label`` (shown to people), ``version`` (bump when the
      same inputs start giving different output).
    * ``offline``: no network, no key, no cost. A paid one names ``service`` (its key's name in
      ``Settings.keys`` and ``Settings.base_urls``), ``key_env`` and ``base_url_env`` (the environment
      variables, also read from ``st.secrets``); providers of one service share them. A server that needs
      no key (a local model server) names only ``base_url_env`` (its URL is kept under its ``name``) and
      says when ``auto`` may pick it (``auto_ready``).
    * ``options``: the setting names it reads, with its own defaults (``setting`` reads one).
    * ``option_choices``: for options with a fixed set of values, those values (the clips page offers
      them in a picker, e.g. an image model or quality).
    * ``can_abort``: ``abort()`` really stops paid work in flight.
    * ``cost_unit``: what ``unit_cost()`` is per ("character", "second", "script"…).
    * ``max_in_flight``: for a service far away, how many of one run's calls may wait on it at once (its own
      limit, apart from the CPU and memory that bound renders; ``Settings.in_flight`` overrides it by
      service, e.g. ``VIRALREEL_RUNWAY_IN_FLIGHT``). Offline providers are bounded by the CPU slots instead.
    """

    step: ClassVar[str]  # "script" | "voice" | "clips"
    name: ClassVar[str]  # "local", "openai", "elevenlabs", "runway", "pexels"…
    label: ClassVar[str] = ""  # e.g. "ElevenLabs"; empty: the name
    offline: ClassVar[bool] = False  # True: no network, no key, no cost
    service: ClassVar[str | None] = None  # the key's name in Settings.keys; None: needs no key
    key_env: ClassVar[str | None] = None  # e.g. "ELEVENLABS_API_KEY"
    base_url_env: ClassVar[str | None] = None  # e.g. "ELEVENLABS_BASE_URL" (tests point it at a fake)
    options: ClassVar[Mapping[str, Any]] = {}  # setting name -> this provider's default
    option_choices: ClassVar[Mapping[str, tuple[Any, ...]]] = {}  # option -> the values a picker offers
    can_abort: ClassVar[bool] = False
    auto: ClassVar[bool] = True  # False: only when asked for by name (a key meant for another step buys nothing)
    cost_unit: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    max_in_flight: ClassVar[int] = 4  # a service's calls at once per run: a conservative default

    @classmethod
    @abstractmethod
    def from_settings(cls, settings: Settings) -> Self:
        """The provider configured by ``settings`` (its key, base URL and ``options``)."""

    @classmethod
    def setting(cls, settings: Settings, name: str) -> Any:
        """This provider's option ``name`` as ``settings`` set it, else the default it declares."""
        return settings.option(name, cls.options[name])

    @classmethod
    def display_name(cls) -> str:
        return cls.label or cls.name

    @classmethod
    def in_flight(cls, settings: Settings) -> int | None:
        """How many of one run's calls may wait on this provider's service at once (``max_in_flight`` unless
        ``settings.in_flight`` names its service); None for an offline one (the CPU slots bound it)."""
        if cls.offline:
            return None
        return max(1, int(settings.in_flight.get(cls.service or cls.name, cls.max_in_flight)))

    @classmethod
    def base_url(cls, settings: Settings) -> str | None:
        """The base URL ``settings`` give this provider (read from ``base_url_env``); None: its default."""
        return settings.base_urls.get(cls.service or cls.name)

    @classmethod
    def auto_ready(cls, settings: Settings) -> bool:
        """Whether ``auto`` may pick this provider under ``settings``: by default, when its service has a key
        (a keyless one, such as a model server on this machine, asks whether the server answers)."""
        return bool(cls.service and settings.keys.get(cls.service))

    @classmethod
    def server_report(cls, settings: Settings) -> dict[str, Any] | None:
        """For a provider served on this machine (a local model server): whether it answers and what it has,
        for ``doctor``; None for the others."""
        return None

    def cache_params(self) -> dict[str, Any]:
        """Every parameter that changes this provider's output (model, voice, size…), never a key."""
        return {}

    def estimate_cost(self, work: Work) -> float:
        """Dollars making something from ``work`` is expected to cost (free by default)."""
        return 0.0

    def unit_cost(self) -> float:
        """Dollars per ``cost_unit`` with the current options (0 when free)."""
        return 0.0

    def watch(self, report: Callable[[Provider, str, str | None], None] | None) -> None:
        """Be told ``report(provider, task, state)`` whenever a task at the service changes state (``task_state``);
        the pipeline shows it as progress ("Runway: 4 queued by the service")."""
        self._watch = report

    def task_state(self, task: str, state: str | None) -> None:
        """Say what one of this provider's tasks at its service is doing: "queued" (the service holds it behind
        others), "running", or None once it is over (for whoever ``watch``es; nobody by default)."""
        report = getattr(self, "_watch", None)
        if report is not None:
            report(self, task, state)

    def abort(self) -> None:  # noqa: B027 - optional hook, most providers have nothing in flight to stop
        """Stop work in flight as soon as possible (e.g. cancel a paid job); declare ``can_abort`` if it does."""

    def close(self) -> None:
        """Release what this provider opened: every HTTP session or SDK client it holds is closed.

        Found by type rather than declared per provider, so a new provider's sessions are closed too.
        """
        for value in vars(self).values():
            if isinstance(value, requests.Session) or (
                    type(value).__module__.split(".")[0] == "openai" and callable(getattr(value, "close", None))):
                value.close()

    def release(self) -> bool:
        """Free what this provider keeps loaded (e.g. a voice model) until it is next used; True if it freed
        something (nothing by default)."""
        return False

    @classmethod
    def release_all(cls) -> bool:
        """Free what every instance of this provider keeps loaded in this process; True if it freed something."""
        return False

    def warm_up(self) -> float:
        """Load now what the first call would load (e.g. a voice model); the seconds it took (0: nothing)."""
        return 0.0

    def warm(self, text: str = "") -> bool:
        """Whether a call for ``text`` can start at once: nothing to load, or loaded already."""
        return True

    def describe(self) -> str:
        """A short human label, e.g. ``"openai gpt-4o-mini"``."""
        model = self.cache_params().get("model")
        return f"{self.name} {model}" if model else self.name


@dataclass(frozen=True)
class ScriptRequest:
    """What a script writer is asked for."""

    topic: str
    scenes: int | None = None  # 3–20; None lets the writer choose (3–6)
    tone: str = ""
    seed: int = 0
    language: str = "en"  # the code the script is written in (``languages.resolve_language``)
    words: int | None = None  # about how many narration words a scene has (a target length); None: the writer's

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.words is None:  # a request without a length keeps the cache key it always had
            del data["words"]
        return data


class ScriptWriter(Provider[ScriptRequest]):
    """Writes a Script of ``limits.WRITER_SCENES`` scenes (visuals + narration) for a topic.

    ``languages`` names the language codes it writes (None: any the request asks for); asked for another,
    it writes its own and the pipeline says so in one line.
    """

    step = "script"
    cost_unit = "script"
    languages: ClassVar[tuple[str, ...] | None] = None
    post_version: ClassVar[str] = "1"  # bump when ``write_post`` starts giving other texts for the same script
    visuals_version: ClassVar[str] = "1"  # bump when ``write_visuals`` starts giving other visuals for the same text

    @abstractmethod
    def write(self, request: ScriptRequest) -> Script:
        """The script for ``request``; raises ProviderError subclasses on failure."""

    def write_post(self, script: Script, language: str) -> tuple[PostTexts, float]:
        """The post's title, description and hashtags for ``script``, in ``language``, and the dollars they
        cost. By default read from the script itself (``post_plain``), free; a writer with a language
        model writes them."""
        from viralreel_core.providers.script.post_plain import plain_post_texts

        return plain_post_texts(script, language), 0.0

    def estimate_post_cost(self, script: Script) -> float:
        """Dollars ``write_post`` is expected to cost for ``script`` (free by default)."""
        return 0.0

    def write_visuals(self, narrations: Sequence[str], language: str) -> tuple[tuple[str, ...], float]:
        """What each scene shows, for scenes whose narration a person wrote (one visuals text per narration,
        in order, in English for a video generator or a stock search), and the dollars it cost. By default
        read from the narrations' own nouns (``narration_visuals``), free; a writer with a language model
        writes them in one call."""
        from viralreel_core.providers.script.narration_visuals import visuals_for_narrations

        return visuals_for_narrations(narrations), 0.0

    def estimate_visuals_cost(self, narrations: Sequence[str]) -> float:
        """Dollars ``write_visuals`` is expected to cost for ``narrations`` (free by default)."""
        return 0.0


class Voice(Provider[str]):
    """Speaks a narration into an audio file, with word timings when the provider can give them.

    Besides ``Provider``'s attributes a voice declares ``voice_option`` (the option naming its voice,
    None when it has no choice of voice), ``voice_names`` (the voices it offers when the list is fixed; a
    service that lists them itself overrides ``list_voices`` and sets ``lists_voices``; with neither, the
    voice is typed in a field titled ``voice_label`` with ``voice_help``), ``speed_range`` (the speeds
    it takes, so a slider offers no other) and ``words_per_second`` (its pace, measured: ``pace``).

    What it speaks: ``languages`` (codes of ``languages.LANGUAGES``; None: every one), or, when that
    depends on its options or on what is installed, ``languages_here``; ``speaks`` answers for one language
    and may fetch what is missing. ``mixes_languages`` False: it reads each narration in one language, so
    a narration that quotes another script is refused before anything is made (``run/language_check.py``).
    """

    step = "voice"
    cost_unit = "character"
    voice_option: ClassVar[str | None] = None
    voice_label: ClassVar[str] = ""  # how a free-text voice field is titled (no list to pick from)
    voice_help: ClassVar[str] = ""
    voice_names: ClassVar[tuple[str, ...]] = ()
    lists_voices: ClassVar[bool] = False  # True: list_voices() asks the service (needs the key)
    speed_range: ClassVar[tuple[float, float]] = (0.5, 2.0)
    languages: ClassVar[tuple[str, ...] | None] = None
    mixes_languages: ClassVar[bool] = True
    words_per_second: ClassVar[float] = WORDS_PER_SECOND  # its pace at speed 1: how a target length becomes words

    @classmethod
    def pace(cls, settings: Settings) -> float:
        """Words a second this voice says at ``settings.voice_speed`` (held to its ``speed_range``)."""
        low, high = cls.speed_range
        return cls.words_per_second * min(high, max(low, float(settings.voice_speed or 1.0)))

    @classmethod
    def languages_here(cls, settings: Settings) -> tuple[str, ...] | None:
        """The language codes this voice speaks with ``settings`` as they are, fetching nothing (None: all)."""
        return cls.languages

    @classmethod
    def speaks(cls, code: str, settings: Settings, *, fetch: bool = False) -> bool:
        """Whether this voice, set up by ``settings``, speaks language ``code``. ``fetch``: it may get what it
        lacks now (a free download); no key is needed and nothing is paid."""
        here = cls.languages_here(settings)
        return here is None or code in here

    @classmethod
    def language_hint(cls, code: str, settings: Settings) -> str:
        """How to make this voice speak ``code`` when it does not (e.g. where to put a voice file); "" if nothing."""
        return ""

    @abstractmethod
    def speak(self, text: str, out_dir: Path) -> VoiceTrack:
        """Write the spoken ``text`` into a new file under ``out_dir`` and describe it."""

    def list_voices(self) -> list[tuple[str, str]]:
        """(id, label) of the voices one can pick, for a picker."""
        return [(v, v.capitalize()) for v in self.voice_names]


class ClipMaker(Provider[float]):
    """Makes a short video clip from a scene's visuals text (and its narration, when ``uses_narration``).

    ``estimate_cost`` takes the clip's seconds.
    """

    step = "clips"
    cost_unit = "second"
    #: True: ``make`` also takes ``narration=`` (the words the voice says), which then keys the cache too
    uses_narration: ClassVar[bool] = False
    #: True: ``make`` also takes ``topic=`` for a scene after the first (the video's topic, which the first scene
    #: already headlined: ``run.steps.clip_topic``) and ``opening=`` for the first (the seconds the title card
    #: covers, kept clear of its words: ``run.steps.clip_opening``), which then key the cache too
    uses_topic: ClassVar[bool] = False
    #: True: ``make`` also takes ``search_terms=`` (the scene's stock search phrases), which then key the cache too
    uses_search_terms: ClassVar[bool] = False
    #: picks among a library's videos, each shown once per video (``claim`` tells it of the cached ones)
    picks_once: ClassVar[bool] = False

    @abstractmethod
    def make(self, visuals: str, seconds: float, out_dir: Path) -> Clip:
        """Write a clip about ``seconds`` long (at least) for ``visuals`` into a new file under ``out_dir``."""

    def claim(self, key: str) -> None:  # noqa: B027 - optional hook, for makers with ``picks_once``
        """Note that a scene of this run already shows the video ``key`` ("service:id", a cached clip's)."""

    def use_cache(self, cache: AssetCache) -> None:  # noqa: B027 - optional hook, most makers need nothing
        """Given the pipeline's asset cache, for a maker whose paid part outlives one clip (an image that a
        clip of any length reuses) to keep it there; the pipeline caches every maker's clips itself."""


def voice_speed(speed: object, low: float, high: float, service: str = "") -> float:
    """``speed`` as a float within ``low``..``high``; BadInput naming the range otherwise."""
    try:
        value = float(speed)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BadInput(f"Voice speed {speed!r} is not a number.") from None
    if not low <= value <= high:
        where = f" for {service}" if service else ""
        raise BadInput(f"Voice speed {value} is out of range{where}.",
                       hint=f"Use a speed between {low} and {high} (1.0 is normal).")
    return value
