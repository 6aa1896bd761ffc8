"""Provider registry: which providers exist for each step, and how ``auto`` picks one.

Providers are registered by import path so that a provider's module loads only when it is asked
about. Adding one is its module plus one line in ``_REGISTRY``: everything else (the settings' keys
and base URLs, ``auto``, the sidebar, the pickers) reads what the class declares (``base.Provider``).
Tests and plug-ins add their own with ``register``.

``auto`` picks, in registry order, the first provider of the step whose service has a key and that
declares ``auto``, else the offline ``local`` one. For clips that is AI video (Runway), then free stock
(Pexels, Pixabay); images plus motion are only used when named, so an OpenAI key given for the script
and voice never buys images unasked.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from viralreel_core.errors import AuthError, BadInput
from viralreel_core.limits import PROVIDER_STEPS
from viralreel_core.providers.base import ClipMaker, Provider, ScriptRequest, ScriptWriter, Voice

if TYPE_CHECKING:
    from viralreel_core.config import Settings

__all__ = [
    "ClipMaker", "Provider", "ScriptRequest", "ScriptWriter", "Service", "Voice",
    "STEPS", "available", "classes", "create", "key_envs", "option_defaults", "provider_class", "register",
    "release_resident", "resolve_name", "services", "unregister",
]

STEPS = PROVIDER_STEPS

# step -> name -> "module:Class" (or a class, for providers registered at run time); paid ones in the order
# ``auto`` prefers them
_REGISTRY: dict[str, dict[str, Any]] = {
    "script": {"local": "viralreel_core.providers.script.local_script:LocalScriptWriter",
               "openai": "viralreel_core.providers.script.openai_script:OpenAIScriptWriter"},
    "voice": {"local": "viralreel_core.providers.voice.local_voice:LocalVoice",
              "elevenlabs": "viralreel_core.providers.voice.elevenlabs:ElevenLabsVoice",
              "openai": "viralreel_core.providers.voice.openai_voice:OpenAIVoice"},
    "clips": {"local": "viralreel_core.providers.clips.local_clips:LocalClipMaker",
              "runway": "viralreel_core.providers.clips.runway:RunwayClips",
              "pexels": "viralreel_core.providers.clips.pexels:PexelsClips",
              "pixabay": "viralreel_core.providers.clips.pixabay:PixabayClips",
              "openai_images": "viralreel_core.providers.clips.openai_images:OpenAIImageClips",
              "runway_images": "viralreel_core.providers.clips.runway_images:RunwayImageClips"},
}
FALLBACK = "local"  # what ``auto`` means when no paid service has a key


def release_resident() -> bool:
    """Unload what any provider keeps loaded in this process (a voice model warmed or used by another
    pipeline, e.g. the studio's); True if something was freed. Only modules already imported are asked:
    releasing never loads one."""
    freed = False
    for by_name in _REGISTRY.values():
        for target in by_name.values():
            if isinstance(target, str):
                module_name, _, class_name = target.partition(":")
                target = getattr(sys.modules.get(module_name), class_name, None)
            if target is not None and target.release_all():
                freed = True
    return freed


@dataclass(frozen=True)
class Service:
    """A paid service as its providers declare it: its display name and environment variables."""

    name: str  # the key's name in Settings.keys / base_urls
    label: str
    key_env: str
    base_url_env: str | None


def register(step: str, name: str, target: str | type[Provider]) -> None:
    """Add (or replace) a provider: ``target`` is a class or a ``"module:Class"`` path."""
    if step not in _REGISTRY:
        raise BadInput(f"Unknown step {step!r}; steps are {', '.join(STEPS)}.")
    _REGISTRY[step][name] = target


def unregister(step: str, name: str) -> None:
    """Remove a provider added with ``register`` (tests, plug-ins)."""
    _REGISTRY.get(step, {}).pop(name, None)


def available(step: str) -> list[str]:
    """The provider names one can choose for ``step`` (plus ``auto``)."""
    return ["auto", *_REGISTRY[step]]


def provider_class(step: str, name: str) -> type[Provider]:
    """The class registered as ``name`` for ``step``; BadInput naming the choices if there is none."""
    try:
        target = _REGISTRY[step][name]
    except KeyError:
        choices = ", ".join(available(step)) if step in _REGISTRY else ""
        raise BadInput(f"Unknown {step} provider {name!r}.", hint=f"Choose one of: {choices}.") from None
    if isinstance(target, str):
        module_name, _, class_name = target.partition(":")
        target = getattr(importlib.import_module(module_name), class_name)
        _REGISTRY[step][name] = target
    return target


def classes(step: str | None = None) -> list[type[Provider]]:
    """Every registered provider class (of ``step``, or of all steps), in registry order."""
    steps = STEPS if step is None else (step,)
    return [provider_class(s, name) for s in steps for name in list(_REGISTRY[s])]


def services() -> dict[str, Service]:
    """Every paid service the registered providers name, by service name, in registry order."""
    found: dict[str, Service] = {}
    for cls in classes():
        if cls.service and cls.key_env and cls.service not in found:
            found[cls.service] = Service(cls.service, cls.display_name(), cls.key_env, cls.base_url_env)
    return found


def key_envs() -> dict[str, str]:
    """Service -> the environment variable holding its key."""
    return {name: s.key_env for name, s in services().items()}


def option_defaults() -> dict[str, Any]:
    """Every provider option by name, with the default its provider declares."""
    defaults: dict[str, Any] = {}
    for cls in classes():
        for option, value in cls.options.items():
            defaults.setdefault(option, value)
    return defaults


def resolve_name(step: str, requested: str, settings: Settings) -> str:
    """The provider ``auto`` means for ``step`` under ``settings`` (other names are returned as given)."""
    if requested != "auto":
        provider_class(step, requested)  # validates the name
        return requested
    for name in list(_REGISTRY[step]):
        cls = provider_class(step, name)
        if cls.auto and cls.service and settings.keys.get(cls.service):
            return name
    return FALLBACK


def create(step: str, settings: Settings, name: str | None = None) -> Provider:
    """A ready provider for ``step``: ``name`` or the setting for that step, ``auto`` resolved."""
    requested = name or {"script": settings.script_provider, "voice": settings.voice_provider,
                         "clips": settings.clip_provider}[step]
    cls = provider_class(step, resolve_name(step, requested, settings))
    if cls.service and not settings.keys.get(cls.service):
        raise AuthError(f"The {cls.display_name()} {step} provider needs an API key.",
                        provider=cls.name,
                        hint=f"Set {cls.key_env} in the environment or st.secrets, "
                             f"or choose the offline provider 'local'.")
    return cls.from_settings(settings)
