"""The studio's view of the providers, read from what each one declares (``providers/base.py``).

Which provider each step uses (``auto`` resolved), why it cannot run, its price, whether stopping
cancels its paid work, and the voices it offers. ``Studio`` mixes this in; it needs the studio's
``settings()``, ``pipeline()``, ``keys``, ``errors`` and ``_redact``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from viralreel_core import providers
from viralreel_core.errors import ViralReelError
from viralreel_core.providers.base import Voice

if TYPE_CHECKING:
    from viralreel_core.config import ApiKeys, Settings
    from viralreel_core.run.pipeline import Pipeline

__all__ = ["ProviderChoices"]


class ProviderChoices:
    """Provider questions the pages ask the studio."""

    keys: ApiKeys
    errors: dict[str, list[str]]
    _voice_list: tuple[Any, list[tuple[str, str]]]

    def settings(self) -> Settings:
        raise NotImplementedError

    def pipeline(self) -> Pipeline:
        raise NotImplementedError

    def _redact(self, text: str) -> str:
        raise NotImplementedError

    def provider_names(self) -> dict[str, str]:
        """Per step, the provider actually used (``auto`` resolved)."""
        settings = self.settings()
        chosen = {"script": settings.script_provider, "voice": settings.voice_provider,
                  "clips": settings.clip_provider}
        names = {}
        for step, name in chosen.items():
            try:
                names[step] = providers.resolve_name(step, name, settings)
            except ViralReelError:
                names[step] = name
        return names

    def provider_problem(self, step: str) -> str | None:
        """Why the chosen provider for ``step`` cannot run (e.g. its key is missing), else None."""
        try:
            self.pipeline().provider(step)
        except ViralReelError as exc:
            return self._redact(str(exc))
        return None

    def price_note(self, step: str) -> str | None:
        """What the chosen paid provider for ``step`` charges, as it declares it (e.g. "$0.0001 per
        character"); None when it is free or cannot run."""
        try:
            provider = self.pipeline().provider(step)
            cost = provider.unit_cost()
        except ViralReelError:
            return None
        return f"${cost:.4g} per {provider.cost_unit}" if cost > 0 and provider.cost_unit else None

    def cancels_paid_work(self, step: str) -> bool:
        """Whether the chosen provider for ``step`` declares that stopping cancels its paid work in flight."""
        name = self.provider_names().get(step)  # a render ("assemble") has no provider
        try:
            return name is not None and providers.provider_class(step, name).can_abort
        except ViralReelError:
            return False

    def is_offline(self, step: str) -> bool:
        try:
            return bool(providers.provider_class(step, self.provider_names()[step]).offline)
        except ViralReelError:
            return False

    def option_choices(self, step: str) -> dict[str, list[Any]]:
        """The chosen provider's options that have a fixed set of values (``option_choices``), each with
        its values (the current one first if it is not among them, e.g. from an older project)."""
        try:
            cls = providers.provider_class(step, self.provider_names()[step])
        except ViralReelError:
            return {}
        current = self.settings()
        found = {}
        for option, values in cls.option_choices.items():
            offered = list(values)
            if current.option(option) not in offered:
                offered.insert(0, current.option(option))
            found[option] = offered
        return found

    def voice_class(self) -> type[Voice] | None:
        """The class of the voice provider in use (``auto`` resolved), for its declared voices and speeds."""
        try:
            return providers.provider_class("voice", self.provider_names()["voice"])  # type: ignore[return-value]
        except ViralReelError:
            return None

    def voice_choices(self) -> list[tuple[str, str]]:
        """(id, label) of the voices the chosen voice provider offers; a service's list asked once per key.

        Empty when the provider has no list (or it could not be fetched: the reason is in ``errors``).
        """
        cls = self.voice_class()
        if cls is None or not cls.lists_voices:
            return [(v, v.capitalize()) for v in (cls.voice_names if cls else ())]
        key = self.keys.get(cls.service or "", "")
        if not key:
            return []
        remembered = (cls.name, hash(key))  # the key itself is not kept here
        if self._voice_list[0] != remembered:
            voice: Voice = self.pipeline().provider("voice")  # type: ignore[assignment]
            try:
                labels = voice.list_voices()
            except ViralReelError as exc:
                self.errors["voice"] = [self._redact(f"Could not list the voices: {exc}")]
                labels = []
            self._voice_list = (remembered, labels)
        return list(self._voice_list[1])
