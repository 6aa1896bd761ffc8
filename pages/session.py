"""The studio session's wiring, at the edge: settings and keys from the environment, Secrets and what the person
typed, this visitor's workspace, the session's ``Studio`` (reattached after a reload), autosave, new project,
clearing the workspace or the cache. The pages draw; this module decides what they draw from.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import replace

import streamlit as st

from pages import visitor
from viralreel_core import ApiKeys, AssetCache, Settings, ViralReelError, providers
from viralreel_core.environment import settings_from_env, use_machine_limits
from viralreel_core.studio import Studio, StudioConfig
from viralreel_core.studio.engine import engine_for
from viralreel_core.studio.lines import GATES, MAX_JOBS, MAX_JOBS_PER_WORKSPACE, MAX_RENDERS, limit
from viralreel_core.studio.live import LIVE, workspace_key
from viralreel_core.studio.warmup import warm_voice
from viralreel_core.workspace.projects import ProjectStore
from viralreel_core.workspace.spending import Budget, confirm_threshold
from viralreel_core.workspace.workspaces import Workspace

_LOGGER = logging.getLogger(__name__)
shown = visitor.shown


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
        base = settings_from_env(environ=environ)
        use_machine_limits(environ)  # the server's CPUs and memory, for every visitor's work in this process
        who = visitor.identify(environ, config.projects_dir, base.output_dir)
        budget = Budget.from_values(visitor.workspaces_root(environ) / "spending.json", environ)
        confirm_above = confirm_threshold(environ)
        GATES.configure(environ)
        max_jobs = limit(environ, MAX_JOBS_PER_WORKSPACE)
        # voices, clips and renders are jobs on the queue (embedded: a SQLite file and threads here);
        # its workers start from the owner's settings and keys, which a job uses only when it says so
        engine = engine_for(environ, base, limit(environ, MAX_RENDERS), limit(environ, MAX_JOBS))
    except ViralReelError as exc:
        _LOGGER.error("The studio could not start: %s", exc)  # the whole message, paths too, for the owner
        st.error(shown(exc), icon=":material/error:")
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
    studio.visitor = not owner  # what a missing key's message tells them to do
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
    if s is None or "visitor" not in st.session_state or not has_work(s):
        return
    mark = _save_mark(s)
    if st.session_state.get("autosaved") == mark:
        return
    try:
        s.save(ProjectStore(s.config.projects_dir))
        workspace().note(open=s.id)
    except (ViralReelError, OSError) as exc:
        _LOGGER.warning("The project was not saved automatically: %s", exc)
        return
    st.session_state["autosaved"] = mark


def has_work(s: Studio) -> bool:
    """Whether the project holds anything to keep (a topic or a script): an empty one is never saved."""
    return s.draft is not None or bool(s.form.topic.strip())


def _save_mark(s: Studio) -> tuple[str, str]:
    text = json.dumps(s.to_document(), sort_keys=True, default=str)
    return s.id, hashlib.sha256(text.encode()).hexdigest()


def is_saved(s: Studio) -> bool:
    """Whether the project as it is now was saved (by ``autosave``, which every run ends with)."""
    return st.session_state.get("autosaved") == _save_mark(s)


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
    """Start an empty project, keeping the person's provider and style choices; the old one is saved first
    (a change made in this run, e.g. its name, would otherwise miss the autosave)."""
    autosave()
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


def clear_workspace() -> None:
    """on_click: delete this workspace's projects and renders, and start an empty project."""
    try:
        st.session_state["visitor"].workspace.clear()
    except (ViralReelError, OSError) as exc:
        st.toast(shown(f"The workspace could not be cleared: {exc}"), icon=":material/error:")
        return
    new_project()
    st.toast("Your workspace is empty.", icon=":material/mop:")
