"""Where a scene's clip comes from when the chosen stock service has no good match for it.

A stock service that finds nothing fitting raises ``NoGoodFootage`` rather than show a poor match; the
scene then goes to the next source in the person's order, the ``clip_fallback`` option: provider names
separated by commas ("pixabay, openai_images, runway, local"), "none" to skip the scene instead, or
"auto" (the default): the other stock services that have a key, then the offline maker, so that no paid
generator is used unasked::

    fallback_order(settings, "pexels")   # ["pixabay", "local"] with a Pixabay key
"""

from __future__ import annotations

from viralreel_core import providers
from viralreel_core.config import Settings
from viralreel_core.errors import BadInput

__all__ = ["fallback_order", "OPTION"]

OPTION = "clip_fallback"
_NONE = frozenset({"none", "off", "no", "false", ""})


def fallback_order(settings: Settings, primary: str) -> list[str]:
    """The clip providers tried, in turn, after ``primary`` finds no good match for a scene (never ``primary``
    itself); BadInput naming the choices for an unknown name."""
    raw = settings.option(OPTION, "auto")
    names = [str(n).strip() for n in raw] if isinstance(raw, (list, tuple)) else \
        [n.strip() for n in str(raw or "").split(",")]
    names = [n for n in names if n]
    if not names or (len(names) == 1 and names[0].lower() in _NONE):
        return []
    if len(names) == 1 and names[0].lower() == "auto":
        names = [n for n in providers.available("clips")[1:]
                 if getattr(providers.provider_class("clips", n), "uses_search_terms", False)
                 and providers.provider_class("clips", n).auto_ready(settings)] + [providers.FALLBACK]
    order: list[str] = []
    for name in names:
        if name == "auto":
            raise BadInput(f"{OPTION} lists 'auto' beside other names.",
                           hint="Give 'auto', 'none', or clip providers separated by commas.")
        providers.provider_class("clips", name)  # an unknown name is one clear line
        if name != primary and name not in order:
            order.append(name)
    return order

