"""The Assemble step's post kit: the cover, the title, description and hashtags to edit before posting, and
each file (captions as SRT and WebVTT, the cover, the kit as JSON) to download alone or all in one ZIP."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from viralreel_core.errors import ViralReelError
from viralreel_core.post.kit import HASHTAGS_MAX, HASHTAGS_MIN, TITLE_MAX_CHARS, kit_zip
from viralreel_core.studio import Studio

#: the kit's files as offered for download: (field, button label, MIME type)
DOWNLOADS = (("srt_path", "Captions (SRT)", "application/x-subrip"), ("vtt_path", "Captions (VTT)", "text/vtt"),
             ("cover_path", "Cover (JPG)", "image/jpeg"), ("json_path", "Kit (JSON)", "application/json"))


def _save(studio: Studio, ident: str) -> None:
    state = st.session_state
    try:
        studio.edit_post_kit(state[f"post_title_{ident}"], state[f"post_description_{ident}"],
                             state[f"post_hashtags_{ident}"])
    except ViralReelError as exc:
        state["post_kit_error"] = str(exc)
    else:
        state["post_kit_saved"] = True


def show_post_kit(studio: Studio) -> None:
    """The last render's post kit, when it has one."""
    kit = studio.post_kit()
    if kit is None:
        return
    ident = Path(studio.last_render["video_path"]).stem if studio.last_render else "kit"
    st.subheader("Post kit")
    st.caption("Everything a platform asks for besides the video. Edit the texts before posting; the captions "
               "files are the burned-in captions, for accessibility and search.")
    cover_col, text_col = st.columns([1, 2], gap="large")
    with cover_col:
        if kit.cover_path and Path(kit.cover_path).is_file():
            st.image(kit.cover_path, caption="Cover", width="stretch")
    with text_col:
        with st.form(f"post_kit_{ident}", border=False):
            st.text_input("Title", kit.title, max_chars=TITLE_MAX_CHARS, key=f"post_title_{ident}")
            st.text_area("Description", kit.description, height=140, key=f"post_description_{ident}")
            st.text_input("Hashtags", " ".join(kit.hashtags), key=f"post_hashtags_{ident}",
                          help=f"{HASHTAGS_MIN} to {HASHTAGS_MAX}, separated by spaces.")
            # saved in the callback, before the page is drawn again: the cover beside shows the new title at once
            st.form_submit_button("Save the texts", icon=":material/save:", key="post_kit_save", on_click=_save,
                                  args=(studio, ident))
        if problem := st.session_state.pop("post_kit_error", None):
            st.error(problem, icon=":material/error:")
        elif st.session_state.pop("post_kit_saved", False):
            st.toast("Saved: the kit's JSON and its cover have the new texts.", icon=":material/check:")
    files = kit.files()
    columns = st.columns(len(DOWNLOADS) + 1)
    for column, (name, label, mime) in zip(columns, DOWNLOADS, strict=False):
        if name in files:
            column.download_button(label, files[name].read_bytes(), file_name=files[name].name, mime=mime,
                                   icon=":material/download:", key=f"download_{name}", width="stretch",
                                   on_click="ignore")
    columns[-1].download_button("All as ZIP", kit_zip(kit), file_name=f"{ident}.post-kit.zip", mime="application/zip",
                                icon=":material/folder_zip:", key="download_post_kit", type="primary",
                                width="stretch", on_click="ignore")
