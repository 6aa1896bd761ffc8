"""The API's service routes: health, a script alone, and uploading music for later videos."""

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from viralreel_core import providers
from viralreel_core.api.answers import responses as _responses
from viralreel_core.api.deps import guard
from viralreel_core.api.schemas import ScriptBody
from viralreel_core.doctor import doctor
from viralreel_core.jobs import JobQueue, script_to_api, settings_for
from viralreel_core.media.music import MAX_MUSIC_BYTES, MUSIC_TYPES
from viralreel_core.run.checks import validate_topic
from viralreel_core.run.pipeline import Pipeline
from viralreel_core.workspace.music_uploads import store_music

__all__ = ["service_router"]


def service_router(queue: JobQueue) -> APIRouter:
    """Health, /generate-script and /music over ``queue``'s settings."""
    app = APIRouter()

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

    @app.post("/music", status_code=201,
              summary=f"Upload a track for the music under the voice ({', '.join(t.upper() for t in MUSIC_TYPES)}, "
                      f"up to {MAX_MUSIC_BYTES // 2**20} MB): its id, usable as create-video's \"music\"",
              responses=_responses(400, 401, 422), dependencies=guard)
    def upload_music(file: Annotated[UploadFile, File(description="The audio file.")]) -> dict[str, str]:
        data = file.file.read(MAX_MUSIC_BYTES + 1)  # one byte over is enough to refuse it
        music_id = store_music(queue.settings.music_dir, file.filename or "", data)
        return {"music": music_id, "name": Path(file.filename or "").name}

    return app
