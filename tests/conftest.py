"""Shared fixtures: a clean environment, a temp cache per test, small frames, in-process fake providers."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from tests.fakes.providers import FakeClipMaker, FakeScriptWriter, FakeVoice, SlowClipMaker
from tests.services import RedisServer
from viralreel_core import providers
from viralreel_core.cache.store import AssetCache
from viralreel_core.config import Settings
from viralreel_core.environment import WAIT_ENVS, settings_from_env
from viralreel_core.media import resources
from viralreel_core.studio import published

providers.register("script", "fake", FakeScriptWriter)
providers.register("voice", "fake", FakeVoice)
providers.register("clips", "fake", FakeClipMaker)
providers.register("clips", "slow", SlowClipMaker)

SMALL = {"width": 180, "height": 320}
_PUBLISHED_BEFORE = pytest.StashKey[set]()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No real keys or base URLs leak into a test from the machine; jobs go to a queue of the test's own."""
    variables = [*(s.key_env for s in providers.services().values()), *providers.base_url_envs().values()]
    for var in [*variables, "VIRALREEL_CACHE_DIR",
                "VIRALREEL_OUTPUT_DIR", "VIRALREEL_PIPER_VOICE", "VIRALREEL_PIPER_VOICES_URL",
                "VIRALREEL_PIPER_VOICES_DIR", "VIRALREEL_QUEUE_LIMIT",
                "VIRALREEL_JOB_HEARTBEAT", "VIRALREEL_JOB_STALE_AFTER", "VIRALREEL_API_TOKEN",
                "VIRALREEL_API_TOKENS", "VIRALREEL_API_TOKENS_FILE", *WAIT_ENVS.values()]:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("VIRALREEL_QUEUE_URL", f"sqlite:///{tmp_path / 'queue' / 'jobs.db'}")
    monkeypatch.setenv("VIRALREEL_PIPER_VOICES_URL", "http://127.0.0.1:9")  # never the real voice catalogue
    before = resources.use_limits(resources.Limits())  # the machine's own figures unless a test says others
    yield
    resources.use_limits(before)


@pytest.fixture
def machine():
    """Tell this process its CPUs and memory, as the edge does (``machine(cpus=1, memory_mb=690)``);
    ``clean_environment`` puts the machine's own figures back afterwards."""
    return lambda **limits: resources.use_limits(resources.Limits(**limits))


def _published() -> set[Path]:
    folder = published.STATIC_DIR / published.FOLDER
    return set(folder.iterdir()) if folder.is_dir() else set()


def pytest_collection_modifyitems(config, items):
    """Files marked ``waits`` (a real browser, worker processes: long, mostly waiting) run first. With ``-n 2
    --dist loadfile`` the other worker's files then use the cores they leave idle; collected in name order they
    came last, where nothing was left to fill their waits and the run's last minutes kept a core idle."""
    items.sort(key=lambda item: item.get_closest_marker("waits") is None)  # stable: the files stay whole


def pytest_collection_finish(session):
    """What collection imported (every test module, the product, Streamlit) goes to the collector's permanent
    generation: each full collection a test causes (a studio step ends with one) then skips it, where it walked
    all of it (~0.1–0.3 s a collection in a worker)."""
    gc.collect()
    gc.freeze()


def pytest_sessionstart(session):
    """Note the videos already published for streaming (``static/v/``): the tests' own go when they end."""
    if not hasattr(session.config, "workerinput"):  # the run itself (with -n, not each worker)
        session.config.stash[_PUBLISHED_BEFORE] = _published()


def pytest_sessionfinish(session, exitstatus):
    """Remove what the tests' pages published, once every worker is done (a worker's end is not the run's)."""
    if hasattr(session.config, "workerinput") or _PUBLISHED_BEFORE not in session.config.stash:
        return
    for path in _published() - session.config.stash[_PUBLISHED_BEFORE]:
        path.unlink(missing_ok=True)


@pytest.fixture
def cache_dir(tmp_path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def cache(cache_dir):
    c = AssetCache(cache_dir)
    yield c
    c.close()


@pytest.fixture
def fakes():
    """Reset the fake providers' call logs and queued failures."""
    for cls in (FakeScriptWriter, FakeVoice, FakeClipMaker, SlowClipMaker):
        cls.reset()
    return FakeScriptWriter, FakeVoice, FakeClipMaker


@pytest.fixture
def fake_settings(tmp_path, cache_dir, fakes) -> Settings:
    """Small frames, fake providers, a temp cache and output folder."""
    return settings_from_env(environ={}, script_provider="fake", voice_provider="fake", clip_provider="fake",
                             cache_dir=cache_dir, output_dir=tmp_path / "out", **SMALL)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    """A real redis-server on a free port, one per test module."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.close()


@pytest.fixture(params=["sqlite", "redis"])
def queue_url(request, tmp_path):
    """The job queue's URL on each backend: a SQLite file of the test's own, or the module's Redis."""
    if request.param == "redis":
        return request.getfixturevalue("redis_server").url
    return f"sqlite:///{tmp_path / 'jobs.db'}"
