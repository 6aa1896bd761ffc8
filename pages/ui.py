"""Shared pieces of the studio pages: the step bar, job progress, guards, bound widgets, money and sizes.

Everything a page shows comes from the session's ``Studio`` (``session.studio()``); this module only
draws it. Per-person state lives in ``st.session_state`` and nowhere else.
"""

from __future__ import annotations

import base64
import logging
import runpy
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import streamlit as st

from pages import visitor
from pages.session import studio
from viralreel_core import ViralReelError, providers
from viralreel_core.errors import NeedsConfirmation
from viralreel_core.limits import STEPS
from viralreel_core.studio import Studio

_LOGGER = logging.getLogger(__name__)

PAGES = {
    "topic": ("pages/topic.py", "Topic", ":material/lightbulb:"),
    "script": ("pages/script.py", "Script", ":material/edit_note:"),
    "voice": ("pages/voice.py", "Voice", ":material/mic:"),
    "clips": ("pages/clips.py", "Clips", ":material/movie:"),
    "assemble": ("pages/assemble.py", "Assemble", ":material/movie_edit:"),
    "projects": ("pages/projects.py", "Projects", ":material/folder_open:"),
}
STEP_ORDER = STEPS  # the studio's steps, in order (viralreel_core.limits)
STATUS_ICONS = {"ready": ":green[:material/check_circle:]", "stale": ":orange[:material/change_circle:]",
                "missing": ":gray[:material/radio_button_unchecked:]", "working": ":blue[:material/progress_activity:]"}
STATUS_WORDS = {"ready": "ready", "stale": "out of date", "missing": "not made yet", "working": "working…"}
JOB_POLL_SECONDS = 0.5
PROVIDER_STEPS = {"script": "Script writer", "voice": "Voice", "clips": "Clips"}  # steps with a provider picker
shown = visitor.shown  # every message a page puts in front of a visitor goes through it: no server paths


def bind(key: str, get: Callable[[], Any], put: Callable[[Any], None],
         choices: Collection[Any] | None = None) -> dict[str, Any]:
    """Widget arguments that show the studio's value every run and write changes back to it.

    The studio is the one source of truth, so a widget shows the right value on every page and after
    a project is opened, and two widgets for one setting (sidebar and page) never disagree.

    ``choices``: a selectbox's options, when its labels change with other input (e.g. "Auto · English"
    once a topic is typed). The browser sends the label it shows, and a click landing while the run that
    relabels it is under way sends the old one, which Streamlit hands back as the label itself: that is
    not a choice, and is ignored rather than stored.
    """
    st.session_state[key] = get()

    def changed() -> None:
        value = st.session_state[key]
        if choices is None or value in choices:
            put(value)

    return {"key": key, "on_change": changed}


def bind_option(key: str, name: str, choices: Collection[Any] | None = None) -> dict[str, Any]:
    """``bind`` for one of the studio's settings (``studio.options[name]``)."""
    s = studio()
    return bind(key, lambda: s.options[name], lambda v: s.options.__setitem__(name, v), choices)


def bind_caption(key: str, name: str) -> dict[str, Any]:
    """``bind`` for one field of the caption style."""
    s = studio()
    return bind(key, lambda: s.options["captions"][name], lambda v: s.options["captions"].__setitem__(name, v))


# -- page furniture ------------------------------------------------------------------------------

def step_status(step: str) -> str:
    """"done", "working", "partial" or "todo" for the step bar."""
    s = studio()
    if s.busy(step if step != "topic" else "script"):
        return "working"
    if step == "topic":
        return "done" if s.draft is not None else "todo"
    if step == "script":
        if s.script is None:
            return "todo"
        return "partial" if s.draft_pending else "done"
    if step in ("voice", "clips"):
        states = s.states(step) if s.script else []
        ready = sum(x.usable for x in states)
        return "done" if states and ready == len(states) else "partial" if ready else "todo"
    return "done" if s.last_render else "todo"


ENTRY_SCRIPT = Path(__file__).resolve().parents[1] / "streamlit_app.py"


def run_entry_if_skipped() -> None:
    """Run the whole app instead of this page when Streamlit ran the page on its own.

    With a ``pages/`` folder beside the entry script, Streamlit starts in its old multipage mode and,
    until ``st.navigation`` first runs in the process, runs a linked page's file directly (a fresh
    server's first deep link; every ``AppTest`` run). Then the entry script (session set-up, sidebar,
    navigation) is run from here; its ``st.navigation`` switches Streamlit to this app's pages, renders
    the page the person asked for, and this stray run stops.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        runpy.run_path(str(ENTRY_SCRIPT), run_name="__main__")
        st.stop()


# The studio's own styles. On a phone (Streamlit stacks columns below 640 px) the step bar's five links
# become chips on two short rows instead of five full-width rows, the title takes one line, and the
# finished video (the first thing on the Assemble page after a render) fits on the first screen.
STYLE = """<style>
.st-key-final_video video {max-height: 72vh; object-fit: contain; background: #000;}
.st-key-final_video_poster {display: none;}
@media (max-width: 640px) {
  .st-key-step_bar [data-testid="stHorizontalBlock"] {flex-wrap: wrap; gap: .25rem .35rem;}
  .st-key-step_bar [data-testid="stColumn"] {flex: 0 0 auto; width: auto; min-width: 0;}
  .st-key-step_bar [data-testid="stPageLink"] a {padding: .1rem .45rem; min-height: 0;}
  .st-key-step_bar [data-testid="stPageLink"] p {font-size: .8rem;}
  [data-testid="stMain"] h1 {font-size: 1.9rem; padding-top: .5rem;}
  .st-key-final_video video {max-height: 52vh;}
}
</style>"""


def video_poster(key: str, image: Path) -> None:
    """Give the ``<video>`` inside ``st.container(key=key)`` ``image`` as its poster (st.video has no such
    parameter), so the player shows a frame before it plays, as phones do not on their own.

    A script (Streamlit runs it in the page) sets the attribute once the player is there; the image goes
    inline, so no other file is served. Without JavaScript the player simply has no poster.
    """
    data = base64.b64encode(image.read_bytes()).decode("ascii")
    with st.container(key=f"{key}_poster"):  # hidden (STYLE): a script takes no room
        st.html(f"""<script>(function () {{
  const poster = "data:image/jpeg;base64,{data}";
  let tries = 0;
  (function set() {{
    const video = document.querySelector(".st-key-{key} video");
    if (video) {{ if (video.getAttribute("poster") !== poster) video.setAttribute("poster", poster); return; }}
    if (tries++ < 100) setTimeout(set, 100);
  }})();
}})();</script>""", unsafe_allow_javascript=True)


def header(step: str, subtitle: str) -> Studio:
    """The page title, the five-step bar, and any notices; returns the studio."""
    run_entry_if_skipped()
    s = studio()
    path, title, icon = PAGES[step]
    st.html(STYLE)  # style only: Streamlit puts it aside, taking no room on the page
    if step in STEP_ORDER:
        bar = st.container(key="step_bar").columns(len(STEP_ORDER))
        marks = {"done": ":green[:material/check_circle:]", "working": ":blue[:material/progress_activity:]",
                 "partial": ":orange[:material/pending:]", "todo": ":gray[:material/radio_button_unchecked:]"}
        for col, name in zip(bar, STEP_ORDER, strict=True):
            p, t, i = PAGES[name]
            number = STEP_ORDER.index(name) + 1
            text = f":primary[**{number} · {t}**]" if name == step else f"{number} · {t}"
            col.page_link(p, label=f"{marks[step_status(name)]} {text}", width="stretch")
        st.title(f"{icon} Step {STEP_ORDER.index(step) + 1} · {title}")
    else:
        st.title(f"{icon} {title}")
    st.caption(subtitle)
    for notice in s.notices:
        st.info(shown(notice), icon=":material/info:")
    for line in s.take_news():  # once: gone on the next run
        st.info(shown(line), icon=":material/stop_circle:")
    return s


def need(message: str, step: str, action: str) -> None:
    """Say what is missing, link to the step that provides it, and stop drawing this page."""
    path, title, icon = PAGES[step]
    st.info(message, icon=":material/arrow_forward:")
    st.page_link(path, label=f"{action} — go to {title}", icon=icon)
    st.stop()


def need_script(message: str) -> None:
    """``need`` for the pages that work from the accepted script: to Script to accept a draft, or
    straight to Topic when there is no draft to accept yet."""
    if studio().draft is None:
        need(f"{message} Start from a topic: the writer drafts a script for you to review.", "topic",
             "Write a script")
    need(f"{message} Review the draft and accept it.", "script", "Accept the script")


def link(step: str, label: str) -> None:
    path, _, icon = PAGES[step]
    st.page_link(path, label=label, icon=icon)


def show_errors(step: str, pending: bool = True) -> None:
    """The step's errors as readable messages (what happened, what to do); scenes that worked stay.

    ``pending=False`` (every scene of the step is ready now, e.g. after switching back to the offline
    provider): the errors are settled and forgotten.
    """
    s = studio()
    if not pending:
        s.errors.pop(step, None)
    errors = s.errors.get(step) or []
    for message in errors:
        st.error(shown(message), icon=":material/error:")
    if errors and step in PROVIDER_STEPS and not s.is_offline(step):
        st.caption(f"To carry on without {s.provider_names()[step]}, choose **local** for "
                   f"*{PROVIDER_STEPS[step]}* under Providers in the sidebar: it is free and works offline.")


def job_panel(step: str) -> None:
    """Live progress of the step's background job; when it ends, the whole page redraws with its result."""
    s = studio()
    if s.jobs.get(step) is None:
        return

    @st.fragment(run_every=JOB_POLL_SECONDS)
    def panel() -> None:
        job = s.jobs.get(step)
        if job is None or job.done:
            st.rerun()  # the app run applies the result (Studio.poll) and draws it
        snap = job.snapshot()
        waiting = " · waiting for a turn" if snap["place"] else ""
        with st.status(f"{snap['label']} · {snap['elapsed']:.0f} s{waiting}", state="running", expanded=True):
            st.progress(snap["fraction"], text=snap["message"])
            if snap["scenes"]:
                cols = st.columns(min(6, len(snap["scenes"])))
                for i, (number, fraction) in enumerate(sorted(snap["scenes"].items())):
                    mark = STATUS_ICONS["ready" if fraction >= 1 else "working" if fraction > 0 else "missing"]
                    cols[i % len(cols)].caption(f"{mark} Scene {number}")
            if snap["can_stop"] or snap["stopping"]:
                st.button("Stop", key=f"stop_{step}", icon=":material/stop_circle:", disabled=snap["stopping"],
                          help="Stop this work; the scenes already made are kept."
                               + (" Paid tasks in flight are cancelled." if s.cancels_paid_work(step) else ""),
                          on_click=s.stop, args=(step,))

    panel()


def start_failed(exc: ViralReelError) -> None:
    """What a page shows when starting work failed: the reason, or (for a paid step above the threshold)
    a fresh run that draws the confirmation panel."""
    if isinstance(exc, NeedsConfirmation):
        st.rerun()
    st.error(shown(exc), icon=":material/error:")


def confirm_panel(step: str) -> None:
    """A paid start waiting for the person's yes, with its estimated cost (``Studio.wallet.pending``)."""
    s = studio()
    asked = s.wallet.pending.get(step)
    if asked is None or s.busy(step):
        return
    left = s.wallet.budget.remaining() if s.wallet.budget is not None else None
    if left is not None and asked["cost"] > left + 1e-9:  # spent meanwhile (another session): no longer offered
        s.wallet.pending.pop(step, None)
        st.error(f"This would cost about {money(asked['cost'])}, and today's spending limit leaves "
                 f"{money(left)}. Do fewer scenes at a time, or use the free offline providers.",
                 icon=":material/payments:")
        return
    within = f" Today's limit leaves {money(left)}." if left is not None else ""
    with st.container(border=True):
        st.warning(f"This will use **{s.provider_names()[step]}** and is estimated to cost "
                   f"**{money(asked['cost'])}**.{within} Go ahead?", icon=":material/payments:")
        yes, no = st.columns(2)
        if yes.button(f"Spend about {money(asked['cost'])}", type="primary", key=f"confirm_{step}", width="stretch"):
            try:
                s.confirm(step)
            except ViralReelError as exc:
                st.error(shown(exc), icon=":material/error:")
            else:
                st.rerun()
        if no.button("Cancel", key=f"cancel_{step}", width="stretch"):
            s.wallet.pending.pop(step, None)
            st.rerun()


def background_work(current_step: str) -> None:
    """In the sidebar: work running for other steps, so it is seen (and applied) from any page."""
    s = studio()
    if not any(not job.done for step, job in s.jobs.items() if step != current_step):
        return

    @st.fragment(run_every=JOB_POLL_SECONDS * 2)
    def working() -> None:
        others = {step: job for step, job in s.jobs.items() if step != current_step}
        if not others or any(job.done for job in others.values()):
            st.rerun()
        st.caption("Working in the background")
        for job in others.values():
            snap = job.snapshot()
            st.progress(snap["fraction"], text=snap["label"])

    working()


def money(dollars: float) -> str:
    return "$0" if not dollars else f"${dollars:,.2f}" if dollars >= 0.1 else f"${dollars:,.4f}"


def size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def provider_choices(step: str, option: str) -> tuple[list[str], Callable[[str], str]]:
    """The provider names for a picker and a pure label function: each provider's declared display name
    (``auto`` says what it resolves to)."""
    s = studio()
    choices = providers.available(step)
    if s.options[option] not in choices:
        choices.append(s.options[option])

    def label(name: str) -> str:
        try:
            return providers.provider_class(step, name).display_name()
        except ViralReelError:
            return name

    try:
        auto = f"auto → {label(providers.resolve_name(step, 'auto', s.settings()))}"
    except ViralReelError:
        auto = "auto"
    labels = {name: auto if name == "auto" else label(name) for name in choices}
    return choices, lambda name: labels.get(name, name)
