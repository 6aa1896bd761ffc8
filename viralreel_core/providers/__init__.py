"""Provider registry: which providers exist for each step, and how ``auto`` picks one.

Providers are registered by import path so that heavy dependencies (the neural voice, SDKs) load only
when that provider is used. Tests and plug-ins add their own with ``register``.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..config import KEY_ENV_VARS, Settings
from ..errors import AuthError, BadInput
from .base import ClipMaker, Provider, ScriptRequest, ScriptWriter, Voice

__all__ = [
    "ClipMaker", "Provider", "ScriptRequest", "ScriptWriter", "Voice",
    "STEPS", "available", "create", "provider_class", "register", "resolve_name",
]

STEPS = ("script", "voice", "clips")

# step -> name -> "module:Class" (or a class, for providers registered at run time)
_REGISTRY: dict[str, dict[str, Any]] = {
    "script": {"local": "viralreel_core.providers.local_script:LocalScriptWriter",
               "openai": "viralreel_core.providers.openai_script:OpenAIScriptWriter"},
    "voice": {"local": "viralreel_core.providers.local_voice:LocalVoice",
              "elevenlabs": "viralreel_core.providers.elevenlabs:ElevenLabsVoice",
              "openai": "viralreel_core.providers.openai_voice:OpenAIVoice"},
    "clips": {"local": "viralreel_core.providers.local_clips:LocalClipMaker",
              "runway": "viralreel_core.providers.runway:RunwayClips",
              "pexels": "viralreel_core.providers.pexels:PexelsClips"},
}
# the order ``auto`` tries: the first whose key is present wins; the offline one needs none
_AUTO_ORDER = {
    "script": ("openai", "local"),
    "voice": ("elevenlabs", "openai", "local"),
    "clips": ("runway", "pexels", "local"),
}


def register(step: str, name: str, target: str | type[Provider]) -> None:
    """Add (or replace) a provider: ``target`` is a class or a ``"module:Class"`` path."""
    if step not in _REGISTRY:
        raise BadInput(f"Unknown step {step!r}; steps are {', '.join(STEPS)}.")
    _REGISTRY[step][name] = target


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


def resolve_name(step: str, requested: str, settings: Settings) -> str:
    """The provider ``auto`` means for ``step`` under ``settings`` (other names are returned as given)."""
    if requested != "auto":
        provider_class(step, requested)  # validates the name
        return requested
    keys = settings.keys.present()
    for name in _AUTO_ORDER[step]:
        if name not in _REGISTRY[step]:
            continue
        needs = provider_class(step, name).needs_key
        if needs is None or keys.get(needs):
            return name
    return "local"


def create(step: str, settings: Settings, name: str | None = None) -> Provider:
    """A ready provider for ``step``: ``name`` or the setting for that step, ``auto`` resolved."""
    requested = name or {"script": settings.script_provider, "voice": settings.voice_provider,
                         "clips": settings.clip_provider}[step]
    cls = provider_class(step, resolve_name(step, requested, settings))
    if cls.needs_key and not settings.keys.present().get(cls.needs_key):
        raise AuthError(f"The {cls.name} {step} provider needs an API key.",
                        provider=cls.name,
                        hint=f"Set {KEY_ENV_VARS[cls.needs_key]} in the environment or st.secrets, "
                             f"or choose the offline provider 'local'.")
    return cls.from_settings(settings)  # type: ignore[attr-defined]
