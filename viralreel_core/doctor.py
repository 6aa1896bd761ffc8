"""What works on this machine: ffmpeg, the offline voice, fonts per script, the cache folder, which keys are set,
and whether a local model server (Ollama) answers and which models it has.

One report for every way in: the CLI's ``doctor`` prints it, the API's ``/health`` serves it.
"""

from __future__ import annotations

from typing import Any

from viralreel_core import providers
from viralreel_core.cache.store import AssetCache
from viralreel_core.cache.upkeep import INDEXES, inspect_index
from viralreel_core.config import Settings
from viralreel_core.errors import ViralReelError
from viralreel_core.providers.voice.piper_voices import installed_languages, installed_voice
from viralreel_core.render.fonts import FONT_PACKAGES, script_fonts

__all__ = ["doctor"]


def doctor(settings: Settings) -> dict[str, Any]:
    """What works on this machine: ffmpeg, the offline voice, the cache dir, which keys are set (never values)."""
    report: dict[str, Any] = {}
    try:
        from viralreel_core.media.ffmpeg import ffmpeg_exe
        report["ffmpeg"] = {"ok": True, "path": ffmpeg_exe()}
    except ViralReelError as exc:
        report["ffmpeg"] = {"ok": False, "error": str(exc)}
    try:
        voice = providers.create("voice", settings, "local")
        voice.check()  # type: ignore[attr-defined]
        folder = voice.voices_dir  # type: ignore[attr-defined]
        others = installed_languages(folder)
        # what it speaks offline, by language: the bundled voice (a pip package) and those in the voices folder
        speaks = {"en": voice.cache_params().get("model"),
                  **{c: found[0].name.removesuffix(".onnx") for c in others if (found := installed_voice(c, folder))}}
        report["offline_voice"] = {"ok": True, "model": voice.cache_params().get("model"), "languages": speaks,
                                   "other_languages": others, "voices_dir": str(folder)}
    except (ViralReelError, ImportError) as exc:
        report["offline_voice"] = {"ok": False, "error": str(exc)}
    drawn = script_fonts()
    report["fonts"] = {"scripts": drawn, "missing": [s for s, f in drawn.items() if f is None]}
    if report["fonts"]["missing"]:  # a warning, not a failure: the video is made, those letters are boxes
        report["fonts"]["hint"] = f"Install fonts for them, e.g. apt-get install {FONT_PACKAGES}."
    report["cache_dir"] = _cache_health(settings)
    report["keys"] = {var: bool(settings.keys.get(svc)) for svc, var in providers.key_envs().items()}
    report["providers"] = {step: providers.resolve_name(step, "auto", settings) for step in providers.STEPS}
    # the languages each voice speaks as set up here (``run/language_check.py`` refuses the others up front)
    report["voice_languages"] = {cls.name: list(here) if (here := cls.languages_here(settings)) is not None else "all"
                                 for cls in providers.classes("voice")}  # type: ignore[attr-defined]
    # model servers on this machine (Ollama): optional, so they never make the report fail
    report["servers"] = {cls.name: found for cls in providers.classes() if (found := cls.server_report(settings))}
    report["ok"] = all(part["ok"] for part in (report["ffmpeg"], report["offline_voice"], report["cache_dir"]))
    return report


def _cache_health(settings: Settings) -> dict[str, Any]:
    """The cache folder is writable, its index sound and its files whole (by size); nothing is repaired."""
    for name in INDEXES:
        problem = inspect_index(settings.cache_dir / name)
        if problem is not None:
            return {"ok": False, "path": str(settings.cache_dir),
                    "error": f"The cache index {settings.cache_dir / name / 'cache.db'} is damaged ({problem}). "
                             "Run `python -m viralreel_core cache verify`: it moves the index aside and starts "
                             "a fresh one (what was stored is made again when needed)."}
    try:
        cache = AssetCache(settings.cache_dir, settings.cache_size_limit)
    except ViralReelError as exc:
        return {"ok": False, "path": str(settings.cache_dir), "error": str(exc)}
    try:
        damaged = cache.quick_check()
        report: dict[str, Any] = {"ok": not damaged, "path": str(cache.directory), "entries": len(cache.entry_keys())}
        if cache.warnings:
            report["repaired"] = cache.warnings
        if damaged:
            report["damaged_entries"] = damaged
            report["error"] = (f"{damaged} cached file(s) are missing or damaged. Run `python -m viralreel_core "
                               "cache verify` to drop them; they are made again when next needed.")
        return report
    finally:
        cache.close()
