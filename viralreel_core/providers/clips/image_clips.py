"""Images plus motion: one generated still per scene, animated with a Ken Burns move (``ken_burns``).

The common half of every image service's clip maker: the frame size comes from the settings (so a new
aspect ratio is followed without a change here), the service's image size is the one closest in shape
to the frame, and the still is moved across at the frame size for the scene's length. A subclass says
how to get one image for a prompt and what it costs (``_generate``, ``PRICES``).

An image is paid for once. The pipeline caches each clip (by visuals, length and these parameters), and
the image itself is kept apart (``use_cache``: the pipeline's asset cache, keyed by a hash of the
service's image parameters and the prompt; and the last few in memory), so a scene whose clip length
changed (a narration edit), or whose animation failed after the image came, reuses the image instead of
paying again, in any later run or process.
"""

from __future__ import annotations

import hashlib
import io
import math
import threading
import uuid
from abc import abstractmethod
from collections import OrderedDict
from pathlib import Path
from typing import Any, ClassVar

from viralreel_core.cache.store import AssetCache, cache_key
from viralreel_core.errors import BadInput, ProviderError
from viralreel_core.media.aspect import nearest_ratio
from viralreel_core.models import Clip
from viralreel_core.providers.base import ClipMaker
from viralreel_core.providers.clips.ken_burns import EXTRA_SECONDS, MOTION_VERSION, motion_for, render_motion

__all__ = ["ImageMotionClips", "image_prompt", "nearest_size", "MAX_SECONDS", "KEPT_IMAGES"]

MAX_SECONDS = 60.0
KEPT_IMAGES = 8  # images kept in memory per maker (~0.3–3 MB each)
MAX_PROMPT_CHARS = 1000
PROMPT_STYLE = "Photorealistic, cinematic lighting, rich detail. No text, letters, captions or watermarks."
MAX_IMAGE_BYTES = 32 * 2**20


def image_prompt(visuals: str) -> str:
    """What the image service is asked for: the scene's visuals (one line, capped) and a house style."""
    text = " ".join(str(visuals or "").split())
    if not text:
        return ""
    room = MAX_PROMPT_CHARS - len(PROMPT_STYLE) - 1
    return f"{text[:room].rstrip()} {PROMPT_STYLE}"


def nearest_size(width: int, height: int, sizes: tuple[str, ...]) -> str:
    """Of the service's ``"WxH"`` sizes, the one closest in shape to a ``width``×``height`` frame."""
    pairs = [tuple(int(v) for v in size.split("x")) for size in sizes]
    w, h = nearest_ratio(width, height, pairs)  # type: ignore[arg-type]
    return f"{w}x{h}"


class ImageMotionClips(ClipMaker):
    """A clip maker that asks an image service for one still per scene and moves a camera over it.

    Subclasses declare ``SIZES`` (the image sizes the service makes) and implement ``_generate``,
    ``image_params`` and ``image_price``; ``cost_unit`` is one image.
    """

    cost_unit = "image"
    auto = False  # a middle ground one opts into: an OpenAI key for the script buys no images unasked
    SIZES: ClassVar[tuple[str, ...]] = ("1024x1024",)

    def __init__(self, *, width: int = 1080, height: int = 1920, fps: int = 30) -> None:
        width, height, fps = int(width), int(height), int(fps)
        if width < 16 or height < 16 or not 1 <= fps <= 120:
            raise BadInput(f"An image clip needs a frame of at least 16x16 and 1–120 fps, not {width}x{height} "
                           f"at {fps} fps.", hint="Check the width, height and fps settings.")
        self.width, self.height, self.fps = width - width % 2, height - height % 2, fps
        self.size = nearest_size(self.width, self.height, self.SIZES)
        self._images: OrderedDict[str, bytes] = OrderedDict()
        self._cache: AssetCache | None = None
        self._images_lock = threading.Lock()

    # -- what a service says -------------------------------------------------------------------
    @abstractmethod
    def image_params(self) -> dict[str, Any]:
        """Everything that changes the image for one prompt (model, size, quality…), never a key."""

    @abstractmethod
    def image_price(self) -> float:
        """Dollars one image costs with the current options."""

    @abstractmethod
    def _generate(self, prompt: str) -> tuple[bytes, float]:
        """The encoded image (PNG, JPEG or WebP) the service made for ``prompt`` and the dollars it cost."""

    # -- provider protocol ---------------------------------------------------------------------
    def cache_params(self) -> dict[str, Any]:
        """The image's parameters and the animation's: frame size, fps and the motion's version."""
        return {**self.image_params(), "width": self.width, "height": self.height, "fps": self.fps,
                "motion": MOTION_VERSION, "extra_seconds": EXTRA_SECONDS}

    def unit_cost(self) -> float:
        """Dollars per image (one per scene)."""
        return self.image_price()

    def estimate_cost(self, seconds: float) -> float:
        """One image, whatever the clip's length: the motion is drawn here, for free."""
        return round(self.image_price(), 6)

    def describe(self) -> str:
        params = self.image_params()
        return f"{self.name} {params.get('model', '')} {self.size} → {self.width}x{self.height}".replace("  ", " ")

    def make(self, visuals: str, seconds: float, out_dir: Path) -> Clip:
        """Get (or reuse) the scene's image and animate it into a clip covering ``seconds``."""
        prompt = image_prompt(visuals)
        if not prompt:
            raise BadInput("The scene has no visuals to make an image from.", hint="Describe what should be seen.")
        try:
            seconds = float(seconds)
        except (TypeError, ValueError):
            raise BadInput(f"A clip length must be a number of seconds, not {seconds!r}.") from None
        if not math.isfinite(seconds) or not 0 < seconds <= MAX_SECONDS:
            raise BadInput(f"A clip must last more than 0 and at most {MAX_SECONDS:.0f} seconds, not {seconds}.")
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        data, spent = self._image(prompt)
        extension = self._checked_extension(data, 0.0)
        image = out_dir / f"image_{uuid.uuid4().hex[:16]}.{extension}"
        image.write_bytes(data)
        path = out_dir / f"clip_{self.name}_{uuid.uuid4().hex[:16]}.mp4"
        try:
            frames = render_motion(image, path, seconds=seconds, width=self.width, height=self.height,
                                   fps=self.fps, motion=motion_for(prompt), provider=self.name)
        except ProviderError as exc:
            exc.spent_usd = round(spent, 6)  # the image was paid for; it is kept for the retry
            raise
        finally:
            image.unlink(missing_ok=True)
        return Clip(video_path=str(path), duration=frames / self.fps, width=self.width, height=self.height,
                    provider=self.name, cost_usd=round(spent, 6))

    def use_cache(self, cache: AssetCache) -> None:
        """Keep each paid image in the pipeline's asset cache, so any later clip of that scene reuses it."""
        self._cache = cache

    # -- helpers -------------------------------------------------------------------------------
    def _image(self, prompt: str) -> tuple[bytes, float]:
        """The image for ``prompt`` and what it cost now: 0 when it comes from memory or the cache."""
        key = self._image_key(prompt)
        data = self._remembered(key)
        if data is not None:
            return data, 0.0
        if self._cache is None:
            data, spent = self._generate(prompt)
            self._checked_extension(data, spent)
        else:
            data, spent = self._cached_image(prompt, self._cache)
        self._remember(key, data)
        return data, spent

    def _cached_image(self, prompt: str, cache: AssetCache) -> tuple[bytes, float]:
        paid = [0.0]

        def make(work_dir: Path) -> tuple[dict[str, Any], dict[str, Path], float]:
            data, spent = self._generate(prompt)
            extension = self._checked_extension(data, spent)
            path = work_dir / f"image.{extension}"
            path.write_bytes(data)
            paid[0] = spent
            # stored at no cost: the clip made from it carries the price, so `cache stats` counts it once
            return {"format": extension, "paid_usd": round(spent, 6)}, {"image": path}, 0.0

        params = {**self.image_params(), "provider_version": self.version}
        asset, _ = cache.get_or_make(cache_key("image", self.name, params, prompt), "clips", make,
                                     label="scene image")
        return Path(asset.files["image"]).read_bytes(), paid[0]

    def _image_key(self, prompt: str) -> str:
        params = sorted(self.image_params().items())
        return hashlib.sha256(repr((params, prompt)).encode("utf-8")).hexdigest()

    def _remembered(self, key: str) -> bytes | None:
        with self._images_lock:
            data = self._images.get(key)
            if data is not None:
                self._images.move_to_end(key)
            return data

    def _remember(self, key: str, data: bytes) -> None:
        with self._images_lock:
            self._images[key] = data
            self._images.move_to_end(key)
            while len(self._images) > KEPT_IMAGES:
                self._images.popitem(last=False)

    def _checked_extension(self, data: bytes, spent: float) -> str:
        """The file extension of ``data``; ProviderError when it is not an image Pillow can read."""
        from PIL import Image, UnidentifiedImageError
        label = self.display_name()
        problem = ""
        if not data:
            problem = "an empty image"
        elif len(data) > MAX_IMAGE_BYTES:
            problem = f"an image of {len(data) / 2**20:.0f} MB, over the {MAX_IMAGE_BYTES / 2**20:.0f} MB limit"
        else:
            try:
                with Image.open(io.BytesIO(data)) as img:
                    img.verify()
                    kind = (img.format or "").lower()
            except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
                kind, problem = "", "something that is not an image"
            if not problem and kind not in ("png", "jpeg", "webp"):
                problem = f"an image in a format we do not read ({kind or 'unknown'})"
        if problem:
            error = ProviderError(f"{label} sent {problem}.", provider=self.name, retryable=False,
                                  hint="Make this scene again, or choose another clip provider.")
            error.spent_usd = round(spent, 6)
            raise error
        return {"jpeg": "jpg"}.get(kind, kind)
