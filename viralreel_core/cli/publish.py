"""The CLI's publishing commands: ``publish VIDEO_ID --youtube`` and ``youtube connect|disconnect|status``.

``publish`` queues a publish job (the API's and the studio's kind) and, with the embedded queue, runs it in
this process, showing the upload's progress on stderr and printing the job's result as JSON on stdout.
``youtube connect`` opens Google's consent page and listens on a loopback address for the answer (an OAuth
client of type "Desktop app" takes any ``http://127.0.0.1:PORT/``); ``--paste`` instead asks for the address
the browser ended on, for a machine without a browser. Nothing here prints a token.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import webbrowser
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

from tqdm import tqdm

from viralreel_core.cli.exits import failed
from viralreel_core.environment import queue_config, settings_from_env, youtube_config
from viralreel_core.errors import AuthError, BadInput, ViralReelError
from viralreel_core.publish.jobs import find_video, register, submit
from viralreel_core.publish.youtube_auth import YouTubeConfig, begin_login, finish_login, read_redirect, revoke
from viralreel_core.publish.youtube_post import PRIVACY, VideoPost, post_defaults

__all__ = ["COMMANDS", "add_commands", "run"]

COMMANDS = ("publish", "youtube")
PASTE_REDIRECT = "http://127.0.0.1:1/"  # nothing listens there: the browser shows the address to copy
CONNECT_WAIT = 300.0  # seconds `youtube connect` waits for Google's answer
_DONE_PAGE = ("<!doctype html><meta charset=utf-8><title>ViralReel</title><body style='font-family:sans-serif'>"
              "<h2>{}</h2><p>You can close this tab and return to the terminal.</p>")


def add_commands(sub: Any) -> None:
    """Add ``publish`` and ``youtube`` to the CLI's subcommands."""
    publish = sub.add_parser("publish", help="publish a finished video (YouTube: a Short when vertical and ≤ 3 min)")
    publish.add_argument("video_id", help="the video_id in make's JSON, or the file's name in the output folder")
    publish.add_argument("--youtube", action="store_true", help="publish to the connected YouTube channel")
    publish.add_argument("--title", help="default: the post kit's title, else the render's")
    publish.add_argument("--description", help="default: the post kit's description")
    publish.add_argument("--tag", action="append", default=None, help="a tag, repeatable (default: the hashtags)")
    publish.add_argument("--privacy", choices=PRIVACY, default="private", help="default: private")
    publish.add_argument("--made-for-kids", action="store_true", help="declare the video made for children")
    publish.add_argument("--no-synthetic", action="store_true",
                         help="do not declare realistic altered or synthetic content (declared by default)")
    publish.add_argument("--no-thumbnail", action="store_true", help="leave the post kit's cover out")
    publish.add_argument("--out", type=Path, help="the video folder (default: $VIRALREEL_OUTPUT_DIR or outputs/)")
    publish.add_argument("--workers", type=int, default=None,
                         help="job threads in this process (default: 1 with the embedded queue, 0 with Redis)")
    publish.add_argument("--quiet", action="store_true", help="no progress bar")

    youtube = sub.add_parser("youtube", help="connect, disconnect or check the YouTube channel (owner only)")
    youtube.add_argument("action", choices=["connect", "disconnect", "status"])
    youtube.add_argument("--paste", action="store_true",
                         help="no loopback listener: paste the address the browser ends on")
    youtube.add_argument("--no-browser", action="store_true", help="print the consent address, do not open it")
    youtube.add_argument("--port", type=int, default=0, help="the loopback port to listen on (default: any free)")


def run(args: argparse.Namespace) -> int:
    """Run ``publish`` or ``youtube``; the exit code (2 bad input, 1 failure)."""
    try:
        config = youtube_config()
        if args.command == "youtube":
            return _youtube(args, config)
        return _publish(args, config)
    except ViralReelError as exc:
        return failed(exc)


# -- connecting ---------------------------------------------------------------------------------------

def _youtube(args: argparse.Namespace, config: YouTubeConfig) -> int:
    store = config.store()
    if args.action == "status":
        tokens = store.load()
        report: dict[str, Any] = {"connected": tokens is not None, "token_file": str(store.path),
                                  "client_configured": config.configured}
        if tokens is not None:
            report.update(connected_at=datetime.fromtimestamp(tokens.connected_at).isoformat(timespec="seconds"),
                          scope=tokens.scope)
        print(json.dumps(report, indent=2))
        return 0
    if args.action == "disconnect":
        tokens = store.load()
        told = bool(tokens) and revoke(config, tokens)
        store.delete()
        if tokens and not told:
            print("warning: Google could not be told; remove the access at myaccount.google.com/permissions",
                  file=sys.stderr)
        print(json.dumps({"connected": False, "revoked": told}, indent=2))
        return 0
    config.check()
    answer = _paste(config, args) if args.paste else _listen(config, args)
    code, state, login = answer
    store.save(finish_login(config, login, code, state))
    print(json.dumps({"connected": True, "token_file": str(store.path)}, indent=2))
    return 0


def _show(url: str, open_browser: bool) -> None:
    print("Open this address in a browser signed in to the channel's Google account, and choose Allow:",
          file=sys.stderr)
    print(f"  {url}", file=sys.stderr, flush=True)
    if open_browser:
        webbrowser.open(url)


def _paste(config: YouTubeConfig, args: argparse.Namespace):
    login = begin_login(config, config.redirect_uri or PASTE_REDIRECT)
    _show(login.url, not args.no_browser)
    print("The page Google sends you to will not load: copy its whole address and paste it here:", file=sys.stderr)
    code, state = read_redirect(sys.stdin.readline())
    return code, state, login


def _listen(config: YouTubeConfig, args: argparse.Namespace):
    """Serve one answer from Google on 127.0.0.1 (the loopback flow)."""
    heard: dict[str, str] = {}

    class Answer(BaseHTTPRequestHandler):
        def log_message(self, format: str, *values: Any) -> None:  # the address holds the code: never logged
            pass

        def do_GET(self) -> None:
            if "code=" not in self.path and "error=" not in self.path:
                self.send_response(404)
                self.end_headers()
                return
            heard["path"] = self.path
            body = _DONE_PAGE.format("ViralReel got Google's answer.").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = HTTPServer(("127.0.0.1", args.port), Answer)
    server.timeout = 1.0
    try:
        login = begin_login(config, f"http://127.0.0.1:{server.server_address[1]}/")
        _show(login.url, not args.no_browser)
        deadline = time.monotonic() + CONNECT_WAIT
        while "path" not in heard:
            if time.monotonic() > deadline:
                raise AuthError("Google's answer did not come within 5 minutes.", provider="youtube",
                                hint="Run youtube connect again (or with --paste on a machine without a browser).")
            server.handle_request()
    finally:
        server.server_close()
    code, state = read_redirect(heard["path"])
    return code, state, login


# -- publishing -----------------------------------------------------------------------------------------

def _publish(args: argparse.Namespace, config: YouTubeConfig) -> int:
    from viralreel_core.jobs import JobQueue  # the queue (Huey) only for this command

    if not args.youtube:
        raise BadInput("Say where to publish.", hint="Add --youtube.")
    settings = settings_from_env(**({"output_dir": args.out} if args.out else {}))
    video = find_video(settings.output_dir, args.video_id)
    kit = post_defaults(video)
    post = VideoPost(video, title=args.title if args.title is not None else kit["title"],
                     description=args.description if args.description is not None else kit["description"],
                     tags=tuple(args.tag if args.tag is not None else kit["tags"]), privacy=args.privacy,
                     made_for_kids=args.made_for_kids, synthetic=not args.no_synthetic,
                     cover_path=None if args.no_thumbnail else kit["cover"])
    queue = JobQueue(queue_config(), settings)
    workers = args.workers if args.workers is not None else (1 if queue.embedded else 0)
    if workers:  # the upload runs here: what it needs is checked before anything is queued
        config.check()
        if not config.store().connected():
            raise AuthError("No YouTube channel is connected.", provider="youtube",
                            hint="Run python -m viralreel_core youtube connect first.")
        register(config)
        queue.start(0, work=workers)
    elif not queue.live_workers():
        print("warning: no worker is running; start one with: python -m viralreel_core worker", file=sys.stderr)
    job = None
    try:
        job = submit(queue, post, video_id=video.stem.rsplit("_", 1)[-1])
        job = _follow(queue, job.id, quiet=args.quiet)
    except KeyboardInterrupt:
        if job is not None:
            queue.cancel(job.id)
        print("interrupted: publish again to go on from where the upload stopped", file=sys.stderr)
        return 130
    finally:
        queue.stop()
    print(json.dumps({"job_id": job.id, "state": job.state, **(job.result or {}), "error": job.error}, indent=2,
                     ensure_ascii=False))
    for line in (job.result or {}).get("warnings") or []:
        print(f"warning: {line}", file=sys.stderr)
    if job.state != "succeeded":
        error = job.error or {}
        print(f"error: {error.get('message') or job.state} {error.get('hint') or ''}".rstrip(), file=sys.stderr)
        return 2 if error.get("type") == "BadInput" else 1
    return 0


def _follow(queue: Any, job_id: str, *, quiet: bool):
    bar = None if quiet else tqdm(total=100, desc="YouTube  ", file=sys.stderr,
                                  bar_format="{desc} {bar} {percentage:3.0f}% {postfix}")
    try:
        while True:
            job = queue.get(job_id)
            if bar is not None and job is not None:
                bar.n = round(100 * float(job.progress.get("fraction") or 0.0))
                bar.set_postfix_str(str(job.progress.get("message") or "")[:60], refresh=False)
                bar.refresh()
            if job is None or job.finished:
                return job
            time.sleep(0.2)
    finally:
        if bar is not None:
            bar.close()
