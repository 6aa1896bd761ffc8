"""What the HTTP API answers: jobs as JSON, the original design's result, and every error as JSON with the
CLI's one-line message and hint (bad input 400/422, unknown job 404, full queue 429 with Retry-After, an
unreachable job store 503)."""

import re
import sqlite3
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from viralreel_core.api.schemas import ErrorBody, error_body
from viralreel_core.errors import BadInput, ProviderError, QueueFull, ViralReelError
from viralreel_core.jobs import Job

__all__ = ["KIT_NAME", "MEDIA_TYPES", "VIDEO_NAME", "add_error_handlers", "error", "job_json", "original",
           "responses"]

VIDEO_NAME = re.compile(r"viralreel_[A-Za-z0-9_-]+\.mp4")  # matched in full, before the name meets a path
KIT_NAME = re.compile(r"(viralreel_[A-Za-z0-9_-]+)(\.srt|\.vtt|\.jpg|\.post\.json)")  # a video's post kit files
MEDIA_TYPES = {".mp4": "video/mp4", ".srt": "application/x-subrip", ".vtt": "text/vtt", ".jpg": "image/jpeg",
               ".json": "application/json"}
try:  # the Redis client is only needed with VIRALREEL_QUEUE_URL=redis://…
    from redis import RedisError as redis_error
except ImportError:  # pragma: no cover
    redis_error = None


def error(status: int, message: str, hint: str | None = None, kind: str = "Error",
           headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse(jsonable_encoder(error_body(message, hint, kind, **extra)), status_code=status,
                        headers=headers)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI entries of a route's error answers (and 206 for a Range request)."""
    said = {400: "Bad input: the CLI's one-line message and hint", 401: "Missing or wrong API token",
            403: "Only the admin client may do this",
            404: "No such job or video (or another client's)", 409: "The job already ended, or was cancelled",
            416: "The Range is outside the file", 422: "The body or a parameter has the wrong shape or type",
            429: "The queue is full: try again after Retry-After seconds", 500: "The job failed",
            502: "A service (script writer) failed", 503: "The job store cannot be reached (Retry-After)"}
    found: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        if status == 206:
            found[206] = {"description": "Part of the MP4 (a Range request)", "content": {"video/mp4": {}}}
        else:
            found[status] = {"model": ErrorBody, "description": said[status]}
    return found


def job_json(job: Job) -> dict[str, Any]:
    """A job as the API shows it; a finished video's ``video_url`` points at GET /videos/{file}."""
    data = job.public()
    data["status_url"] = f"/jobs/{job.id}"
    if data["result"] and data["result"].get("video_file"):
        data["result"] = {**data["result"], "video_url": f"/videos/{data['result']['video_file']}"}
    if data["result"] and isinstance(data["result"].get("post_kit"), dict):
        data["result"] = {**data["result"], "post_kit": kit_json(data["result"]["post_kit"])}
    return data


def kit_json(kit: dict[str, Any]) -> dict[str, Any]:
    """The post kit as the API shows it: its texts and files, each file with its URL under GET /videos."""
    shown = {k: v for k, v in kit.items() if k != "cover_frame"}  # a cache file: not the API's to serve
    shown["urls"] = {name: f"/videos/{Path(path).name}" for name in ("srt_path", "vtt_path", "cover_path", "json_path")
                     if (path := kit.get(name)) and KIT_NAME.match(Path(path).name)}
    return shown


def original(job: Job) -> dict[str, Any]:
    """The original design's answer to POST /create-video, plus skipped scenes, cost and warnings."""
    result = job.result or {}
    ok = job.state == "succeeded"
    message = result.get("message") if ok else (job.error or {}).get("message") or result.get("message")
    return {"success": ok, "video_url": f"/videos/{result['video_file']}" if ok and result.get("video_file") else None,
            "video_id": result.get("video_id"), "scenes_count": result.get("scenes_count", 0),
            "message": message or job.state, "skipped_scenes": result.get("skipped_scenes", []),
            "cost_usd": result.get("cost_usd", 0.0), "warnings": result.get("warnings", []),
            "stopped_because": result.get("stopped_because", ""), "job_id": job.id, "status_url": f"/jobs/{job.id}",
            "state": job.state, "error": job.error}


def add_error_handlers(app: FastAPI) -> None:
    """Every failure a route can meet, answered as JSON with its status."""
    @app.exception_handler(BadInput)
    async def bad_input(request: Request, exc: BadInput) -> JSONResponse:
        return error(400, exc.message, exc.hint, "BadInput")

    @app.exception_handler(QueueFull)
    async def queue_full(request: Request, exc: QueueFull) -> JSONResponse:
        return error(429, exc.message, exc.hint, "QueueFull", headers={"Retry-After": str(exc.retry_after)},
                      retry_after=exc.retry_after)

    @app.exception_handler(ViralReelError)
    async def failed(request: Request, exc: ViralReelError) -> JSONResponse:
        return error(502 if isinstance(exc, ProviderError) else 500, exc.message, exc.hint, type(exc).__name__)

    @app.exception_handler(sqlite3.Error)
    async def store_unreadable(request: Request, exc: sqlite3.Error) -> JSONResponse:
        return error(503, f"The job database cannot be used ({exc}).", "Check the disk and VIRALREEL_QUEUE_URL.",
                      "QueueUnavailable", headers={"Retry-After": "10"})

    if redis_error is not None:
        @app.exception_handler(redis_error)
        async def redis_down(request: Request, exc: Exception) -> JSONResponse:
            return error(503, "The job queue's Redis cannot be reached.",
                          "Check that redis-server runs and VIRALREEL_QUEUE_URL points at it.", "QueueUnavailable",
                          headers={"Retry-After": "10"})

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
        return error(422, f"{where}: {first.get('msg')}.", "See /docs for the fields this route takes.",
                      "BadInput", detail=exc.errors())

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return error(exc.status_code, str(exc.detail), None, "HTTPError", headers=exc.headers)
