"""The five service fakes running, with the environment pointing the real providers at them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import SimpleNamespace

from tests.fakes.servers import FakeElevenLabs, FakeOpenAI, FakePexels, FakePixabay, FakeRunway

KEYS = {
    "OPENAI_API_KEY": "sk-rel-OPENAI-SECRET-0011223344556677",
    "ELEVENLABS_API_KEY": "el-rel-ELEVEN-SECRET-8899aabbccddeeff",
    "RUNWAYML_API_SECRET": "key_" + "7e1a817e1a81" * 10 + "7e1a817e",
    "PEXELS_API_KEY": "px-rel-PEXELS-SECRET-0f1e2d3c4b5a6978",
    "PIXABAY_API_KEY": "48151623-pxbSECRET0a1b2c3d4e5f60718293",
}


@contextlib.contextmanager
def serving(monkeypatch) -> Iterator[SimpleNamespace]:
    """Start the fakes and set keys, base URLs and short waits in the environment (also seen by child
    processes): the fakes answer at once, so retries wait 10 ms and Runway is polled every 10 ms."""
    with FakeOpenAI(KEYS["OPENAI_API_KEY"]) as openai_api, \
            FakeElevenLabs(KEYS["ELEVENLABS_API_KEY"]) as elevenlabs_api, \
            FakeRunway(KEYS["RUNWAYML_API_SECRET"]) as runway_api, \
            FakePexels(KEYS["PEXELS_API_KEY"]) as pexels_api, \
            FakePixabay(KEYS["PIXABAY_API_KEY"]) as pixabay_api:
        for var, key in KEYS.items():
            monkeypatch.setenv(var, key)
        monkeypatch.setenv("OPENAI_BASE_URL", f"{openai_api.url}/v1")
        monkeypatch.setenv("ELEVENLABS_BASE_URL", elevenlabs_api.url)
        monkeypatch.setenv("RUNWAYML_BASE_URL", runway_api.url)
        monkeypatch.setenv("PEXELS_BASE_URL", pexels_api.url)
        monkeypatch.setenv("PIXABAY_BASE_URL", pixabay_api.url)
        monkeypatch.setenv("VIRALREEL_RETRY_BACKOFF", "0.01")  # read by settings_from_env, like the keys
        monkeypatch.setenv("VIRALREEL_RETRY_JITTER", "0")
        monkeypatch.setenv("VIRALREEL_POLL_INTERVAL", "0.01")
        yield SimpleNamespace(openai=openai_api, elevenlabs=elevenlabs_api, runway=runway_api, pexels=pexels_api,
                              pixabay=pixabay_api, all=(openai_api, elevenlabs_api, runway_api, pexels_api,
                                                        pixabay_api))
