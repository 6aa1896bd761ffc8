"""The HTTP API: FastAPI over the job queue, served by uvicorn (``python -m viralreel_core serve``)."""

from viralreel_core.api.app import create_app, job_json

__all__ = ["create_app", "job_json"]
