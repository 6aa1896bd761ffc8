"""The API's job routes: make a video, follow, list and cancel jobs, fetch a video or its post kit, publish.

A client sees, cancels and downloads only its own jobs (another's answers 404, as an unknown id does);
the client ``admin`` sees every job.
"""

import asyncio
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse, JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from viralreel_core.api.answers import KIT_NAME, MEDIA_TYPES, VIDEO_NAME, job_json
from viralreel_core.api.answers import error as _error
from viralreel_core.api.answers import original as _original
from viralreel_core.api.answers import responses as _responses
from viralreel_core.api.deps import Caller
from viralreel_core.api.schemas import PublishBody, VideoBody
from viralreel_core.api.tokens import Client
from viralreel_core.errors import BadInput
from viralreel_core.jobs import Job, JobQueue
from viralreel_core.publish import jobs as publish_jobs
from viralreel_core.publish.youtube_post import VideoPost, post_defaults

__all__ = ["jobs_router"]

WAIT_POLL = 0.25  # seconds between looks at a job a "wait": true request is waiting for
OWN_JOBS_SCAN = 5000  # a client's newest jobs looked through for the one that made a video


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


def jobs_router(queue: JobQueue) -> APIRouter:
    """The job routes over ``queue``."""
    app = APIRouter()

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
