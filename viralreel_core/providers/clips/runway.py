"""Runway clips: today's task API (``X-Runway-Version: 2024-11-06``).

A model that takes text (``gen4.5``, ``veo3.1``, ``veo3.1_fast``, ``veo3``) gets ``POST /v1/text_to_video``;
one that needs a first frame (``gen4_turbo``) gets ``POST /v1/text_to_image`` and then
``POST /v1/image_to_video`` with that image. Each task is polled (``GET /v1/tasks/{id}``) with a
deadline and a growing interval (``PENDING`` and ``THROTTLED`` mean queued, so we ask less often);
``FAILED`` is reported with its ``failureCode`` (``SAFETY.*`` as ContentRejected), ``CANCELLED`` as
such. The output is downloaded at once (its link expires), capped in size and checked to be a video.

A failed generation is never re-run here (expensive; the person can retry one scene). Every task is
written in the task ledger (``task_ledger``: beside the cache, once the pipeline hands it over) the
moment it is created, before polling: a later make of the same thing — after a download that failed,
an error while polling, a crash — polls that task again and downloads its output instead of paying
twice; only a task that is gone (404), failed or was cancelled is paid for again. ``abort()`` stops
every running make: its task is cancelled (``DELETE /v1/tasks/{id}``) and the make raises.

Example::

    maker = RunwayClips(api_key="key_…", model="gen4_turbo")
    clip = maker.make("A cat asleep on a sunny windowsill", 6, Path("out"))
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

from viralreel_core.config import Settings
from viralreel_core.errors import (
    BadInput,
    ClipCancelled,
    ContentRejected,
    ProviderError,
    ProviderTimeout,
    QuotaExceeded,
)
from viralreel_core.media.aspect import nearest_ratio
from viralreel_core.models import Clip
from viralreel_core.providers.base import ClipMaker
from viralreel_core.providers.http.retry import POLICY, RetryPolicy, policy_for
from viralreel_core.providers.http.task_ledger import PaidTask, TaskLedger, task_key
from viralreel_core.providers.http.transport import (
    MAX_DOWNLOAD_BYTES,
    download_video,
    error_detail,
    error_for_status,
    host_of,
    json_body,
    make_session,
    network_errors,
    timeouts,
)

if TYPE_CHECKING:
    from viralreel_core.cache.store import AssetCache

__all__ = ["RunwayClips", "RunwayModel", "TaskOutput", "MODELS", "API_VERSION", "DEFAULT_BASE_URL", "USD_PER_CREDIT",
           "IMAGE_MODEL", "IMAGE_CREDITS", "IMAGE_RATIOS"]

_LOGGER = logging.getLogger(__name__)

SERVICE = "Runway"
KEY_ENV = "RUNWAYML_API_SECRET"
BASE_URL_ENV = "RUNWAYML_BASE_URL"
DEFAULT_BASE_URL = "https://api.dev.runwayml.com"
API_VERSION = "2024-11-06"
DEFAULT_MODEL = "gen4_turbo"
USD_PER_CREDIT = 0.01
MAX_PROMPT_CHARS = 1000
IMAGE_MODEL = "gen4_image"  # the first frame for image-only models
#: gen4_image's 720p sizes (the 5-credit tier): the first frame takes the one closest to the video's shape
IMAGE_RATIOS = ("720:1280", "1280:720", "720:720", "720:960", "960:720", "1680:720")
IMAGE_CREDITS = 5  # gen4_image at 720p
POLL_INTERVAL = 5.0  # Runway updates a task no more often than every 5 s
POLL_MAX_INTERVAL = 20.0  # queued tasks are asked less often, up to this
POLL_GROWTH = 1.5
POLL_JITTER = 0.2  # ± this fraction of each wait
POLL_DEADLINE = 600.0  # the official SDK's ten minutes
READ_TIMEOUT = 30.0
_QUEUED = ("PENDING", "THROTTLED")
_ALIVE = ("SUCCEEDED", "RUNNING", *_QUEUED)  # a recorded task in one of these is picked up, not paid again


@dataclass(frozen=True)
class RunwayModel:
    """What we need to know of one video model: its route, the ratios it takes, durations and price."""

    name: str
    route: str  # "text_to_video" or "image_to_video"
    ratios: tuple[str, ...]  # Runway's documented values for this model and route; the first is 9:16
    durations: tuple[int, ...]
    credits_per_second: float

    def ratio_for(self, width: int, height: int) -> str:
        """The ratio closest in shape to a ``width`` × ``height`` frame (the assembler crops the rest).

        Ties go to the earlier one in ``ratios`` (a square frame on a model with only 16:9 and 9:16
        gets 9:16)."""
        return _closest(width, height, self.ratios)

    def duration_for(self, seconds: float) -> int:
        """The shortest allowed duration covering ``seconds`` (the longest allowed if none does)."""
        covering = [d for d in self.durations if d >= seconds - 1e-6]
        return min(covering) if covering else max(self.durations)


_VEO_RATIOS = ("1080:1920", "1920:1080", "720:1280", "1280:720")  # full HD first: ties pick it
#: models we know, by their API name; prices are credits per second (1 credit = $0.01); ratios as the API
#: reference lists them for the route we use (gen4.5 through text_to_video takes only the two 720p ones)
MODELS = {
    "gen4_turbo": RunwayModel("gen4_turbo", "image_to_video",
                              ("720:1280", "1280:720", "832:1104", "1104:832", "960:960", "1584:672"),
                              tuple(range(2, 11)), 5),
    "gen4.5": RunwayModel("gen4.5", "text_to_video", ("720:1280", "1280:720"), tuple(range(2, 11)), 12),
    "veo3.1": RunwayModel("veo3.1", "text_to_video", _VEO_RATIOS, (4, 6, 8), 40),
    "veo3.1_fast": RunwayModel("veo3.1_fast", "text_to_video", _VEO_RATIOS, (4, 6, 8), 15),
    "veo3": RunwayModel("veo3", "text_to_video", _VEO_RATIOS, (8,), 40),
}


def _closest(width: int, height: int, ratios: tuple[str, ...]) -> str:
    sizes = [tuple(int(v) for v in r.split(":")) for r in ratios]
    w, h = nearest_ratio(width, height, sizes)
    return f"{w}:{h}"


def _prompt(visuals: str) -> str:
    text = " ".join(str(visuals or "").split())
    if len(text) <= MAX_PROMPT_CHARS:
        return text
    cut = text[:MAX_PROMPT_CHARS]
    return cut[: cut.rfind(" ")] if " " in cut else cut


@dataclass(frozen=True)
class TaskOutput:
    """A finished task's output link, and what it means for the money."""

    key: str  # its entry in the task ledger
    url: str
    credits: float  # the part of its price no run has counted yet (0 when an earlier run did)
    resumed: bool  # recorded by an earlier make and polled again (no new task)


class RunwayClips(ClipMaker):
    """Generated clips from Runway's API."""

    name = "runway"
    label = SERVICE
    service = "runway"
    key_env = KEY_ENV
    base_url_env = BASE_URL_ENV
    options = {"runway_model": DEFAULT_MODEL}
    option_choices = {"runway_model": tuple(MODELS)}
    can_abort = True  # abort() cancels the running Runway tasks
    #: tasks one run keeps at Runway at once: past the account's concurrency Runway queues them itself (they
    #: report THROTTLED and start as others end), so asking early costs nothing and saves the round trip
    max_in_flight = 8

    # timing policy, named in one place (constructor arguments override them, e.g. in tests)
    poll_interval = POLL_INTERVAL
    poll_max_interval = POLL_MAX_INTERVAL
    poll_deadline = POLL_DEADLINE
    poll_jitter = POLL_JITTER

    def __init__(self, api_key: str, *, model: str = DEFAULT_MODEL, base_url: str | None = None,
                 width: int = 1080, height: int = 1920,
                 poll_interval: float | None = None, poll_max_interval: float | None = None,
                 poll_deadline: float | None = None, poll_jitter: float | None = None,
                 read_timeout: float = READ_TIMEOUT,
                 max_download_bytes: int = MAX_DOWNLOAD_BYTES, sleep: Callable[[float], None] | None = None,
                 clock: Callable[[], float] = time.monotonic, abort_event: threading.Event | None = None,
                 ledger: TaskLedger | None = None, retry_policy: RetryPolicy = POLICY) -> None:
        if model not in MODELS:
            raise BadInput(f"Unknown Runway model {model!r}.", hint=f"Choose one of: {', '.join(MODELS)}.")
        self.spec = MODELS[model]
        self.model = model
        self.ratio = self.spec.ratio_for(width, height)  # the video's frame decides; the segment crops the rest
        video_w, video_h = (int(v) for v in self.ratio.split(":"))
        self.image_ratio = _closest(video_w, video_h, IMAGE_RATIOS)
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        for attr, value in (("poll_interval", poll_interval), ("poll_max_interval", poll_max_interval),
                            ("poll_deadline", poll_deadline), ("poll_jitter", poll_jitter)):
            if value is not None:
                setattr(self, attr, value)
        self.read_timeout = read_timeout
        self.max_download_bytes = max_download_bytes
        self._key = api_key
        self._sleep = sleep  # None: wait on the abort event, so abort() wakes a poll at once
        self._clock = clock
        self._abort = abort_event or threading.Event()
        self._retry = retry_policy
        self._api = make_session(statuses=(429, 502, 503, 504), sleep=sleep,  # Runway's "may retry" list
                                 retry_policy=retry_policy)
        self._downloads = make_session(retries=0)  # download_video retries; never carries the key (signed URLs)
        # every task paid for, by what it makes (in memory until use_cache puts it beside the cache)
        self._ledger = ledger or TaskLedger(clock=clock)

    @classmethod
    def from_settings(cls, settings: Settings) -> RunwayClips:
        """The clip maker for ``settings``: key, ``runway_model``, ``RUNWAYML_BASE_URL``, the frame size and the
        waits (``retry_backoff``…, ``poll_interval``)."""
        return cls(settings.keys.get(cls.service, ""), model=cls.setting(settings, "runway_model"),
                   base_url=settings.base_urls.get(cls.service), width=settings.width, height=settings.height,
                   poll_interval=settings.poll_interval, retry_policy=policy_for(settings))


    def __repr__(self) -> str:
        return f"RunwayClips(model={self.model!r}, ratio={self.ratio!r}, endpoint={host_of(self.base_url)!r})"

    # -- provider protocol ---------------------------------------------------------------------
    def cache_params(self) -> dict[str, Any]:
        """Model, route, ratio (which fixes the first frame's) and (for image-first models) the image model."""
        params: dict[str, Any] = {"model": self.model, "route": self.spec.route, "ratio": self.ratio}
        if self.spec.route == "image_to_video":
            params["image_model"] = IMAGE_MODEL
        return params

    def credits_for(self, seconds: float) -> float:
        """Credits a clip covering ``seconds`` costs (with its first frame, for image-first models)."""
        credits = self.spec.credits_per_second * self.spec.duration_for(seconds)
        return credits + (IMAGE_CREDITS if self.spec.route == "image_to_video" else 0)

    def unit_cost(self) -> float:
        """Dollars per second of clip (the first frame of image-first models aside)."""
        return self.spec.credits_per_second * USD_PER_CREDIT

    def estimate_cost(self, seconds: float) -> float:
        """Dollars for a clip covering ``seconds``."""
        return round(self.credits_for(seconds) * USD_PER_CREDIT, 6)

    def make(self, visuals: str, seconds: float, out_dir: Path) -> Clip:
        """Generate, wait for and download a clip in ``self.ratio`` covering ``seconds`` for ``visuals``."""
        prompt = _prompt(visuals)
        if not prompt:
            raise BadInput("The scene has no visuals to make a clip from.", hint="Describe what should be seen.")
        self._check_abort(None)
        outputs: list[TaskOutput] = []  # the tasks this make finished (or picked up finished)
        try:
            return self._make(prompt, self.spec.duration_for(seconds), out_dir, outputs)
        except (ProviderError, OSError) as exc:  # OSError: e.g. a full disk under the download
            exc.spent_usd = self.charge(outputs)  # finished tasks are billed, used or not
            raise

    def _make(self, prompt: str, duration: int, out_dir: Path, outputs: list[TaskOutput]) -> Clip:
        frame_of = ("image", IMAGE_MODEL, self.image_ratio, prompt)

        def start() -> tuple[str, dict[str, Any]]:
            body = {"promptText": prompt, "model": self.model, "ratio": self.ratio, "duration": duration}
            if self.spec.route == "text_to_video":
                return "/v1/text_to_video", body
            frame = self.task_output(frame_of, "the first frame",
                                     IMAGE_CREDITS, lambda: ("/v1/text_to_image", {
                                         "promptText": prompt, "model": IMAGE_MODEL, "ratio": self.image_ratio}))
            outputs.append(frame)
            return "/v1/image_to_video", {"promptImage": frame.url, **body}

        video = self.task_output(("video", self.model, self.ratio, duration, prompt), "the clip",
                                 self.spec.credits_per_second * duration, start)
        outputs.append(video)
        if video.resumed:
            _LOGGER.info("Runway: downloading a clip an earlier make paid for (no new task)")
        path = Path(out_dir) / f"clip_runway_{uuid.uuid4().hex[:16]}.mp4"
        try:
            info = download_video(self._downloads, video.url, path, service=SERVICE, provider=self.name,
                                  max_bytes=self.max_download_bytes, read_timeout=60.0,
                                  sleep=self._sleep or time.sleep, retry_policy=self._retry)
        except ProviderError as exc:
            self.output_unusable(video, exc)
            raise
        cost = sum(o.credits for o in outputs)
        self.output_kept(outputs)
        self._ledger.forget(self._task_key(frame_of))  # a frame kept for a video picked up later: done with too
        return Clip(video_path=str(path), duration=info.duration, width=info.width or 0, height=info.height or 0,
                    provider=self.name, cost_usd=round(cost * USD_PER_CREDIT, 6))

    def use_cache(self, cache: AssetCache) -> None:
        """Keep the task ledger beside the pipeline's cache: every process on it sees the tasks paid for."""
        if not self._ledger.durable:
            self._ledger = TaskLedger.beside(cache.directory)

    def close(self) -> None:
        super().close()
        self._ledger.close()

    # -- tasks, through the ledger (``runway_images`` uses these too) ----------------------------------
    def task_output(self, what_it_makes: tuple[Any, ...], what: str, credits: float,
                    start: Callable[[], tuple[str, dict[str, Any]]]) -> TaskOutput:
        """The output of the task that makes ``what_it_makes``: one recorded earlier, polled again, else a new
        one (``start()`` gives its path and body), recorded in the ledger before it is polled."""
        key = self._task_key(what_it_makes)
        found = self._ledger.find(key)
        if found is not None:
            task = self._call("GET", f"/v1/tasks/{found.task_id}", f"checking {what}", missing_ok=True)
            status = str((task or {}).get("status") or "")
            if status in _ALIVE:
                _LOGGER.info("Runway task %s (%s) was paid for earlier: picking it up", found.task_id, what)
                if status != "SUCCEEDED":
                    task = self._wait_for(found.task_id, what, key)
                return TaskOutput(key, self._output(found.task_id, task or {}, what, key),
                                  0.0 if found.counted else found.credits, resumed=True)
            _LOGGER.info("Runway task %s (%s) is %s: paying for a new one", found.task_id, what,
                         status.lower() or "gone")
            self._ledger.forget(key)
        path, body = start()
        task_id = self._create(path, body)
        self._ledger.record(key, PaidTask(self.service, task_id, credits))  # before polling: a crash keeps it
        task = self._wait_for(task_id, what, key)
        return TaskOutput(key, self._output(task_id, task, what, key), credits, resumed=False)

    def _task_key(self, what_it_makes: tuple[Any, ...]) -> str:
        return task_key(self.service, host_of(self.base_url), *what_it_makes)

    def output_kept(self, outputs: list[TaskOutput]) -> None:
        """The outputs are safely downloaded: their tasks are done with (a new take pays for a new one)."""
        for output in outputs:
            self._ledger.forget(output.key)

    def output_unusable(self, output: TaskOutput, exc: ProviderError) -> None:
        """Its download failed: the task stays recorded for the next make, which fetches a fresh link —
        unless the output was refused (not a video, expired, too big) a second time: then it is paid again."""
        if exc.retryable:
            return
        found = self._ledger.find(output.key)
        if found is not None and found.fetch_failed:
            self._ledger.forget(output.key)
        else:
            self._ledger.update(output.key, fetch_failed=True)

    def charge(self, outputs: list[TaskOutput]) -> float:
        """Dollars of ``outputs`` no run counted yet, now marked counted (they go in an error's ``spent_usd``)."""
        for output in outputs:
            if output.credits:
                self._ledger.update(output.key, counted=True)
        return round(sum(o.credits for o in outputs) * USD_PER_CREDIT, 6)

    # -- aborting ------------------------------------------------------------------------------
    def abort(self) -> None:
        """Stop every running make: their tasks are cancelled and they raise ClipCancelled."""
        self._abort.set()

    def cancel(self, task_id: str) -> bool:
        """Cancel (or delete) a task; True if Runway took it. Never raises: it is called while failing."""
        try:
            with network_errors(SERVICE, provider=self.name, what="cancelling the task"):
                response = self._api.delete(f"{self.base_url}/v1/tasks/{task_id}", headers=self._headers(),
                                            timeout=timeouts(self.read_timeout))
        except ProviderError as exc:
            _LOGGER.warning("Runway task %s could not be cancelled: %s", task_id, exc)
            return False
        if response.status_code not in (200, 202, 204, 404):
            _LOGGER.warning("Runway task %s could not be cancelled (%s)", task_id, response.status_code)
            return False
        return True

    # -- helpers -------------------------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._key}", "X-Runway-Version": API_VERSION}

    def _check_abort(self, task_id: str | None, key: str | None = None) -> None:
        if self._abort.is_set():
            if task_id and self.cancel(task_id) and key:
                self._ledger.forget(key)  # cancelled: nothing to pick up later
            raise ClipCancelled("Clip generation was stopped" + (f" (Runway task {task_id} cancelled)."
                                                                 if task_id else "."),
                                provider=self.name, hint="Retry this scene when you want the clip.")

    def _pause(self, seconds: float) -> None:
        if self._sleep is None:
            self._abort.wait(seconds)
        else:
            self._sleep(seconds)

    def _call(self, method: str, path: str, what: str, *, missing_ok: bool = False,
              **kwargs: Any) -> dict[str, Any] | None:
        """The answer's JSON; None for a 404 when ``missing_ok`` (a task that is gone)."""
        with network_errors(SERVICE, provider=self.name, what=what, base_url=self.base_url,
                            base_url_env=BASE_URL_ENV):
            response = self._api.request(method, self.base_url + path, headers=self._headers(),
                                         timeout=timeouts(self.read_timeout), **kwargs)
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code >= 400:
            raise self._error(response)
        data = json_body(response)
        if not isinstance(data, dict):
            raise ProviderError(f"{SERVICE} sent an answer that could not be read while {what}.",
                                provider=self.name, retryable=True, hint="Try this scene again.")
        return data

    def _create(self, path: str, body: dict[str, Any]) -> str:
        self._check_abort(None)  # stopped while a first frame was made: no new paid task
        data = self._call("POST", path, "starting the generation", json=body) or {}
        task_id = data.get("id")
        if not isinstance(task_id, str) or not task_id:
            raise ProviderError(f"{SERVICE} started a task but sent no id.", provider=self.name, retryable=True,
                                hint="Try this scene again.")
        _LOGGER.info("Runway task %s started (%s)", task_id, path.rsplit("/", 1)[-1])
        return task_id

    def _wait_for(self, task_id: str, what: str, key: str) -> dict[str, Any]:
        """Poll the task until it succeeds (the task's answer), fails, is cancelled, is gone or runs out of
        time; the ledger entry ``key`` is dropped when the task is over without an output. Each state it
        reports is passed on (``task_state``: "Runway: 4 queued by the service")."""
        try:
            return self._poll(task_id, what, key)
        finally:
            self.task_state(task_id, None)

    def _poll(self, task_id: str, what: str, key: str) -> dict[str, Any]:
        started = self._clock()
        interval = self.poll_interval
        status = "PENDING"
        while True:
            jitter = 1 + random.uniform(-self.poll_jitter, self.poll_jitter) if self.poll_jitter else 1.0
            self._pause(interval * jitter)
            self._check_abort(task_id, key)
            task = self._call("GET", f"/v1/tasks/{task_id}", f"checking {what}", missing_ok=True)
            status = str((task or {}).get("status") or "")
            if task is not None and status == "SUCCEEDED":
                return task
            if task is None or status not in (*_QUEUED, "RUNNING"):
                self._ledger.forget(key)  # over: a later make pays for a new one
                raise self._ended(task_id, task, what, status)
            self.task_state(task_id, "queued" if status in _QUEUED else "running")
            progress = task.get("progress")
            _LOGGER.debug("Runway task %s %s%s", task_id, status,
                          f" {float(progress):.0%}" if isinstance(progress, (int, float)) else "")
            if self._clock() - started > self.poll_deadline:
                if self.cancel(task_id):
                    self._ledger.forget(key)
                minutes = self.poll_deadline / 60
                queued = " (still queued behind your other tasks)" if status in _QUEUED else ""
                raise ProviderTimeout(f"{SERVICE} did not finish {what} within {minutes:g} min{queued}; "
                                      f"task {task_id} was cancelled.", provider=self.name,
                                      hint="Runway may be busy; retry this scene later.")
            # queued tasks wait behind others: ask less and less often; a running one at the base rate
            interval = min(self.poll_max_interval, interval * POLL_GROWTH) if status in _QUEUED \
                else self.poll_interval

    def _output(self, task_id: str, task: dict[str, Any], what: str, key: str) -> str:
        output = task.get("output")
        if not output or not isinstance(output, list) or not isinstance(output[0], str):
            self._ledger.forget(key)  # asking again would not give one: a later make pays for a new task
            raise ProviderError(f"{SERVICE} finished {what} (task {task_id}) but sent no output.",
                                provider=self.name, retryable=True, hint="Retry this scene.")
        return output[0]

    def _ended(self, task_id: str, task: dict[str, Any] | None, what: str, status: str) -> ProviderError:
        """The error for a task that ended without an output."""
        if task is None:
            return ProviderError(f"{SERVICE} no longer has task {task_id} for {what} (404).", provider=self.name,
                                 retryable=False, hint="Retry this scene to make it again.")
        if status == "FAILED":
            return self._failure(task_id, task)
        if status == "CANCELLED":
            return ProviderError(f"{SERVICE} task {task_id} for {what} was cancelled.", provider=self.name,
                                 retryable=False, hint="Retry this scene to make it again.")
        return ProviderError(f"{SERVICE} task {task_id} is in an unknown state {status!r}.",
                             provider=self.name, retryable=False, hint="Retry this scene.")

    def _failure(self, task_id: str, task: dict[str, Any]) -> ProviderError:
        code = str(task.get("failureCode") or "")
        reason = error_detail(task.get("failure") or "no reason given", self._key)
        label = f"{code}: {reason}" if code else reason
        if code.startswith("SAFETY."):
            return ContentRejected(f"{SERVICE}'s moderation rejected this scene (task {task_id}, {label}).",
                                   provider=self.name,
                                   hint="Rewrite the scene's visuals (no real people, brands or violence) "
                                        "and retry this scene.")
        if code.startswith("ASSET.") or code.startswith("INPUT."):
            return ProviderError(f"{SERVICE} could not use this scene's input (task {task_id}, {label}).",
                                 provider=self.name, retryable=False,
                                 hint="Edit the scene's visuals and retry this scene.")
        return ProviderError(f"{SERVICE} failed to make the clip (task {task_id}, {label or 'no code'}).",
                             provider=self.name, retryable=True,
                             hint="Retry this scene; a new attempt often works.")

    def _error(self, response: requests.Response) -> ProviderError:
        status = response.status_code
        data = json_body(response)
        detail = error_detail(data.get("error", data) if isinstance(data, dict) else response, self._key)
        if status in (400, 402, 403) and "credit" in detail.lower():
            return QuotaExceeded(f"{SERVICE} says the account does not have enough credits: {detail}",
                                 provider=self.name,
                                 hint="Buy credits at dev.runwayml.com, or choose Pexels or the local clips.")
        if status == 400:
            return ProviderError(f"{SERVICE} refused the request (400): {detail}", provider=self.name,
                                 retryable=False, hint="Check the Runway model and the scene's visuals.")
        return error_for_status(SERVICE, self.name, status, detail, key_env=KEY_ENV, response=response)
