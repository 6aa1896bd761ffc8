"""Headless runs: ``python -m viralreel_core make|script|doctor|cache`` (and ``serve|worker|batch``, in service.py;
``publish|youtube``, in publish.py).

stdout carries JSON (the result, the script, the doctor's report, cache stats); stderr carries progress
bars and messages. Bad input exits with code 2 and one clear line; a failed run exits with 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from viralreel_core import providers
from viralreel_core.cache.store import AssetCache
from viralreel_core.cli import publish as publish_cli
from viralreel_core.cli import service
from viralreel_core.cli.exits import failed
from viralreel_core.config import Settings
from viralreel_core.doctor import doctor
from viralreel_core.environment import in_flight_limits, settings_from_env, use_machine_limits
from viralreel_core.errors import BadInput, ViralReelError
from viralreel_core.limits import MAX_LENGTH, MAX_SCENES, MIN_LENGTH, MIN_SCENES
from viralreel_core.media.aspect import ASPECTS, DEFAULT_ASPECT, aspect_of, frame_for
from viralreel_core.models import ProgressEvent, Scene, Script
from viralreel_core.option_names import CLI_OPTIONS
from viralreel_core.render.caption_styles import PRESETS, caption_style
from viralreel_core.run.checks import check_provider_options, check_settings
from viralreel_core.run.own_script import fill_visuals, visuals_plan
from viralreel_core.run.pipeline import Pipeline
from viralreel_core.run.post_kit import video_language
from viralreel_core.text.script_text import read_script_file, script_from_text
from viralreel_core.text.timing import WORDS_PER_SECOND, estimate_seconds
from viralreel_core.workspace.projects import record_render

__all__ = ["main", "build_parser", "dry_run_plan"]

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
                                     description="Turn a topic into a short video (vertical, square or landscape).")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--scenes", type=int,
                       help=f"number of scenes, {MIN_SCENES}–{MAX_SCENES} (default: the writer chooses, or --length)")
        p.add_argument("--length", type=int, metavar="SECONDS",
                       help=f"the video's target length, {MIN_LENGTH}–{MAX_LENGTH} s: the scenes (unless --scenes) "
                            "and their words follow it at the voice's pace")
        p.add_argument("--tone", default="", help="e.g. funny, serious, inspiring")
        p.add_argument("--seed", type=int, default=0, help="vary the offline script for the same topic")
        p.add_argument("--script-provider", default="auto", help="auto (default), local, openai…")
        p.add_argument("--language", default=None,
                       help="the script's, voice's and captions' language: auto (default, from the topic) or a code "
                            "such as es, hi, zh, ar")
        p.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                       help="a provider's own option, repeatable, e.g. image_model=gpt-image-1-mini, "
                            "image_quality=low, runway_model=gen4_turbo, openai_model=gpt-4o-mini")
        p.add_argument("--cache-dir", type=Path, help="asset cache directory (default: ./cache)")
        p.add_argument("--in-flight", action="append", default=None, metavar="SERVICE=N",
                       help="calls one run keeps waiting on a service at once, repeatable, e.g. runway=2 "
                            "(default: runway 8, elevenlabs 4, others 4; or VIRALREEL_RUNWAY_IN_FLIGHT=2)")
        p.add_argument("--script", dest="script_file", default=None, metavar="FILE",
                       help="your own script instead of a written one: plain text, one paragraph a scene (the "
                            "narration, word for word), or the script JSON as `script` prints it; - reads stdin. "
                            "Scenes without visuals get them from the script writer")

    make = sub.add_parser("make", help="make the video for a topic, or for your own script (--script)")
    make.add_argument("topic", nargs="?", default=None, help="what the video is about (with --script: optional)")
    common(make)
    make.add_argument("--voice-provider", default="auto",
                      help=f"{', '.join(providers.available('voice'))} (default: auto)")
    make.add_argument("--clip-provider", default="auto",
                      help=f"{', '.join(providers.available('clips'))} (default: auto)")
    make.add_argument("--out", type=Path, default=None, help="output folder (default: outputs/)")
    make.add_argument("--aspect", default=None, help=f"frame shape: {', '.join(ASPECTS)} (default {DEFAULT_ASPECT}); "
                                                     "full HD on the short side, e.g. 16:9 is 1920×1080")
    make.add_argument("--width", type=int, default=None,
                      help="frame width in pixels (with --aspect: the height follows the ratio)")
    make.add_argument("--height", type=int, default=None,
                      help="frame height in pixels (with --aspect: the width follows the ratio)")
    make.add_argument("--no-transitions", action="store_true", help="plain cuts between scenes (no arrival push)")
    make.add_argument("--caption-style", default=None, metavar="NAME",
                      help=f"the captions' look: {', '.join(PRESETS)} (default classic)")
    make.add_argument("--music", default=None,
                      help="background music: calm, lofi, upbeat (shipped, CC0) or an MP3, OGG, WAV or M4A file's path")
    make.add_argument("--music-volume", type=float, default=None,
                      help="music loudness as a fraction of the voice's, 0–1 (default 0.25 = 12 dB under it)")
    make.add_argument("--quiet", action="store_true", help="no progress bars")
    make.add_argument("--dry-run", action="store_true",
                      help="print the plan and its estimated cost as JSON; call no paid service")

    script = sub.add_parser("script", help="print the script JSON for a topic (with --script: yours, with visuals)")
    script.add_argument("topic", nargs="?", default=None)
    common(script)

    doctor_cmd = sub.add_parser("doctor", help="check ffmpeg, the offline voice, the cache and which keys are set")
    doctor_cmd.add_argument("--cache-dir", type=Path)

    cache = sub.add_parser("cache", help="cache statistics, clearing, or checking every stored file")
    cache.add_argument("action", choices=["stats", "clear", "verify"],
                       help="verify: check every file's size and content hash, dropping damaged entries")
    cache.add_argument("--cache-dir", type=Path)
    service.add_commands(sub)  # serve, worker, batch
    publish_cli.add_commands(sub)  # publish, youtube
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    for name in CLI_OPTIONS:
        if getattr(args, name, None) is not None:
            overrides[name] = getattr(args, name)
    cli_limits = in_flight_limits(_option_pairs(overrides.pop("in_flight", None) or [], "--in-flight"),
                                  lambda name: f"--in-flight {name}")
    if "caption_style" in overrides:  # a preset's name: the whole caption style
        overrides["captions"] = caption_style(overrides.pop("caption_style"))
    if getattr(args, "out", None) is not None:
        overrides["output_dir"] = args.out
    if getattr(args, "no_transitions", False):
        overrides["transitions"] = False
    overrides.update(check_provider_options(_option_pairs(getattr(args, "option", None) or [])))
    settings = settings_from_env(**overrides)
    if cli_limits:  # over the environment's, service by service
        settings = settings.with_(in_flight={**settings.in_flight, **cli_limits})
    width, height = frame_for(getattr(args, "aspect", None), getattr(args, "width", None),
                              getattr(args, "height", None), default=(settings.width, settings.height))
    return check_settings(settings.with_(width=width, height=height))  # the same checks as a job's (checks.py)


def _option_pairs(pairs: Sequence[str], flag: str = "--option") -> dict[str, str]:
    """``--option NAME=VALUE`` flags (or ``flag``'s) as a mapping; BadInput for one without ``=``."""
    options = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            example = "runway=2" if flag == "--in-flight" else "image_model=gpt-image-1-mini"
            raise BadInput(f"{flag} takes NAME=VALUE, not {pair!r}.", hint=f"e.g. {flag} {example}")
        options[name.strip()] = value.strip()
    return options


def _own_script(args: argparse.Namespace) -> Script | None:
    """The person's own script (``--script FILE``, ``-``: stdin), its topic the one given if any; None without."""
    path = getattr(args, "script_file", None)
    if path is None:
        if args.topic is None:
            raise BadInput("Say what the video is about.", hint="Give a topic, or your own script with --script FILE.")
        return None
    text = sys.stdin.read() if path == "-" else read_script_file(path)
    return script_from_text(text, topic=args.topic)


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _print_warnings(lines: Sequence[str]) -> None:
    for line in lines:
        print(f"warning: {line}", file=sys.stderr)


DRY_RUN_SCENES = 5  # assumed when only a paid writer could tell how many scenes there will be
DRY_RUN_NARRATION = " ".join(["words"] * 20)  # a typical scene's narration: 20 words, about 8 s


def dry_run_plan(pipeline: Pipeline, topic: str, own: Script | None = None) -> dict[str, Any]:
    """What ``make`` would do and spend, calling no paid service.

    The script comes from the cache or from an offline writer when possible; with a paid writer the
    scene count is the requested one (or the length's, or 5) and each narration a typical 20 words (or the
    length's). ``own``: the person's
    own script, whose missing visuals a paid writer would write in one call (``own_script.visuals_plan``).
    Calls the cache already holds cost nothing and are counted as cached.
    """
    request = pipeline.script_request(topic)  # the topic checked once; the settings were (``_settings``)
    topic, settings = request.topic, pipeline.settings
    writer, voice, maker = (pipeline.provider(step) for step in providers.STEPS)
    if own is not None:
        script, script_cost, script_calls = visuals_plan(pipeline, own)
        source = "your script" if script is not None else "your script; visuals assumed"
    else:
        cached_script = pipeline.cache.get(pipeline.key_for(writer, request.to_dict()))
        if cached_script is not None:
            script, source = Script.from_dict(cached_script.meta).renumbered(), "cache"
        elif writer.offline:
            script, source = pipeline.write_request(request), "offline writer"
        else:
            script, source = None, "assumed"
        script_calls = 0 if script is not None else 1
        script_cost = 0.0 if script is not None else writer.estimate_cost(request)
    narration = " ".join(["words"] * request.words) if request.words else DRY_RUN_NARRATION  # a length's words
    scenes = list((script or own).scenes) if (script or own) else [
        Scene(n, "", narration) for n in range(1, (request.scenes or DRY_RUN_SCENES) + 1)]

    pace = WORDS_PER_SECOND / pipeline.voice_pace()  # the voice's own pace, as a length was planned

    def said(narration: str) -> float:
        return estimate_seconds(narration) * pace

    def cached(provider: Any, value: Any, known: bool) -> bool:
        return known and pipeline.cache.get(pipeline.key_for(provider, value)) is not None

    plan_scenes, voice_cost, clip_cost, voice_cached, clip_cached = [], 0.0, 0.0, 0, 0
    for scene in scenes:
        seconds = pipeline.clip_seconds(scene)
        v_hit = cached(voice, scene.narration, script is not None or own is not None)
        c_hit = cached(maker, {"visuals": scene.visuals, "seconds": seconds}, script is not None)
        v_cost = 0.0 if v_hit else voice.estimate_cost(scene.narration)
        c_cost = 0.0 if c_hit else maker.estimate_cost(seconds)
        voice_cost, clip_cost = voice_cost + v_cost, clip_cost + c_cost
        voice_cached, clip_cached = voice_cached + v_hit, clip_cached + c_hit
        plan_scenes.append({"scene": scene.number, "narration_seconds": round(said(scene.narration), 2),
                            "clip_seconds": seconds, "voice_cost_usd": round(v_cost, 6),
                            "clip_cost_usd": round(c_cost, 6), "voice_cached": v_hit, "clip_cached": c_hit})
    # the post kit's texts: free from an offline writer, else one small call unless the cache has them
    post_script = script or own or Script(topic, topic, tuple(scenes))
    post_cached = writer.offline or ((script or own) is not None and pipeline.cache.get(pipeline.post_key(
        post_script, video_language(settings, [s.narration for s in scenes]))) is not None)
    post_cost = 0.0 if post_cached else writer.estimate_post_cost(post_script)
    return {
        "dry_run": True,
        "topic": topic,
        "providers": {step: p.describe() for step, p in zip(providers.STEPS, (writer, voice, maker), strict=True)},
        "options": {name: settings.option(name) for provider in (writer, voice, maker) for name in provider.options},
        "scenes": len(scenes),
        "frame": {"width": settings.width, "height": settings.height,
                  "aspect": aspect_of(settings.width, settings.height)},
        "script_source": source,
        "estimated_seconds": round(sum(said(s.narration) for s in scenes), 2),
        "steps": {
            "script": {"provider": writer.name, "calls": script_calls, "cost_usd": round(script_cost, 6)},
            "voice": {"provider": voice.name, "calls": len(scenes) - voice_cached, "cached": voice_cached,
                      "characters": sum(len(s.narration) for s in scenes), "cost_usd": round(voice_cost, 6)},
            "clips": {"provider": maker.name, "calls": len(scenes) - clip_cached, "cached": clip_cached,
                      "seconds": sum(p["clip_seconds"] for p in plan_scenes), "cost_usd": round(clip_cost, 6)},
            "post": {"provider": writer.name, "calls": 0 if post_cached else 1, "cost_usd": round(post_cost, 6)},
        },
        "scene_plan": plan_scenes,
        "total_cost_usd": round(script_cost + voice_cost + clip_cost + post_cost, 6),
        "note": "Estimated from list prices; the services' own meters decide the bill.",
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    use_machine_limits()  # VIRALREEL_CPUS / VIRALREEL_MEMORY_MB: every command plans its work with them
    if args.command in service.COMMANDS:
        return service.run(args)
    if args.command in publish_cli.COMMANDS:
        return publish_cli.run(args)
    bars = _Bars(enabled=not getattr(args, "quiet", False) and args.command == "make")
    try:
        settings = _settings(args)
        if args.command == "doctor":
            report = doctor(settings)
            _print_json(report)
            return 0 if report["ok"] else 1
        if args.command == "cache":
            cache = AssetCache(settings.cache_dir, settings.cache_size_limit)
            _print_warnings(cache.warnings)
            try:
                if args.action == "clear":
                    _print_json({"removed": cache.clear()})
                elif args.action == "verify":
                    report = cache.verify()
                    _print_json(report)
                    if report["dropped"]:
                        print(f"dropped {len(report['dropped'])} damaged cache entries; they are made again when "
                              "next needed", file=sys.stderr)
                else:
                    _print_json(cache.stats())
            finally:
                cache.close()
            return 0
        own = _own_script(args)
        topic = own.topic if own is not None else args.topic
        cache = AssetCache(settings.cache_dir, settings.cache_size_limit)
        _print_warnings(cache.warnings)
        if args.command == "make" and args.dry_run:
            _print_json(dry_run_plan(Pipeline(settings, cache), topic, own))
            return 0
        pipeline = Pipeline(settings, cache, on_progress=bars)
        if args.command == "script":
            script = fill_visuals(pipeline, own) if own is not None else pipeline.write_script(topic)
            _print_json(script.to_dict())
            _print_warnings(pipeline.warnings)
            return 0
        result = pipeline.make(topic, settings.output_dir, script=own)
        bars.close()
        if result.video_path:  # the same record and thumbnail the studio keeps, so its Projects page lists it
            try:
                record_render(result.video_path, result.to_dict())
            except (OSError, ViralReelError) as exc:  # e.g. the disk filled up just after the video
                result.warnings.append(f"The video is made, but its record for the Projects page is not ({exc}).")
        _print_json(result.to_dict())
        _print_warnings(result.warnings)
        if not result.success:
            print(f"error: {result.message}", file=sys.stderr)
        return 0 if result.success else 1
    except ViralReelError as exc:
        bars.close()
        return failed(exc)
    except KeyboardInterrupt:
        bars.close()
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
