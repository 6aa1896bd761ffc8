"""The HTTP API (FastAPI): the original design's routes over the job queue.

``create_app(queue)`` builds it; ``serve`` runs it with uvicorn. Every error is JSON with the CLI's
one-line message and hint: bad input 400/422, unknown job 404, full queue 429 with Retry-After.
With tokens set (``tokens.ApiTokens``) the gate checks one before a body is read; each job records its
client's name, and a client sees, cancels and downloads only its own (another's answers 404, as an
unknown id does); the client ``admin`` sees every job.
"""

from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from viralreel_core.api.answers import add_error_handlers, job_json
from viralreel_core.api.gate import TokenGate
from viralreel_core.api.routes_jobs import jobs_router
from viralreel_core.api.routes_service import service_router
from viralreel_core.api.tokens import ApiTokens
from viralreel_core.environment import youtube_config
from viralreel_core.jobs import JobQueue
from viralreel_core.publish import jobs as publish_jobs

__all__ = ["create_app", "job_json"]


def create_app(queue: JobQueue, *, workers: int = 0, token: str | None = None,
               tokens: ApiTokens | None = None) -> FastAPI:
    """The API over ``queue``; ``workers`` > 0 runs that many job threads in this process while it serves.

    ``tokens`` names the clients (``ApiTokens.from_env``); ``token`` alone is one client, ``admin``.
    With neither, every request is let in and sees every job.
    """
    tokens = tokens if tokens is not None else ApiTokens.single(token)
    publish_jobs.register(youtube_config)  # this process's workers may publish (the OAuth client, read per job)

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
    add_error_handlers(app)
    app.include_router(service_router(queue))
    app.include_router(jobs_router(queue))
    return app
