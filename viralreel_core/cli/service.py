"""The CLI's service commands: ``serve`` (HTTP API), ``worker`` (a job worker), ``batch`` (a CSV of topics)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from viralreel_core.cli.exits import failed
from viralreel_core.environment import queue_config, settings_from_env, youtube_config
from viralreel_core.errors import ViralReelError
from viralreel_core.media import resources

__all__ = ["COMMANDS", "add_commands", "run"]

COMMANDS = ("serve", "worker", "batch")


def add_commands(sub: Any) -> None:
    """Add ``serve``, ``worker`` and ``batch`` to the CLI's subcommands."""
    def folders(p: argparse.ArgumentParser) -> None:
        p.add_argument("--out", type=Path, help="video folder (default: $VIRALREEL_OUTPUT_DIR or outputs/)")
        p.add_argument("--cache-dir", type=Path, help="asset cache directory (default: ./cache)")

    serve = sub.add_parser("serve", help="run the HTTP API (docs at /docs)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=None,
                       help="job threads in this process (default: 1 with the embedded queue, 0 with Redis)")
    folders(serve)

    worker = sub.add_parser("worker", help="run jobs from the queue ($VIRALREEL_QUEUE_URL) until stopped")
    worker.add_argument("--concurrency", type=int, default=1,
                        help="renders and makes at once (memory-heavy: ~1.9 GB and 2 cores each)")
    worker.add_argument("--work-concurrency", type=int, default=None,
                        help="scripts, voices and clips at once (default: as many as --concurrency)")
    folders(worker)

    batch = sub.add_parser("batch", help="one video per row of a CSV (a 'topic' column, optional option columns)")
    batch.add_argument("csv", type=Path)
    batch.add_argument("--results", type=Path, help="results CSV (default: <csv name>_results.csv beside it)")
    batch.add_argument("--workers", type=int, default=None,
                       help="job threads in this process (default: 1 with the embedded queue, 0 with Redis)")
    batch.add_argument("--quiet", action="store_true", help="no progress bar")
    folders(batch)


def _queue(args: argparse.Namespace):
    from viralreel_core.jobs import JobQueue

    overrides = {"output_dir": args.out, "cache_dir": args.cache_dir}
    return JobQueue(queue_config(), settings_from_env(**{k: v for k, v in overrides.items() if v is not None}))


def run(args: argparse.Namespace) -> int:
    """Run one service command; the exit code."""
    quiet = args.command == "batch"  # its progress bar is the output
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "batch":
            from viralreel_core.cli.batch import read_rows

            read_rows(args.csv)  # a file that cannot be a batch is refused before a queue is opened
        queue = _queue(args)
        if args.command in ("worker", "serve"):  # their workers may also take the studio's queued jobs
            from viralreel_core.publish import jobs as publish_jobs
            from viralreel_core.studio import tasks

            tasks.register()
            publish_jobs.register(youtube_config)  # and publish jobs (the OAuth client from this environment)
        if args.command == "worker":
            work = args.concurrency if args.work_concurrency is None else args.work_concurrency
            print(f"worker {queue.worker_id}: {queue.config.public_url()}, {args.concurrency} render(s) and "
                  f"{work} other job(s) at a time", file=sys.stderr)
            resources.freeze_startup()  # imported and registered: later collections skip all of it
            queue.run_worker(args.concurrency, work)
            return 0
        workers = args.workers if args.workers is not None else (1 if queue.embedded else 0)
        if args.command == "serve":
            import uvicorn

            from viralreel_core.api import create_app
            from viralreel_core.api.tokens import ApiTokens

            # a bad entry: exit 2, one line
            app = create_app(queue, workers=workers, tokens=ApiTokens.from_env(os.environ))
            resources.freeze_startup()
            uvicorn.run(app, host=args.host, port=args.port, log_level="info")
            return 0
        from viralreel_core.cli.batch import run_batch

        if workers:
            queue.start(workers)
        elif not queue.live_workers():
            print("warning: no worker is running; start one with: python -m viralreel_core worker", file=sys.stderr)
        try:
            summary = run_batch(queue, args.csv, args.results, show_progress=not args.quiet)
        finally:
            queue.stop()
        print(json.dumps(summary, indent=2))
        return 0 if summary["ok"] else 1
    except ViralReelError as exc:
        return failed(exc)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
