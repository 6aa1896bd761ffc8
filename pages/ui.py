"""Shared pieces of the studio pages: the session's studio, the step bar, job progress, guards, bound widgets.

Everything a page shows comes from the session's ``Studio`` (``viralreel_core.studio``); this module
only draws it. Per-person state lives in ``st.session_state`` and nowhere else.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import runpy
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import streamlit as st

from pages import visitor
from viralreel_core import ApiKeys, AssetCache, Settings, ViralReelError, providers
from viralreel_core.errors import NeedsConfirmation
from viralreel_core.limits import STEPS
from viralreel_core.studio import Studio, StudioConfig
from viralreel_core.studio.engine import engine_for
from viralreel_core.studio.lines import GATES, MAX_JOBS, MAX_JOBS_PER_WORKSPACE, MAX_RENDERS, limit
from viralreel_core.studio.live import LIVE, workspace_key
from viralreel_core.studio.warmup import warm_voice
from viralreel_core.workspace.projects import ProjectStore
from viralreel_core.workspace.spending import Budget, confirm_threshold
from viralreel_core.workspace.workspaces import Workspace

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


# -- the edge: settings, keys and the studio -----------------------------------------------------

@st.cache_resource(show_spinner=False)
def shared_cache(directory: str, size_limit: int) -> AssetCache:
    """One asset cache per directory for every session of this server (diskcache is thread-safe)."""
    return AssetCache(directory, size_limit)


@st.cache_resource(show_spinner=False)
def _voice_warmed(_settings: Settings, voice_provider: str, voice_path: str) -> bool:
    """Once per server (and voice): the offline voice model starts loading in the background."""
    return warm_voice(_settings) is not None


def _secrets() -> dict[str, str]:
    return {k: str(v) for k, v in visitor.secrets_dict().items() if isinstance(v, str | int | float)}


def key_sources() -> dict[str, str]:
    """Per service, where its key comes from: "typed", "secrets", "environment" or "" (never the key).

    The owner's keys (secrets, environment) count only for the owner (see ``pages/visitor.py``).
    """
    secrets = _secrets()
    owner = st.session_state.get("owner", True)
    sources = {}
    for service, var in providers.key_envs().items():
        if typed_keys().get(service):
            sources[service] = "typed"
        elif owner and str(secrets.get(var, "")).strip():
            sources[service] = "secrets"
        elif owner and os.environ.get(var, "").strip():
            sources[service] = "environment"
        else:
            sources[service] = ""
    return sources


def typed_keys() -> dict[str, str]:
    """Keys typed into the sidebar this session (memory only; a widget's own state would not survive
    every page change)."""
    return st.session_state.setdefault("typed_keys", {})


def remember_typed_key(service: str) -> None:
    """on_change of a key field: keep what was typed, then empty the field.

    The key is never sent back to the browser: left in the field it would come back with every page and
    the field's eye button would show it. The field's placeholder says a key was typed in; *Forget typed
    keys* drops it.
    """
    typed = str(st.session_state.get(f"key_{service}") or "").strip()
    if typed:
        typed_keys()[service] = typed
    st.session_state[f"key_{service}"] = ""


def setup() -> Studio:
    """The session's studio in its visitor's workspace, with this run's settings and keys (typed >
    st.secrets > environment; the last two only for the owner)."""
    environ = {**os.environ, **_secrets()}
    try:
        config = StudioConfig.from_env(environ)
        base = Settings.from_env(environ=environ)
        who = visitor.identify(environ, config.projects_dir, base.output_dir)
        budget = Budget.from_values(visitor.workspaces_root(environ) / "spending.json", environ)
        confirm_above = confirm_threshold(environ)
        GATES.configure(environ)
        max_jobs = limit(environ, MAX_JOBS_PER_WORKSPACE)
        # voices, clips and renders are jobs on the queue (embedded: a SQLite file and threads here);
        # its workers start from the owner's settings and keys, which a job uses only when it says so
        engine = engine_for(environ, base, limit(environ, MAX_RENDERS), limit(environ, MAX_JOBS))
    except ViralReelError as exc:
        st.error(str(exc), icon=":material/error:")
        st.stop()
    owner = st.session_state["owner"] = visitor.is_owner(who)
    base = base.with_(output_dir=who.workspace.output_dir, music_dir=who.workspace.music_dir)
    typed = typed_keys()
    keys = ApiKeys({svc: typed.get(svc) or (base.keys.get(svc, "") if owner else "") for svc in providers.key_envs()})
    cache = shared_cache(str(base.cache_dir), base.cache_size_limit)
    place = workspace_key(who.workspace.projects_dir)
    if "studio" not in st.session_state:  # a new session (a first visit, a reload): back where it was
        st.session_state["studio"] = _reopen(who.workspace, place, Studio(
            base, cache, replace(config, projects_dir=who.workspace.projects_dir), engine=engine))
    studio: Studio = st.session_state["studio"]
    studio.engine = engine
    studio.key_sources = {svc: {"typed": "typed", "": ""}.get(src, "owner") for svc, src in key_sources().items()}
    LIVE.put(place, studio)
    studio.relink(ProjectStore(studio.config.projects_dir))  # after a cache clear: the saved copies
    studio.base, studio.cache, studio.keys = base.with_(keys=ApiKeys()), cache, keys
    # the owner's money is counted against the owner's limit; a visitor's own key is their own affair
    studio.wallet.budget = budget if owner and budget.daily_limit is not None else None
    studio.wallet.confirm_above = confirm_above
    studio.max_jobs = max_jobs
    settings = studio.settings()
    _voice_warmed(settings, settings.voice_provider, str(settings.option("piper_voice_path") or ""))
    return studio


def _reopen(workspace: Workspace, place: str, fresh: Studio) -> Studio:
    """The project this workspace had open: its live studio (jobs still running or finished while away)
    when the server has it, else as saved; ``fresh`` when there is none."""
    project_id = workspace.state().get("open")
    if not isinstance(project_id, str):
        return fresh
    live = LIVE.get(place, project_id)
    if live is not None:
        return live
    try:
        fresh.open(ProjectStore(fresh.config.projects_dir).load(project_id))
    except (ViralReelError, OSError, KeyError, ValueError, TypeError):
        return Studio(fresh.base, fresh.cache, fresh.config, engine=fresh.engine)
    return fresh


def autosave() -> None:
    """Save the open project when it changed since the last save (every run ends here), and note it as
    the workspace's open project, so a reload or another device reopens it where it was."""
    s: Studio | None = st.session_state.get("studio")
    if s is None or "visitor" not in st.session_state or (s.draft is None and not s.form.topic.strip()):
        return
    text = json.dumps(s.to_document(), sort_keys=True, default=str)
    mark = (s.id, hashlib.sha256(text.encode()).hexdigest())
    if st.session_state.get("autosaved") == mark:
        return
    try:
        s.save(ProjectStore(s.config.projects_dir))
        workspace().note(open=s.id)
    except (ViralReelError, OSError) as exc:
        _LOGGER.warning("The project was not saved automatically: %s", exc)
        return
    st.session_state["autosaved"] = mark


def open_project(project_id: str) -> Studio:
    """Make the saved project ``project_id`` this session's (its live studio when the server has one)."""
    current = studio()
    place = workspace_key(current.config.projects_dir)
    opened = LIVE.get(place, project_id)
    if opened is None:
        opened = Studio(current.base, current.cache, current.config, engine=current.engine)
        opened.keys, opened.sleep, opened.key_sources = current.keys, current.sleep, current.key_sources
        opened.open(ProjectStore(current.config.projects_dir).load(project_id))
    st.session_state["studio"] = opened
    LIVE.put(place, opened)
    workspace().note(open=opened.id)
    return opened


def workspace() -> Workspace:
    """This session's workspace (``setup`` found it earlier in this run)."""
    return st.session_state["visitor"].workspace


def is_owner() -> bool:
    """Whether this session may use the owner's keys, money and cache controls (``setup`` decided)."""
    return bool(st.session_state.get("owner"))


def studio() -> Studio:
    """The session's studio (``setup`` made it earlier in this run)."""
    return st.session_state["studio"]


def new_project() -> None:
    """Start an empty project, keeping the person's provider and style choices."""
    old = studio()
    fresh = Studio(old.base, old.cache, old.config, engine=old.engine)
    fresh.keys, fresh.options, fresh.key_sources = old.keys, dict(old.options), old.key_sources
    st.session_state["studio"] = fresh
    LIVE.put(workspace_key(old.config.projects_dir), fresh)
    workspace().note(open=fresh.id)
    old.close()


def clear_cache() -> None:
    """on_click of the sidebar's clear button (a callback, so the statistics drawn next are current).

    The cache is shared by every visitor: only the owner may clear it."""
    if not is_owner():
        st.toast("Only the owner can clear the shared cache.", icon=":material/block:")
        return
    removed = studio().cache.clear()
    st.toast(f"Cache cleared ({removed} items).", icon=":material/mop:")


def bind(key: str, get: Callable[[], Any], put: Callable[[Any], None]) -> dict[str, Any]:
    """Widget arguments that show the studio's value every run and write changes back to it.

    The studio is the one source of truth, so a widget shows the right value on every page and after
    a project is opened, and two widgets for one setting (sidebar and page) never disagree.
    """
    st.session_state[key] = get()
    return {"key": key, "on_change": lambda: put(st.session_state[key])}


def bind_option(key: str, name: str) -> dict[str, Any]:
    """``bind`` for one of the studio's settings (``studio.options[name]``)."""
    s = studio()
    return bind(key, lambda: s.options[name], lambda v: s.options.__setitem__(name, v))


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


def header(step: str, subtitle: str) -> Studio:
    """The page title, the five-step bar, and any notices; returns the studio."""
    run_entry_if_skipped()
    s = studio()
    path, title, icon = PAGES[step]
    if step in STEP_ORDER:
        bar = st.columns(len(STEP_ORDER))
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
        st.info(notice, icon=":material/info:")
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
        st.error(message, icon=":material/error:")
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
    st.error(str(exc), icon=":material/error:")


def confirm_panel(step: str) -> None:
    """A paid start waiting for the person's yes, with its estimated cost (``Studio.wallet.pending``)."""
    s = studio()
    asked = s.wallet.pending.get(step)
    if asked is None or s.busy(step):
        return
    with st.container(border=True):
        st.warning(f"This will use **{s.provider_names()[step]}** and is estimated to cost "
                   f"**{money(asked['cost'])}**. Go ahead?", icon=":material/payments:")
        yes, no = st.columns(2)
        if yes.button(f"Spend about {money(asked['cost'])}", type="primary", key=f"confirm_{step}", width="stretch"):
            try:
                s.confirm(step)
            except ViralReelError as exc:
                st.error(str(exc), icon=":material/error:")
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
