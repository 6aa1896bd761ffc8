"""Shared by the YouTube publishing tests: the fake Google's settings, a channel connected through the real
consent flow, and videos of a given shape (tiny test patterns, or incompressible noise for chunked uploads)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import requests

from tests.fakes.google import FakeGoogle
from viralreel_core.media.ffmpeg import ffmpeg_exe
from viralreel_core.publish.youtube_auth import (
    GoogleEndpoints,
    YouTubeConfig,
    begin_login,
    finish_login,
    read_redirect,
)

__all__ = ["config_for", "connect", "environment_for", "make_video"]


def environment_for(fake: FakeGoogle, config_dir: Path) -> dict[str, str]:
    """The variables that point the app at ``fake`` with its OAuth client, tokens under ``config_dir``."""
    return {"YOUTUBE_CLIENT_ID": fake.client_id, "YOUTUBE_CLIENT_SECRET": fake.client_secret,
            "GOOGLE_OAUTH_BASE_URL": fake.url, "YOUTUBE_API_BASE_URL": fake.url,
            "VIRALREEL_CONFIG_DIR": str(config_dir)}


def config_for(fake: FakeGoogle, config_dir: Path) -> YouTubeConfig:
    return YouTubeConfig.from_env(environment_for(fake, config_dir))


def connect(config: YouTubeConfig, redirect_uri: str = "http://127.0.0.1:9/") -> None:
    """Connect the channel as a person would: open the consent page, take the address Google sends the
    browser to (it does not load: nothing listens there), trade its code for tokens, keep them."""
    assert isinstance(config.endpoints, GoogleEndpoints)
    login = begin_login(config, redirect_uri)
    answer = requests.get(login.url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    config.store().save(finish_login(config, login, *read_redirect(answer.headers["Location"])))


def make_video(path: Path, width: int = 144, height: int = 256, seconds: float = 1.0, noise: bool = False) -> Path:
    """A real H.264 MP4 of this shape; ``noise``: lossless random pixels (about 1.4 MB a second at 144×256)."""
    source = (f"nullsrc=s={width}x{height}:r=24:d={seconds},geq=random(1)*255:128:128" if noise
              else f"testsrc2=size={width}x{height}:rate=24:duration={seconds}")
    codec = ["-qp", "0"] if noise else []
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", source, "-pix_fmt", "yuv420p",
                    "-c:v", "libx264", *codec, "-preset", "ultrafast", "-movflags", "+faststart", str(path)],
                   check=True, capture_output=True)
    return path
