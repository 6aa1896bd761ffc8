"""A publish as a job on the queue, the same from the CLI (``publish VIDEO_ID --youtube``), the API
(``POST /jobs/{id}/publish``) and the studio: kind ``publish``, in the work lane (it waits on the network).

The job's params hold the video's path and what YouTube is told, never a token: the worker reads the
OAuth client from its environment (or, in the studio's process, the owner's Secrets) and the tokens from
the token file, so a worker elsewhere needs both (see docs/STUDIO.md). Progress is the upload's; the
result is the video's YouTube id and address, with a warning when the cover could not be the thumbnail::

    register()                                            # in every process whose workers may publish
    job = submit(queue, VideoPost(video, "Why cats purr"), video_id="a1b2c3d4")
    queue.wait(job.id).result["url"]                      # https://www.youtube.com/shorts/…
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from viralreel_core.config import Settings
from viralreel_core.errors import BadInput
from viralreel_core.jobs.records import Job
from viralreel_core.jobs.work import register_handler
from viralreel_core.models import ProgressEvent
from viralreel_core.publish.youtube_auth import YouTubeAuth, YouTubeConfig
from viralreel_core.publish.youtube_post import VideoPost, check_post
from viralreel_core.publish.youtube_upload import YouTubeUploader
from viralreel_core.run.pipeline import Pipeline

__all__ = ["KIND", "HANDLER", "PublishHandler", "find_video", "register", "submit"]

KIND = HANDLER = "publish"
_VIDEO_NAME = re.compile(r"viralreel_[\w-]+\.mp4")
_VIDEO_ID = re.compile(r"[0-9a-f]{8}")


def find_video(output_dir: str | Path, video_id: str) -> Path:
    """The render ``video_id`` names in ``output_dir``: the id in a result's JSON (``a1b2c3d4``) or the
    file's name (with or without ``.mp4``); BadInput when there is none. Never a path outside the folder."""
    folder = Path(output_dir).resolve()
    name = str(video_id or "").strip()
    if _VIDEO_ID.fullmatch(name):
        found = sorted(folder.glob(f"viralreel_*_{name}.mp4"))
        path = found[-1] if found else None
    else:
        name = name if name.endswith(".mp4") else f"{name}.mp4"
        path = folder / name if _VIDEO_NAME.fullmatch(name) else None
    if path is None or path.parent != folder or path.is_symlink() or not path.is_file():
        raise BadInput(f"There is no video {video_id!r} in {folder}.",
                       hint="Use the video_id from make's JSON or a file name from that folder (--out for another).")
    return path


def submit(queue: Any, post: VideoPost, *, video_id: str = "", workspace: str = "", client: str | None = None) -> Job:
    """Check ``post`` (BadInput before anything is queued) and queue its publish job."""
    post = check_post(post)
    params = {"handler": HANDLER, "platform": "youtube", "post": post.to_dict(), "video_id": video_id,
              "workspace": workspace}
    return queue.enqueue(Job(id=uuid.uuid4().hex[:12], kind=KIND, params=params, client=client))


class PublishHandler:
    """Runs publish jobs on a worker: the upload, its progress, its result."""

    def __init__(self, config: YouTubeConfig | Callable[[], YouTubeConfig]) -> None:
        self._config = config  # a callable is asked at each job: the OAuth client may be set after the start

    def config(self) -> YouTubeConfig:
        return self._config if isinstance(self._config, YouTubeConfig) else self._config()

    def settings(self, base: Settings, params: dict[str, Any]) -> Settings:
        return base  # nothing of the pipeline's is used: the job only reports progress through it

    def run(self, kind: str, params: dict[str, Any], pipeline: Pipeline) -> dict[str, Any]:
        if params.get("platform") != "youtube":
            raise BadInput(f"Publishing to {params.get('platform')!r} is not supported.", hint="Use youtube.")
        config = self.config()
        config.check()
        post = VideoPost.from_dict(params["post"])

        def progress(fraction: float, message: str) -> None:
            pipeline.on_progress(ProgressEvent("publish", fraction, message))  # raises JobCancelled if cancelled

        uploader = YouTubeUploader(YouTubeAuth(config))
        try:
            result = uploader.publish(post, progress)
        finally:
            uploader.close()
        return {"platform": "youtube", "video_id": params.get("video_id") or "", **result.to_dict()}


def register(config: YouTubeConfig | Callable[[], YouTubeConfig]) -> None:
    """Let this process's workers run publish jobs (``config``: the OAuth client, or what gives it at each job:
    ``environment.youtube_config`` at the edge)."""
    register_handler(HANDLER, PublishHandler(config))
