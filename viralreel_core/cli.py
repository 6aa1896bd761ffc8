"""Headless runs: ``python -m viralreel_core make|script|doctor|cache``.

stdout carries JSON (the result, the script, the doctor's report, cache stats); stderr carries progress
bars and messages. Bad input exits with code 2 and one clear line; a failed run exits with 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from . import providers
from .cache import AssetCache
from .config import KEY_ENV_VARS, Settings
from .errors import BadInput, ViralReelError
from .models import ProgressEvent
from .pipeline import Pipeline

__all__ = ["main", "build_parser"]

STEP_LABELS = {"script": "Script", "voice": "Voice", "clips": "Clips", "assemble": "Assemble"}


class _Bars:
    """One tqdm bar per step on stderr, fed by the pipeline's progress events."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.bars: dict[str, tqdm] = {}

    def __call__(self, event: ProgressEvent) -> None:
        if not self.enabled:
            return
        bar = self.bars.get(event.step)
        if bar is None:
            bar = tqdm(total=100, desc=f"{STEP_LABELS.get(event.step, event.step):<9}", file=sys.stderr,
                       bar_format="{desc} {bar} {percentage:3.0f}% {postfix}", leave=True)
            self.bars[event.step] = bar
        bar.n = max(bar.n, round(100 * event.fraction))
        bar.set_postfix_str(event.message[:60], refresh=False)
        bar.refresh()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(prog="python -m viralreel_core",
                                     description="Turn a topic into a short vertical video.")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--scenes", type=int, help="number of scenes, 3–6 (default: the writer chooses)")
        p.add_argument("--tone", default="", help="e.g. funny, serious, inspiring")
        p.add_argument("--seed", type=int, default=0, help="vary the offline script for the same topic")
        p.add_argument("--script-provider", default="auto", help="auto (default), local, openai…")
        p.add_argument("--cache-dir", type=Path, help="asset cache directory (default: ./cache)")

    make = sub.add_parser("make", help="make the video for a topic")
    make.add_argument("topic")
    common(make)
    make.add_argument("--voice-provider", default="auto")
    make.add_argument("--clip-provider", default="auto")
    make.add_argument("--out", type=Path, default=None, help="output folder (default: outputs/)")
    make.add_argument("--width", type=int, default=1080)
    make.add_argument("--height", type=int, default=1920)
    make.add_argument("--no-transitions", action="store_true", help="cut between scenes instead of fading")
    make.add_argument("--quiet", action="store_true", help="no progress bars")

    script = sub.add_parser("script", help="print the script JSON for a topic")
    script.add_argument("topic")
    common(script)

    sub.add_parser("doctor", help="check ffmpeg, the offline voice, the cache and which keys are set")

    cache = sub.add_parser("cache", help="cache statistics or clearing")
    cache.add_argument("action", choices=["stats", "clear"])
    cache.add_argument("--cache-dir", type=Path)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    for name in ("scenes", "tone", "seed", "script_provider", "voice_provider", "clip_provider", "cache_dir",
                 "width", "height"):
        if getattr(args, name, None) is not None:
            overrides[name] = getattr(args, name)
    if getattr(args, "out", None) is not None:
        overrides["output_dir"] = args.out
    if getattr(args, "no_transitions", False):
        overrides["transitions"] = False
    settings = Settings.from_env(**overrides)
    if settings.width < 16 or settings.height < 16 or settings.width % 2 or settings.height % 2:
        raise BadInput(f"A frame of {settings.width}×{settings.height} cannot be encoded.",
                       hint="Use even sizes of at least 16, e.g. --width 1080 --height 1920.")
    for step in providers.STEPS:  # an unknown provider is bad input, before anything starts
        providers.resolve_name(step, {"script": settings.script_provider, "voice": settings.voice_provider,
                                      "clips": settings.clip_provider}[step], settings)
    return settings


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def doctor(settings: Settings) -> dict[str, Any]:
    """What works on this machine: ffmpeg, the offline voice, the cache dir, which keys are set (never values)."""
    report: dict[str, Any] = {}
    try:
        from .ffmpeg import ffmpeg_exe
        report["ffmpeg"] = {"ok": True, "path": ffmpeg_exe()}
    except ViralReelError as exc:
        report["ffmpeg"] = {"ok": False, "error": str(exc)}
    try:
        voice = providers.create("voice", settings, "local")
        report["offline_voice"] = {"ok": True, "model": voice.cache_params().get("model")}
    except (ViralReelError, ImportError) as exc:
        report["offline_voice"] = {"ok": False, "error": str(exc)}
    try:
        settings.cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=settings.cache_dir):
            pass
        report["cache_dir"] = {"ok": True, "path": str(settings.cache_dir)}
    except OSError as exc:
        report["cache_dir"] = {"ok": False, "path": str(settings.cache_dir), "error": str(exc)}
    report["keys"] = {KEY_ENV_VARS[svc]: present for svc, present in settings.keys.present().items()}
    report["providers"] = {step: providers.resolve_name(step, "auto", settings) for step in providers.STEPS}
    report["ok"] = all(part["ok"] for part in (report["ffmpeg"], report["offline_voice"], report["cache_dir"]))
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    bars = _Bars(enabled=not getattr(args, "quiet", False) and args.command == "make")
    try:
        settings = _settings(args)
        if args.command == "doctor":
            report = doctor(settings)
            _print_json(report)
            return 0 if report["ok"] else 1
        if args.command == "cache":
            cache = AssetCache(settings.cache_dir, settings.cache_size_limit)
            if args.action == "clear":
                _print_json({"removed": cache.clear()})
            else:
                _print_json(cache.stats())
            return 0
        pipeline = Pipeline(settings, on_progress=bars)
        if args.command == "script":
            _print_json(pipeline.write_script(args.topic).to_dict())
            return 0
        result = pipeline.make(args.topic, settings.output_dir)
        bars.close()
        if result.video_path:
            Path(result.video_path).with_suffix(".json").write_text(
                json.dumps(result.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        _print_json(result.to_dict())
        if not result.success:
            print(f"error: {result.message}", file=sys.stderr)
        return 0 if result.success else 1
    except BadInput as exc:
        bars.close()
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ViralReelError as exc:
        bars.close()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        bars.close()
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
