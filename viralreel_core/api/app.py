"""The HTTP API (FastAPI): the original design's routes over the job queue.

``create_app(queue)`` builds it; ``serve`` runs it with uvicorn. Every error is JSON with the CLI's
one-line message and hint: bad input 400/422, unknown job 404, full queue 429 with Retry-After.
With tokens set (``tokens.ApiTokens``) the gate checks one before a body is read; each job records its
client's name, and a client sees, cancels and downloads only its own (another's answers 404, as an
unknown id does); the client ``admin`` sees every job.
"""

import asyncio
import re
import sqlite3
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Query, Request, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from viralreel_core import providers
from viralreel_core.api.gate import TokenGate, client_of
from viralreel_core.api.schemas import ErrorBody, PublishBody, ScriptBody, VideoBody, error_body
from viralreel_core.api.tokens import ApiTokens, Client
from viralreel_core.doctor import doctor
from viralreel_core.errors import BadInput, ProviderError, QueueFull, ViralReelError
from viralreel_core.jobs import Job, JobQueue, script_to_api, settings_for
from viralreel_core.media.music import MAX_MUSIC_BYTES, MUSIC_TYPES
from viralreel_core.publish import jobs as publish_jobs
from viralreel_core.publish.youtube_post import VideoPost, post_defaults
from viralreel_core.run.pipeline import Pipeline, validate_topic
from viralreel_core.workspace.music_uploads import store_music

__all__ = ["create_app", "job_json"]

try:  # the Redis client is only needed with VIRALREEL_QUEUE_URL=redis://…
    from redis import RedisError as redis_error
except ImportError:  # pragma: no cover
    redis_error = None

VIDEO_NAME = re.compile(r"viralreel_[A-Za-z0-9_-]+\.mp4")  # matched in full, before the name meets a path
KIT_NAME = re.compile(r"(viralreel_[A-Za-z0-9_-]+)(\.srt|\.vtt|\.jpg|\.post\.json)")  # a video's post kit files
MEDIA_TYPES = {".mp4": "video/mp4", ".srt": "application/x-subrip", ".vtt": "text/vtt", ".jpg": "image/jpeg",
               ".json": "application/json"}
WAIT_POLL = 0.25  # seconds between looks at a job a "wait": true request is waiting for
OWN_JOBS_SCAN = 5000  # a client's newest jobs looked through for the one that made a video


def _error(status: int, message: str, hint: str | None = None, kind: str = "Error",
           headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse(jsonable_encoder(error_body(message, hint, kind, **extra)), status_code=status,
                        headers=headers)


def _responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
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
        data["result"] = {**data["result"], "post_kit": _kit_json(data["result"]["post_kit"])}
    return data


def _kit_json(kit: dict[str, Any]) -> dict[str, Any]:
    """The post kit as the API shows it: its texts and files, each file with its URL under GET /videos."""
    shown = {k: v for k, v in kit.items() if k != "cover_frame"}  # a cache file: not the API's to serve
    shown["urls"] = {name: f"/videos/{Path(path).name}" for name in ("srt_path", "vtt_path", "cover_path", "json_path")
                     if (path := kit.get(name)) and KIT_NAME.match(Path(path).name)}
    return shown


def _original(job: Job) -> dict[str, Any]:
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


def _post_for(job: Job, body: PublishBody, output_dir: Path) -> VideoPost:
    """What to publish for a finished job: its video, and the body's details over the post kit's."""
    result = job.result or {}
    if job.state != "succeeded" or not result.get("video_file"):
        said = f"it is {job.state}" if job.state != "succeeded" else f"a {job.kind} job makes none"
        raise HTTPException(409, f"Job {job.id!r} has no finished video to publish ({said}).")
    video = publish_jobs.find_video(output_dir, result["video_file"])
    script = (job.params.get("script") or {}) if isinstance(job.params.get("script"), dict) else {}
    kit = post_defaults(video, str(script.get("title") or job.params.get("topic") or ""))
    return VideoPost(video, title=body.title if body.title is not None else kit["title"],
                     description=body.description if body.description is not None else kit["description"],
                     tags=tuple(body.tags if body.tags is not None else kit["tags"]), privacy=body.privacy,
                     made_for_kids=body.made_for_kids, synthetic=body.synthetic,
                     cover_path=kit["cover"] if body.thumbnail else None)


def create_app(queue: JobQueue, *, workers: int = 0, token: str | None = None,
               tokens: ApiTokens | None = None) -> FastAPI:
    """The API over ``queue``; ``workers`` > 0 runs that many job threads in this process while it serves.

    ``tokens`` names the clients (``ApiTokens.from_env()``); ``token`` alone is one client, ``admin``.
    With neither, every request is let in and sees every job.
    """
    tokens = tokens if tokens is not None else ApiTokens.single(token)
    publish_jobs.register()  # this process's workers may publish (the OAuth client from the environment)

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
    app.add_middleware(TokenGate, tokens=tokens, router=app.router)  # the token, before any body is read
    bearer = HTTPBearer(auto_error=False, description="Needed when the server has VIRALREEL_API_TOKENS (or "
                                                      "VIRALREEL_API_TOKEN) set.")

    def current_client(request: Request, _: Annotated[Any, Depends(bearer)]) -> Client:
        return client_of(request.scope)  # the gate has checked the token already

    Caller = Annotated[Client, Depends(current_client)]
    guard = [Depends(current_client)]  # routes with no job of their own: the bearer scheme in the OpenAPI document

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

    def _job_or_404(job_id: str, client: Client) -> Job:
        job = queue.get(job_id)
        if job is None or not client.may_see(job.client):  # another client's job is as unknown as a wrong id
            raise HTTPException(404, f"No job {job_id!r}. GET /jobs lists the recent ones.")
        return job

    def _made_by(file: str, client: Client) -> bool:
        if client.admin:
            return True
        return any((job.result or {}).get("video_file") == file
                   for job in queue.list(OWN_JOBS_SCAN, client=client.name))

    @app.get("/health", summary="What works here: ffmpeg, voice model, cache, queue, workers, which keys are set "
             "(200 when all is well, 503 otherwise)",
             responses={503: {"description": "Something is wrong: the same report, with ok false"}})
    def health() -> JSONResponse:
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

    @app.post("/generate-script", summary="A script for a topic (scenes: scene_number, visuals, narration)",
              responses=_responses(400, 401, 422, 500, 502), dependencies=guard)
    def generate_script(body: ScriptBody) -> dict[str, Any]:
        topic = validate_topic(body.topic or "")
        pipeline = Pipeline(settings_for(queue.settings, body.job_options()))
        try:
            script = script_to_api(pipeline.write_script(topic, pipeline.settings.scenes))
            return {**script, "warnings": list(pipeline.warnings)}  # e.g. a draft whose facts are left to fill in
        finally:
            pipeline.close()
            pipeline.cache.close()

    @app.post("/create-video", status_code=202,
              summary="Make a video from a topic or an edited script: 202 {job_id, status_url}; "
                      "with \"wait\": true the finished result",
              responses={200: {"description": "\"wait\": true and the video was made: the original design's "
                                              "JSON"}, **_responses(400, 401, 409, 422, 429, 500, 503)})
    async def create_video(body: VideoBody, request: Request, client: Caller) -> JSONResponse:
        params: dict[str, Any] = {"options": body.job_options()}
        if body.script is not None:
            params["script"] = body.script
        else:
            params["topic"] = body.topic or ""
        job = await run_in_threadpool(queue.submit, "make", params, client=client.name)
        if not body.wait:
            return JSONResponse({"job_id": job.id, "status_url": f"/jobs/{job.id}", "state": job.state},
                                status_code=202, headers={"Location": f"/jobs/{job.id}"})
        while not job.finished:
            if await request.is_disconnected():  # nobody is waiting any more; the job carries on
                return JSONResponse({"job_id": job.id, "status_url": f"/jobs/{job.id}"}, status_code=202)
            await asyncio.sleep(WAIT_POLL)
            job = await run_in_threadpool(_job_or_404, job.id, client)
        status = {"succeeded": 200, "cancelled": 409}.get(job.state, 500)
        return JSONResponse(jsonable_encoder(_original(job)), status_code=status)

    @app.post("/jobs/{job_id}/publish", status_code=202, responses=_responses(400, 401, 403, 404, 409, 422, 429, 503),
              summary="Publish the video a finished job made (YouTube: a Short when vertical and up to 3 min; "
                      "private by default): 202 {job_id, status_url} of the publish job; with \"wait\": true "
                      "the finished publish job")
    async def publish(job_id: str, body: PublishBody, request: Request, caller: Caller) -> JSONResponse:
        if not caller.admin:  # the server's channel is its owner's: other clients make videos, not posts
            raise HTTPException(403, "Only the admin client may publish to this server's YouTube channel.")
        if not body.youtube:
            raise BadInput("Say where to publish.", hint='Send {"youtube": true}.')
        made = await run_in_threadpool(_job_or_404, job_id, caller)
        post = await run_in_threadpool(_post_for, made, body, Path(queue.settings.output_dir))
        video_id = str((made.result or {}).get("video_id") or "")
        job = await run_in_threadpool(lambda: publish_jobs.submit(queue, post, video_id=video_id, client=caller.name))
        while body.wait and not job.finished:
            if await request.is_disconnected():
                break
            await asyncio.sleep(WAIT_POLL)
            job = await run_in_threadpool(_job_or_404, job.id, caller)
        if not job.finished:
            return JSONResponse({"job_id": job.id, "status_url": f"/jobs/{job.id}", "state": job.state},
                                status_code=202, headers={"Location": f"/jobs/{job.id}"})
        status = {"succeeded": 200, "cancelled": 409}.get(job.state, 502)
        return JSONResponse(jsonable_encoder(job_json(job)), status_code=status)

    @app.post("/music", status_code=201,
              summary=f"Upload a track for the music under the voice ({', '.join(t.upper() for t in MUSIC_TYPES)}, "
                      f"up to {MAX_MUSIC_BYTES // 2**20} MB): its id, usable as create-video's \"music\"",
              responses=_responses(400, 401, 422), dependencies=guard)
    def upload_music(file: Annotated[UploadFile, File(description="The audio file.")]) -> dict[str, str]:
        data = file.file.read(MAX_MUSIC_BYTES + 1)  # one byte over is enough to refuse it
        music_id = store_music(queue.settings.music_dir, file.filename or "", data)
        return {"music": music_id, "name": Path(file.filename or "").name}

    @app.get("/jobs", summary="The newest jobs first (a client's own; admin: everyone's)",
             responses=_responses(401, 422, 503))
    def list_jobs(client: Caller, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> dict[str, Any]:
        return {"jobs": [job_json(j) for j in queue.list(limit, client=None if client.admin else client.name)]}

    @app.get("/jobs/{job_id}", summary="A job: state, progress, result or error", responses=_responses(401, 404, 503))
    def get_job(job_id: str, client: Caller) -> dict[str, Any]:
        return job_json(_job_or_404(job_id, client))

    @app.delete("/jobs/{job_id}", summary="Cancel a job (its paid work in flight is stopped): 200 cancelled, "
                "202 asked to stop", responses={202: {"description": "A running job was asked to stop"},
                                               **_responses(401, 404, 409, 503)})
    def cancel_job(job_id: str, client: Caller) -> JSONResponse:
        job = _job_or_404(job_id, client)
        if job.finished:
            return _error(409, f"The job already ended ({job.state}).", None, "AlreadyEnded", job=job_json(job))
        job = queue.cancel(job_id) or job
        return JSONResponse(jsonable_encoder(job_json(job)), status_code=200 if job.finished else 202)

    @app.get("/videos/{file}", summary="A finished MP4 (Range requests answer 206), or a file of its post kit "
             "(.srt, .vtt, .jpg, .post.json)", response_class=FileResponse,
             responses={200: {"content": {"video/mp4": {}}}, **_responses(206, 401, 404, 416, 503)})
    def video(file: str, client: Caller) -> FileResponse:
        kit = KIT_NAME.fullmatch(file)
        if not (VIDEO_NAME.fullmatch(file) or kit):  # before the name meets a path: a NUL or "/" never reaches it
            raise HTTPException(404, f"No video {file!r}.")
        made = f"{kit.group(1)}.mp4" if kit else file  # a kit's file is its video's: the same client's
        folder = Path(queue.settings.output_dir).resolve()
        path = (folder / file).resolve()
        if path.parent != folder or not path.is_file() or not _made_by(made, client):
            raise HTTPException(404, f"No video {file!r}.")
        return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], filename=file, content_disposition_type="inline")

    return app
