"""The studio in Streamlit's AppTest, made the way every studio test needs it."""

from __future__ import annotations

import functools
from pathlib import Path

from streamlit.components.v2.component_manager import BidiComponentManager
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "streamlit_app.py"


@functools.cache
def _components() -> BidiComponentManager:
    """Streamlit's registry of installed v2 components, discovered once per test process.

    A new AppTest scans every installed package's metadata for them on its first run (~0.15 s of CPU, and
    the studio tests make hundreds); the answer is the same for the whole process.
    """
    manager = BidiComponentManager()
    manager.discover_and_register_components(start_file_watching=False)
    return manager


def studio_app(timeout: float = 90) -> AppTest:
    """A fresh AppTest of ``streamlit_app.py`` (not run yet): its own session, the process's component registry."""
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at._bidi_component_manager = _components()  # AppTest's own cache of the scan, shared instead of per instance
    return at
