"""Runway images plus motion: one ``gen4_image`` still per scene, animated with a Ken Burns move.

``POST /v1/text_to_image`` ``{"promptText", "model": "gen4_image", "ratio"}`` starts a task, polled like
Runway's video tasks (``RunwayClips.task_output``: the same headers, deadline, cancellation, error
reading and task ledger, so an image paid for but not downloaded is fetched again, not paid twice);
its output is a signed PNG link (no key), downloaded at once and capped in size. The ratio is
the one closest in shape to the frame, at 1080p when the frame is at least that big (8 credits, $0.08)
and 720p otherwise (5 credits, $0.05), from the ratios Runway documents for ``gen4_image``.
``abort()`` cancels the running task. ``image_clips`` does the rest.

Example::

    maker = RunwayImageClips(api_key="key_…", width=1080, height=1920)
    clip = maker.make("A lighthouse in a storm at dusk", 6, Path("out"))
    clip.cost_usd  # 0.08
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from viralreel_core.config import Settings
from viralreel_core.errors import ProviderError
from viralreel_core.providers.clips.image_clips import MAX_IMAGE_BYTES, ImageMotionClips, nearest_size
from viralreel_core.providers.clips.runway import (
    BASE_URL_ENV,
    IMAGE_CREDITS,
    IMAGE_RATIOS,
    KEY_ENV,
    USD_PER_CREDIT,
    RunwayClips,
)
from viralreel_core.providers.http.retry import POLICY, RetryPolicy, policy_for, retrying
from viralreel_core.providers.http.transport import host_of, make_session, network_errors, timeouts

if TYPE_CHECKING:
    from viralreel_core.cache.store import AssetCache

__all__ = ["RunwayImageClips", "IMAGE_MODEL", "RATIOS", "CREDITS"]

IMAGE_MODEL = "gen4_image"
RATIOS_1080P = ("1080:1920", "1920:1080", "1080:1080", "1080:1440", "1440:1080", "1808:768")
#: ratio -> credits (gen4_image: 720p 5 credits, 1080p 8)
CREDITS = {**{r: IMAGE_CREDITS for r in IMAGE_RATIOS}, **{r: 8 for r in RATIOS_1080P}}
RATIOS = tuple(CREDITS)
LABEL = "Runway images"


def ratio_for(width: int, height: int) -> str:
    """The ``gen4_image`` ratio for a frame: the nearest shape, at 1080p when the frame is at least 1080 on
    its short side, else at 720p (cheaper; the animation scales it to the frame)."""
    choices = RATIOS_1080P if min(width, height) >= 1080 else IMAGE_RATIOS
    return nearest_size(width, height, tuple(r.replace(":", "x") for r in choices)).replace("x", ":")


class RunwayImageClips(ImageMotionClips):
    """One Runway ``gen4_image`` still per scene, moved across with a slow zoom and pan."""

    name = "runway_images"
    label = "Runway images + motion"
    service = "runway"
    key_env = KEY_ENV
    base_url_env = BASE_URL_ENV
    can_abort = True  # abort() cancels the running image task
    max_in_flight = 8  # Runway queues tasks past the account's concurrency itself (``RunwayClips``)

    def __init__(self, api_key: str, *, base_url: str | None = None, width: int = 1080, height: int = 1920,
                 fps: int = 30, sleep: Callable[[float], None] | None = None, retry_policy: RetryPolicy = POLICY,
                 **task_options: Any) -> None:
        super().__init__(width=width, height=height, fps=fps)
        self.ratio = ratio_for(self.width, self.height)
        self.size = self.ratio.replace(":", "x")
        self._tasks = RunwayClips(api_key, base_url=base_url, sleep=sleep, retry_policy=retry_policy, **task_options)
        self._downloads = make_session(retries=0)  # signed links: never the key
        self._sleep = sleep
        self._retry = retry_policy

    @classmethod
    def from_settings(cls, settings: Settings) -> RunwayImageClips:
        """The maker for ``settings``: key, ``RUNWAYML_BASE_URL``, the frame and the waits."""
        return cls(settings.keys.get(cls.service, ""), base_url=settings.base_urls.get(cls.service),
                   width=settings.width, height=settings.height, fps=settings.fps,
                   poll_interval=settings.poll_interval, retry_policy=policy_for(settings))

    def __repr__(self) -> str:
        return f"RunwayImageClips(ratio={self.ratio!r}, endpoint={host_of(self._tasks.base_url)!r})"

    def image_params(self) -> dict[str, Any]:
        return {"model": IMAGE_MODEL, "ratio": self.ratio}

    def image_price(self) -> float:
        return CREDITS[self.ratio] * USD_PER_CREDIT

    def abort(self) -> None:
        """Cancel the running image task; the make raises ClipCancelled."""
        self._tasks.abort()

    def watch(self, report: Callable[[Any, str, str | None], None] | None) -> None:
        """Its image tasks' states are told like a clip task's ("Runway: 2 queued by the service")."""
        super().watch(report)
        self._tasks.watch(report)

    def use_cache(self, cache: AssetCache) -> None:
        """Keep paid images in the cache, and the image tasks in the ledger beside it."""
        super().use_cache(cache)
        self._tasks.use_cache(cache)

    def close(self) -> None:
        super().close()
        self._tasks.close()

    def _generate(self, prompt: str) -> tuple[bytes, float]:
        body = {"promptText": prompt, "model": IMAGE_MODEL, "ratio": self.ratio}
        output = self._tasks.task_output(("image", IMAGE_MODEL, self.ratio, prompt), "the image", CREDITS[self.ratio],
                                         lambda: ("/v1/text_to_image", body))
        try:
            data = retrying(self._sleep or time.sleep, policy=self._retry)(self._download, output.url)
        except ProviderError as exc:
            self._tasks.output_unusable(output, exc)
            exc.spent_usd = self._tasks.charge([output])  # the task finished: it is billed (once)
            raise
        self._tasks.output_kept([output])
        return data, round(output.credits * USD_PER_CREDIT, 6)

    def _download(self, url: str) -> bytes:
        with network_errors(LABEL, provider=self.name, what="downloading the image"):
            response = self._downloads.get(url, timeout=timeouts(60.0))
        if response.status_code != 200:
            expired = response.status_code in (401, 403, 404, 410)
            raise ProviderError(f"{LABEL} answered {response.status_code} to the image download.",
                                provider=self.name, retryable=not expired,
                                hint="Make this scene again." if expired else "Try this scene again in a minute.")
        if len(response.content) > MAX_IMAGE_BYTES:
            raise ProviderError(f"The {LABEL} image is over the {MAX_IMAGE_BYTES // 2**20} MB limit.",
                                provider=self.name, retryable=False, hint="Make this scene again.")
        return response.content

