"""The Assemble page's *Publish to YouTube* section, the owner's alone: connect the channel once, publish the
render (a Short when vertical and up to 3 minutes; private by default), follow the upload, disconnect.

The channel is the owner's, so a visitor on a shared studio sees neither the connection nor its controls.
Connecting opens Google's consent page in a new tab; Google sends that tab back to the studio's address with
``?code=…&state=…``, which ``setup`` (run first on every page load) trades for tokens kept in the server's
token file, never in the session, the page or a job. Where Google's answer cannot reach the studio, the
owner pastes the address the browser ended on. The rules live in ``viralreel_core.publish``.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import streamlit as st

from pages import session, visitor
from viralreel_core.errors import BadInput, ViralReelError
from viralreel_core.media.ffmpeg import probe
from viralreel_core.publish import jobs as publish_jobs
from viralreel_core.publish.youtube_auth import (
    Login,
    PendingLogins,
    YouTubeConfig,
    begin_login,
    finish_login,
    read_redirect,
    revoke,
)
from viralreel_core.publish.youtube_post import PRIVACY, SHORTS_MAX_SECONDS, VideoPost, is_short, post_defaults

__all__ = ["section", "setup"]

POLL_SECONDS = 1.0
PRIVACY_LABELS = {"private": "Private (only you)", "unlisted": "Unlisted (anyone with the link)",
                  "public": "Public"}


@st.cache_resource(show_spinner=False)
def _pending() -> PendingLogins:
    """Connections started on this server, waiting for Google's answer (it comes back in another session)."""
    return PendingLogins()


def _config() -> YouTubeConfig:
    secrets = {k: str(v) for k, v in visitor.secrets_dict().items() if isinstance(v, str | int | float)}
    return YouTubeConfig.from_env({**os.environ, **secrets})


def setup() -> None:
    """Run first on every page load: let this server's workers publish, and finish a connection when this
    page is Google's answer (``?code=…&state=…``); such a page says what happened and stops."""
    config = _config()
    publish_jobs.register(config)
    params = st.query_params
    if "state" not in params or ("code" not in params and "error" not in params):
        return
    answer = urlencode({k: params.get(k) for k in ("code", "state", "error") if params.get(k)})
    state = str(params.get("state") or "")
    st.query_params.clear()  # the code leaves the address bar at once
    login = _pending().take(state)
    try:
        if login is None:
            raise BadInput("This answer from Google belongs to no connection started on this studio "
                           "(or it is over 15 minutes old).", hint="Start Connect again from the studio.")
        code, state = read_redirect(f"?{answer}")
        config.store().save(finish_login(config, login, code, state))
    except ViralReelError as exc:
        st.error(str(exc), icon=":material/link_off:")
        st.stop()
    st.success("The YouTube channel is connected. Go back to the studio's tab to publish; this tab can be closed.",
               icon=":material/check_circle:")
    st.stop()


def _studio_address() -> str:
    """Where Google sends the browser back: ``YOUTUBE_REDIRECT_URI``, else this studio's own address."""
    parts = urlsplit(str(st.context.url or "http://localhost:8501/"))
    return f"{parts.scheme}://{parts.netloc}/"


@st.cache_data(show_spinner=False, max_entries=64)
def _shape(path: str, mtime: float) -> tuple[bool, float]:
    try:
        info = probe(path)
    except ViralReelError:
        return False, 0.0
    return is_short(info), info.duration


def section(video: Path, fallback_title: str = "") -> None:
    """The section under a finished render."""
    st.subheader("Publish to YouTube")
    if not session.is_owner():
        st.caption(":material/lock: Publishing goes to the studio owner's YouTube channel, so only the owner can "
                   "publish from here. Download the MP4 to post it yourself.")
        return
    config = _config()
    if not config.configured:
        st.info("To publish from here, set up your own Google OAuth client once and put its "
                "`YOUTUBE_CLIENT_ID` and `YOUTUBE_CLIENT_SECRET` in Secrets or the environment: the README's "
                "*Publishing to YouTube* has the steps.", icon=":material/smart_display:")
        return
    try:
        tokens = config.store().load()
    except ViralReelError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    if problem := st.session_state.pop("youtube_error", None):
        st.error(problem, icon=":material/error:")
    if tokens is None:
        _connect(config)
        return
    st.session_state.pop("youtube_login", None)  # finished in Google's tab: a later Connect starts afresh
    _form(config, video, fallback_title)
    _progress()
    since = datetime.fromtimestamp(tokens.connected_at).strftime("%Y-%m-%d") if tokens.connected_at else "earlier"
    left, right = st.columns([3, 1])
    left.caption(f":material/verified: A YouTube channel is connected (since {since}). The connection is kept "
                 "on this server only.")
    right.button("Disconnect the channel", key="youtube_disconnect", icon=":material/link_off:",
                 on_click=_disconnect, width="stretch")


# -- connecting --------------------------------------------------------------------------------------

def _connect(config: YouTubeConfig) -> None:
    login: Login | None = st.session_state.get("youtube_login")
    if login is None or login.expired():
        st.caption("Connect the channel to publish to, once: Google asks its owner to allow uploads.")
        st.button("Connect a YouTube channel", key="youtube_connect", icon=":material/add_link:", type="primary",
                  on_click=_start_login)
        return
    st.link_button("Open Google to allow uploads", login.url, type="primary", icon=":material/open_in_new:")
    st.caption("Sign in with the channel's Google account and choose Allow. Google then opens the studio in "
               "that tab; come back here afterwards.")
    st.text_input("Or paste the address the browser ended on", type="password", key="youtube_pasted",
                  on_change=_pasted, autocomplete="off",
                  help="When the page Google sends you to does not load (a Desktop-app client), its address "
                       "still holds the answer.")
    store = config.store()

    @st.fragment(run_every=POLL_SECONDS * 2)
    def waiting() -> None:
        if store.connected():
            st.session_state.pop("youtube_login", None)
            st.rerun()

    waiting()


def _start_login() -> None:
    if not session.is_owner():
        return
    config = _config()
    try:
        login = begin_login(config, config.redirect_uri or _studio_address())
    except ViralReelError as exc:
        st.session_state["youtube_error"] = str(exc)
        return
    _pending().add(login)
    st.session_state["youtube_login"] = login


def _pasted() -> None:
    pasted = str(st.session_state.get("youtube_pasted") or "")
    st.session_state["youtube_pasted"] = ""  # never sent back to the browser
    login: Login | None = st.session_state.get("youtube_login")
    if not session.is_owner() or login is None or not pasted.strip():
        return
    config = _config()
    try:
        code, state = read_redirect(pasted)
        config.store().save(finish_login(config, login, code, state))
    except ViralReelError as exc:
        st.session_state["youtube_error"] = str(exc)
        return
    _pending().take(login.state)
    st.session_state.pop("youtube_login", None)
    st.toast("The YouTube channel is connected.", icon=":material/check_circle:")


def _disconnect() -> None:
    """One button: Google is told to revoke the access, and the token file is deleted."""
    if not session.is_owner():
        return
    config = _config()
    store = config.store()
    try:
        tokens = store.load()
    except ViralReelError:
        tokens = None
    told = tokens is not None and revoke(config, tokens)
    store.delete()
    st.session_state.pop("youtube_job", None)
    st.toast("The channel is disconnected." if told or tokens is None else
             "Disconnected here; Google could not be told: remove the access at myaccount.google.com/permissions.",
             icon=":material/link_off:")


# -- publishing ---------------------------------------------------------------------------------------

def _form(config: YouTubeConfig, video: Path, fallback_title: str) -> None:
    kit = post_defaults(video, fallback_title)
    short, seconds = _shape(str(video), video.stat().st_mtime)
    key = video.stem  # a new render starts from its own post kit
    with st.form(f"youtube_form_{key}", border=True):
        title = st.text_input("Title on YouTube", kit["title"], max_chars=100, key=f"yt_title_{key}")
        description = st.text_area("Description on YouTube", kit["description"], key=f"yt_description_{key}",
                                   height=100)
        tags = st.text_input("Tags", ", ".join(kit["tags"]), key=f"yt_tags_{key}", help="Separated by commas.")
        a, b = st.columns(2)
        privacy = a.selectbox("Visibility", PRIVACY, format_func=PRIVACY_LABELS.__getitem__, key=f"yt_privacy_{key}",
                              help="Private by default: check it on YouTube, then make it public there.")
        with b:
            kids = st.checkbox("Made for kids", value=False, key=f"yt_kids_{key}",
                               help="YouTube's 'made for kids' declaration (COPPA); comments and some features "
                                    "are turned off for such videos.")
            synthetic = st.checkbox("Contains realistic altered or synthetic content", value=True,
                                    key=f"yt_synthetic_{key}",
                                    help="YouTube's disclosure for content made or changed with AI that looks "
                                         "real (voices, generated footage).")
            cover = st.checkbox("Use the cover as thumbnail", value=kit["cover"] is not None,
                                disabled=kit["cover"] is None, key=f"yt_cover_{key}",
                                help="Where the channel may set custom thumbnails (a verified channel).")
        shape = (f"a **Short** (vertical, {seconds:.0f} s)" if short else
                 f"a **video** (Shorts are vertical or square and up to {SHORTS_MAX_SECONDS / 60:.0f} minutes)")
        st.caption(f"It goes up as {shape}.")
        sent = st.form_submit_button("Publish to YouTube", icon=":material/publish:", type="primary",
                                     disabled=_running())
    if sent:
        post = VideoPost(video, title, description, tuple(t for t in tags.split(",") if t.strip()), privacy, kids,
                         synthetic, kit["cover"] if cover else None)
        try:
            publish_jobs.register(config)
            job = publish_jobs.submit(session.studio().engine.queue, post, video_id=video.stem.rsplit("_", 1)[-1],
                                      workspace=session.workspace().name)
        except ViralReelError as exc:
            st.error(str(exc), icon=":material/error:")
            return
        st.session_state["youtube_job"] = job.id
        st.rerun()


def _job():
    """This session's publish job, if it is this workspace's."""
    job_id = st.session_state.get("youtube_job")
    job = session.studio().engine.queue.get(job_id) if job_id else None
    return job if job is not None and job.params.get("workspace") == session.workspace().name else None


def _running() -> bool:
    job = _job()
    return job is not None and not job.finished


def _progress() -> None:
    job = _job()
    if job is None:
        return
    if not job.finished:
        @st.fragment(run_every=POLL_SECONDS)
        def uploading() -> None:
            current = _job()
            if current is None or current.finished:
                st.rerun()
            progress = current.progress or {}
            st.progress(float(progress.get("fraction") or 0.0), text=str(progress.get("message") or "Waiting"))
            st.button("Stop", key="youtube_stop", icon=":material/stop_circle:",
                      on_click=session.studio().engine.queue.cancel, args=(current.id,),
                      help="Stop the upload; publishing again goes on from where it stopped.")

        uploading()
        return
    result = job.result or {}
    if job.state == "succeeded":
        st.success(f"Published as {'a Short' if result.get('short') else 'a video'} ({result.get('privacy')}): "
                   f"[{result.get('url')}]({result.get('url')})", icon=":material/check_circle:")
        for line in result.get("warnings") or []:
            st.warning(line, icon=":material/image_not_supported:")
    elif job.state == "cancelled":
        st.info("The upload was stopped. Publish again to go on from where it stopped.", icon=":material/pause:")
    else:
        error = job.error or {}
        st.error(f"{error.get('message') or 'Publishing failed.'} {error.get('hint') or ''}".strip(),
                 icon=":material/error:")
