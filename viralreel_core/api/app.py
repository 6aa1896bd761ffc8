"""The HTTP API (FastAPI): the original design's routes over the job queue.

``create_app(queue)`` builds it; ``serve`` runs it with uvicorn. Every error is JSON with the CLI's
one-line message and hint: bad input 400/422, unknown job 404, full queue 429 with Retry-After.
"""

import asyncio
import re
import secrets
import sqlite3
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Query, Request, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from viralreel_core import providers
from viralreel_core.api.schemas import ScriptBody, VideoBody
from viralreel_core.errors import BadInput, ProviderError, QueueFull, ViralReelError
from viralreel_core.jobs import Job, JobQueue, script_to_api, settings_for
from viralreel_core.media.music import MAX_MUSIC_BYTES, MUSIC_TYPES
from viralreel_core.run.pipeline import Pipeline, validate_topic
from viralreel_core.workspace.music_uploads import store_music

__all__ = ["create_app", "job_json"]

try:  # the Redis client is only needed with VIRALREEL_QUEUE_URL=redis://…
    from redis import RedisError as redis_error
except ImportError:  # pragma: no cover
    redis_error = None

VIDEO_NAME = re.compile(r"^viralreel_[\w-]+\.mp4$")
WAIT_POLL = 0.25  # seconds between looks at a job a "wait": true request is waiting for


def _error(status: int, message: str, hint: str | None = None, kind: str = "Error",
           headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body = {"success": False, "message": f"{message} {hint}" if hint else message,
            "error": {"message": message, "hint": hint, "type": kind}, **extra}
    return JSONResponse(jsonable_encoder(body), status_code=status, headers=headers)


def job_json(job: Job) -> dict[str, Any]:
    """A job as the API shows it; a finished video's ``video_url`` points at GET /videos/{file}."""
    data = job.public()
    data["status_url"] = f"/jobs/{job.id}"
    if data["result"] and data["result"].get("video_file"):
        data["result"] = {**data["result"], "video_url": f"/videos/{data['result']['video_file']}"}
    return data


def _original(job: Job) -> dict[str, Any]:
    """The original design's answer to POST /create-video, plus skipped scenes, cost and warnings."""
    result = job.result or {}
    ok = job.state == "succeeded"
    message = result.get("message") if ok else (job.error or {}).get("message") or result.get("message")
    return {"success": ok, "video_url": f"/videos/{result['video_file']}" if ok and result.get("video_file") else None,
            "video_id": result.get("video_id"), "scenes_count": result.get("scenes_count", 0),
            "message": message or job.state, "skipped_scenes": result.get("skipped_scenes", []),
            "cost_usd": result.get("cost_usd", 0.0), "warnings": result.get("warnings", []),
            "job_id": job.id, "status_url": f"/jobs/{job.id}",
            "state": job.state, "error": job.error}


def create_app(queue: JobQueue, *, workers: int = 0, token: str | None = None) -> FastAPI:
    """The API over ``queue``; ``workers`` > 0 runs that many job threads in this process while it serves."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if workers:
            queue.start(workers)
        try:
            yield
        finally:
            await run_in_threadpool(queue.stop)

    app = FastAPI(title="ViralReel API", version="1",
                  description="Topic → script → voice + clips → captioned vertical MP4, as jobs.", lifespan=lifespan)
    bearer = HTTPBearer(auto_error=False, description="Needed when the server has VIRALREEL_API_TOKEN set.")

    def authorized(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
        if not token:
            return
        given = credentials.credentials if credentials else ""
        if not secrets.compare_digest(given.encode(), token.encode()):
            raise HTTPException(401, "Missing or wrong API token.", headers={"WWW-Authenticate": "Bearer"})

    guard = [Depends(authorized)]

    @app.exception_handler(BadInput)
    async def bad_input(request: Request, exc: BadInput) -> JSONResponse:
        return _error(400, exc.message, exc.hint, "BadInput")

    @app.exception_handler(QueueFull)
    async def queue_full(request: Request, exc: QueueFull) -> JSONResponse:
        return _error(429, exc.message, exc.hint, "QueueFull", headers={"Retry-After": str(exc.retry_after)},
                      retry_after=exc.retry_after)

    @app.exception_handler(ViralReelError)
    async def failed(request: Request, exc: ViralReelError) -> JSONResponse:
        return _error(502 if isinstance(exc, ProviderError) else 500, exc.message, exc.hint, type(exc).__name__)

    @app.exception_handler(sqlite3.Error)
    async def store_unreadable(request: Request, exc: sqlite3.Error) -> JSONResponse:
        return _error(503, f"The job database cannot be used ({exc}).", "Check the disk and VIRALREEL_QUEUE_URL.",
                      "QueueUnavailable", headers={"Retry-After": "10"})

    if redis_error is not None:
        @app.exception_handler(redis_error)
        async def redis_down(request: Request, exc: Exception) -> JSONResponse:
            return _error(503, "The job queue's Redis cannot be reached.",
                          "Check that redis-server runs and VIRALREEL_QUEUE_URL points at it.", "QueueUnavailable",
                          headers={"Retry-After": "10"})

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
        return _error(422, f"{where}: {first.get('msg')}.", "See /docs for the fields this route takes.",
                      "BadInput", detail=exc.errors())

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail), None, "HTTPError", headers=exc.headers)

    def _job_or_404(job_id: str) -> Job:
        job = queue.get(job_id)
        if job is None:
            raise HTTPException(404, f"No job {job_id!r}. GET /jobs lists the recent ones.")
        return job

    @app.get("/health", summary="What works here: ffmpeg, voice model, cache, queue, workers, which keys are set "
             "(200 when all is well, 503 otherwise)")
    def health() -> JSONResponse:
        from viralreel_core.cli.main import doctor  # the CLI's checks, so both report the same things

        report = doctor(queue.settings)
        keys = queue.settings.keys  # which services have keys, never the keys
        report["services"] = {service: bool(keys.get(service)) for service in providers.key_envs()}
        try:
            report["queue"] = queue.health()
        except Exception as exc:  # noqa: BLE001 - a health check reports, it does not fail
            report["queue"] = {"ok": False, "backend": queue.config.backend, "url": queue.config.public_url(),
                               "error": f"The job queue cannot be reached ({type(exc).__name__})."}
        report["workers"] = report["queue"].get("workers", 0)
        report["ok"] = bool(report["ok"] and report["queue"]["ok"])
        return JSONResponse(jsonable_encoder(report), status_code=200 if report["ok"] else 503)

    @app.post("/generate-script", dependencies=guard, summary="A script for a topic (scenes: scene_number, "
              "visuals, narration)")
    def generate_script(body: ScriptBody) -> dict[str, Any]:
        topic = validate_topic(body.topic or "")
        pipeline = Pipeline(settings_for(queue.settings, body.job_options()))
        try:
            return script_to_api(pipeline.write_script(topic, pipeline.settings.scenes))
        finally:
            pipeline.close()
            pipeline.cache.close()

    @app.post("/create-video", dependencies=guard, status_code=202,
              summary="Make a video from a topic or an edited script: 202 {job_id, status_url}; "
                      "with \"wait\": true the finished result")
    async def create_video(body: VideoBody, request: Request) -> JSONResponse:
        params: dict[str, Any] = {"options": body.job_options()}
        if body.script is not None:
            params["script"] = body.script
        else:
            params["topic"] = body.topic or ""
        job = await run_in_threadpool(queue.submit, "make", params)
        if not body.wait:
            return JSONResponse({"job_id": job.id, "status_url": f"/jobs/{job.id}", "state": job.state},
                                status_code=202, headers={"Location": f"/jobs/{job.id}"})
        while not job.finished:
            if await request.is_disconnected():  # nobody is waiting any more; the job carries on
                return JSONResponse({"job_id": job.id, "status_url": f"/jobs/{job.id}"}, status_code=202)
            await asyncio.sleep(WAIT_POLL)
            job = await run_in_threadpool(_job_or_404, job.id)
        status = {"succeeded": 200, "cancelled": 409}.get(job.state, 500)
        return JSONResponse(jsonable_encoder(_original(job)), status_code=status)

    @app.post("/music", dependencies=guard, status_code=201,
              summary=f"Upload a track for the music under the voice ({', '.join(t.upper() for t in MUSIC_TYPES)}, "
                      f"up to {MAX_MUSIC_BYTES // 2**20} MB): its id, usable as create-video's \"music\"")
    def upload_music(file: Annotated[UploadFile, File(description="The audio file.")]) -> dict[str, str]:
        data = file.file.read(MAX_MUSIC_BYTES + 1)  # one byte over is enough to refuse it
        music_id = store_music(queue.settings.music_dir, file.filename or "", data)
        return {"music": music_id, "name": Path(file.filename or "").name}

    @app.get("/jobs", dependencies=guard, summary="The newest jobs first")
    def list_jobs(limit: Annotated[int, Query(ge=1, le=200)] = 20) -> dict[str, Any]:
        return {"jobs": [job_json(j) for j in queue.list(limit)]}

    @app.get("/jobs/{job_id}", dependencies=guard, summary="A job: state, progress, result or error")
    def get_job(job_id: str) -> dict[str, Any]:
        return job_json(_job_or_404(job_id))

    @app.delete("/jobs/{job_id}", dependencies=guard, summary="Cancel a job (its paid work in flight is stopped)")
    def cancel_job(job_id: str) -> JSONResponse:
        job = _job_or_404(job_id)
        if job.finished:
            return _error(409, f"The job already ended ({job.state}).", None, "AlreadyEnded", job=job_json(job))
        job = queue.cancel(job_id) or job
        return JSONResponse(jsonable_encoder(job_json(job)), status_code=200 if job.finished else 202)

    @app.get("/videos/{file}", dependencies=guard, summary="A finished MP4 (Range requests answer 206)",
             response_class=FileResponse)
    def video(file: str) -> FileResponse:
        folder = Path(queue.settings.output_dir).resolve()
        path = (folder / file).resolve()
        if not VIDEO_NAME.match(file) or path.parent != folder or not path.is_file():
            raise HTTPException(404, f"No video {file!r}.")
        return FileResponse(path, media_type="video/mp4", filename=file, content_disposition_type="inline")

    return app
