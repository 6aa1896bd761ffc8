"""A person's own script: the narration is theirs, word for word; the visuals of scenes that have none are
written by the run's script writer.

The offline writer reads them from the narration's nouns (free, at once); a writer with a language model
writes all the missing ones in one call, cached by the narrations' content (an unchanged script costs
nothing again) and counted in the run's tally like a script. Nothing else changes: the voice says the
narration as given and the captions show it. Every way in uses this: ``make --script``, the API's
``script``, a batch row's ``script``, the studio's "Paste my own script"::

    script = fill_visuals(pipeline, script_from_text(Path("notes.txt").read_text()))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from viralreel_core.cache.store import cache_key
from viralreel_core.errors import ProviderError
from viralreel_core.models import ProgressEvent, Script
from viralreel_core.providers.base import ScriptWriter
from viralreel_core.providers.http import retry
from viralreel_core.run.post_kit import video_language
from viralreel_core.text.clean import clean_text

if TYPE_CHECKING:
    from viralreel_core.cache.store import AssetCache
    from viralreel_core.config import Settings
    from viralreel_core.providers.base import Provider

__all__ = ["fill_visuals", "visuals_key", "visuals_plan"]

MAX_VISUALS_CHARS = 1000  # Runway's prompt limit, as for a written script's visuals


class Pipeline(Protocol):
    """What filling in visuals needs of the run's pipeline (``pipeline.Pipeline`` is one)."""

    settings: Settings
    cache: AssetCache
    tally: Any  # RunTally
    warnings: list[str]
    on_progress: Callable[[ProgressEvent], None]

    def provider(self, step: str) -> Provider: ...

    def _retrying(self, call: Callable[[], Any], attempts: int) -> Any: ...

    def _counting_failures(self, step: str, call: Callable[[], Any], scene: int | None = None
                           ) -> Callable[[], Any]: ...


def _missing(script: Script) -> list[int]:
    return [i for i, scene in enumerate(script.scenes) if not scene.visuals.strip()]


def visuals_key(pipeline: Pipeline, narrations: Sequence[str], language: str) -> str:
    """The cache key of the visuals this pipeline's writer writes for ``narrations`` in ``language``."""
    writer: ScriptWriter = pipeline.provider("script")  # type: ignore[assignment]
    params = {**writer.cache_params(), "provider_version": writer.version, "visuals_version": writer.visuals_version}
    return cache_key("visuals", writer.name, params, {"narrations": list(narrations), "language": language})


def _with_visuals(script: Script, at: list[int], visuals: Sequence[str]) -> Script:
    if len(visuals) != len(at):
        raise ProviderError(f"The script writer wrote {len(visuals)} visuals for {len(at)} scenes.",
                            hint="Try again, or write the visuals yourself.")
    scenes = list(script.scenes)
    for index, text in zip(at, visuals, strict=True):
        text = " ".join(clean_text(str(text)).split())[:MAX_VISUALS_CHARS]
        if not text:
            raise ProviderError(f"The script writer wrote no visuals for scene {scenes[index].number}.",
                                hint="Try again, or write the visuals yourself.")
        scenes[index] = replace(scenes[index], visuals=text)
    return replace(script, scenes=tuple(scenes))


def fill_visuals(pipeline: Pipeline, script: Script) -> Script:
    """``script`` with visuals written for the scenes that have none (the others, and every narration, as they
    are); retried like a script, then a ProviderError. A script with every visual given asks nothing."""
    at = _missing(script)
    if not at:
        return script
    writer: ScriptWriter = pipeline.provider("script")  # type: ignore[assignment]
    narrations = tuple(script.scenes[i].narration for i in at)
    language = video_language(pipeline.settings, [s.narration for s in script.scenes])
    pipeline.on_progress(ProgressEvent("script", 0.0, f"Writing the visuals of {len(at)} scene(s) with "
                                                      f"{writer.describe()}"))
    if writer.offline:  # read from the words at once: nothing to cache or count
        visuals = writer.write_visuals(narrations, language)[0]
    else:
        def make(work_dir: Path) -> tuple[dict[str, Any], dict[str, Any], float]:
            write = pipeline._counting_failures("script", lambda: writer.write_visuals(narrations, language))
            written, cost = pipeline._retrying(write, retry.SCRIPT_ATTEMPTS)
            checked = _with_visuals(script, at, written)  # a wrong count is never cached
            pipeline.tally.count("script", False, cost)  # counted as it is paid, like a script
            return {"visuals": [checked.scenes[i].visuals for i in at]}, {}, cost

        asset, hit = pipeline.cache.get_or_make(visuals_key(pipeline, narrations, language), "script", make,
                                                label="visuals", notify=pipeline.warnings.append)
        if hit:
            pipeline.tally.count("script", True, asset.cost_usd)
        visuals = asset.meta["visuals"]
    pipeline.on_progress(ProgressEvent("script", 1.0, "Visuals ready"))
    return _with_visuals(script, at, visuals)


def visuals_plan(pipeline: Pipeline, script: Script) -> tuple[Script | None, float, int]:
    """For a dry run: the script with its visuals when they cost nothing (given, offline, or cached), else None,
    with the dollars and calls writing them would take."""
    at = _missing(script)
    if not at:
        return script, 0.0, 0
    writer: ScriptWriter = pipeline.provider("script")  # type: ignore[assignment]
    if writer.offline:
        return fill_visuals(pipeline, script), 0.0, 0
    narrations = tuple(script.scenes[i].narration for i in at)
    language = video_language(pipeline.settings, [s.narration for s in script.scenes])
    cached = pipeline.cache.get(visuals_key(pipeline, narrations, language))
    if cached is not None:
        return _with_visuals(script, at, cached.meta["visuals"]), 0.0, 0
    return None, writer.estimate_visuals_cost(narrations), 1
