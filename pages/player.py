"""A video on a page, played and downloaded from disk by URL (``studio.published``), never held in memory.

Where the app's static serving is off (``server.enableStaticServing``) or the file cannot be published,
the video goes through Streamlit's in-memory media store as before: it still works, at that cost.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import streamlit as st

from viralreel_core.studio.published import publish

__all__ = ["download", "video"]

# the look of the primary button (.streamlit/config.toml's primaryColor and radius), for a plain link
_BUTTON = ("display:inline-flex;align-items:center;gap:0.4rem;padding:0.45rem 0.9rem;border-radius:0.6rem;"
           "background:#FF3D7F;color:#FFFFFF;text-decoration:none;font-weight:600")


def _url(path: Path) -> str | None:
    return publish(path) if st.get_option("server.enableStaticServing") else None


def video(path: str | Path, where: Any = st, **options: Any) -> None:
    """``st.video`` of the MP4 at ``path``, streamed from disk (``options``: e.g. ``muted=True``)."""
    path = Path(path)
    where.video(_url(path) or str(path), format="video/mp4", **options)


def download(path: str | Path, key: str, where: Any = st, label: str = "Download MP4") -> None:
    """A download of the MP4 at ``path``: a link the browser saves from disk, not bytes kept in the page."""
    path = Path(path)
    url = _url(path)
    if url is None:
        with open(path, "rb") as data:
            where.download_button(label, data, file_name=path.name, mime="video/mp4", key=key,
                                  icon=":material/download:", type="primary")
        return
    # relative, so that it works under a base URL path too; the download attribute names the saved file
    where.markdown(f'<a href="{html.escape(url.lstrip("/"))}" download="{html.escape(path.name)}" '
                   f'style="{_BUTTON}">⬇ {html.escape(label)}</a>', unsafe_allow_html=True)
