"""Reading the provider registry stays cheap: no heavy third-party package is imported just to list the
providers and their services (issue 11: an unchanged re-render builds Settings, which asks every provider
class what it declares). The SDKs and array/image libraries load where they are used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("openai", "numpy", "PIL", "moviepy")

_PROBE = f"""
import json, sys
from viralreel_core.environment import settings_from_env
from viralreel_core import providers
from viralreel_core.config import Settings
providers.classes()
providers.services()
settings_from_env()
print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
"""


def _loaded(code: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_listing_providers_and_reading_settings_imports_no_heavy_package():
    assert _loaded(_PROBE) == []


@pytest.mark.slow
def test_the_probe_sees_a_heavy_import_when_one_happens():
    # the same probe, after something that does need the SDK: proves the check can fail
    assert _loaded(_PROBE.replace("settings_from_env()", "settings_from_env(); import openai, numpy")) == [
        "numpy", "openai"]
