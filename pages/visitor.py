"""Who is visiting: their workspace (one locally; their own on a shared server) and whether they may use
the owner's keys and money. The rules live in ``viralreel_core.workspace.workspaces`` and
``viralreel_core.workspace.access``; this module reads Streamlit's side of them (the link, the sign-in,
Secrets) and draws the sidebar's part.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from viralreel_core.config import REPO_ROOT
from viralreel_core.workspace import access
from viralreel_core.workspace.workspaces import Workspace, is_shared, new_token, valid_token, without_paths

LINK_PARAM = "ws"


@dataclass(frozen=True)
class Visitor:
    """This session's workspace, how it was found, and whether its visitor is the owner."""

    workspace: Workspace
    how: str  # "local" | "link" | "account"
    token: str = ""  # the private link's token (link workspaces only; kept in the session and the URL)
    account: str = ""  # the signed-in address (account workspaces only)

    @property
    def shared(self) -> bool:
        return self.workspace.shared


def secrets_dict() -> dict[str, Any]:
    """``st.secrets`` as a plain dict (empty when there is no secrets file)."""
    try:
        return {str(k): v for k, v in st.secrets.items()}
    except Exception:  # no secrets.toml: st.secrets raises on first use
        return {}


def _signed_in() -> str:
    """The signed-in account's address (or subject), or "" when nobody is signed in."""
    try:
        user = st.user
        if user.get("is_logged_in"):
            return str(user.get("email") or user.get("sub") or "")
    except Exception:  # no auth configured, or an older runtime
        return ""
    return ""


def sign_in_configured() -> bool:
    return isinstance(secrets_dict().get("auth"), dict)


def identify(environ: dict[str, Any], projects_dir: Path, output_dir: Path) -> Visitor:
    """This session's visitor: found once per session, then the link is kept in the address bar."""
    visitor: Visitor | None = st.session_state.get("visitor")
    if visitor is None:
        visitor = _find(environ, projects_dir, output_dir)
        st.session_state["visitor"] = visitor
    if visitor.how == "link" and st.query_params.get(LINK_PARAM) != visitor.token:
        st.query_params[LINK_PARAM] = visitor.token  # page changes drop it; the bookmark must keep it
    return visitor


def workspaces_root(environ: dict[str, Any]) -> Path:
    """Where shared workspaces (and the spending ledger) live: ``VIRALREEL_WORKSPACES_DIR`` or ./workspaces."""
    return Path(str(environ.get("VIRALREEL_WORKSPACES_DIR") or REPO_ROOT / "workspaces"))


def connection() -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """This session's peer address as the server's socket saw it, and its websocket handshake's headers.

    ``st.context.ip_address`` gives None for a loopback peer and for no connection alike, so the session's
    client is read instead. The address is "" when the server did not learn it; it is None only where no
    real server runs (AppTest's stand-in runtime, bare mode): nobody is connected from anywhere then."""
    from streamlit.runtime import Runtime, exists, get_instance
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not exists() or type(get_instance()) is not Runtime:
        return None, ()
    client = get_instance().get_client(ctx.session_id)
    context = getattr(client, "client_context", None)
    if context is None:
        return "", ()
    peer = context.remote_ip
    return (peer if isinstance(peer, str) else ""), tuple((str(k), str(v)) for k, v in context.headers)


def _find(environ: dict[str, Any], projects_dir: Path, output_dir: Path) -> Visitor:
    peer, headers = connection()
    if not is_shared(str(environ.get("VIRALREEL_WORKSPACES") or "auto"), st.context.url, peer, headers):
        return Visitor(Workspace.local(projects_dir, output_dir), "local")
    root = workspaces_root(environ)
    account = _signed_in()
    if account:
        return Visitor(Workspace.for_user(root, account), "account", account=account)
    token = st.query_params.get(LINK_PARAM)
    if not valid_token(token):
        if token:
            st.session_state["visitor_notice"] = ("That workspace link is not valid, so this is a new, empty "
                                                  "workspace. Check the link you were given.")
        token = new_token()
    return Visitor(Workspace.for_token(root, str(token)), "link", token=str(token))


def is_owner(visitor: Visitor) -> bool:
    """Whether this visitor may use the owner's keys and spend the owner's money."""
    if not visitor.shared:
        return True  # run locally: the person at the keyboard runs the server
    secrets = {**os.environ, **secrets_dict()}
    if visitor.how == "account" and access.email_allowed(visitor.account, secrets.get(access.OWNER_EMAILS)):
        return True
    return access.is_marked(visitor.workspace, str(secrets.get(access.OWNER_CODE) or ""))


def owner_code_configured() -> bool:
    return bool(str({**os.environ, **secrets_dict()}.get(access.OWNER_CODE) or "").strip())


def _source() -> str:
    """Whom this session's owner-code tries count against (its connection's address)."""
    return access.source_key(connection()[0])


def check_owner_code() -> None:
    """on_change of the owner-code field: mark the workspace as the owner's when the code is right. Tries
    are counted per address for the whole server (``access.ATTEMPTS``), so a reload does not reset them."""
    typed = str(st.session_state.get("owner_code") or "")
    st.session_state["owner_code"] = ""  # never sent back to the browser
    source = _source()
    if not typed.strip() or not access.ATTEMPTS.take(source):
        return
    code = str({**os.environ, **secrets_dict()}.get(access.OWNER_CODE) or "")
    if access.code_matches(code, typed):
        access.ATTEMPTS.succeeded(source)
        access.mark_owner(st.session_state["visitor"].workspace, code)
        st.toast("Owner access on: the keys in Secrets and the spending limit apply.", icon=":material/key:")
    else:
        time.sleep(0.5)  # slows guessing down
        st.session_state["owner_code_wrong"] = True


def shown(text: object) -> str:
    """``text`` as this session's visitor may see it: on a shared server (or before the visitor is known),
    file names instead of the server's paths."""
    who: Visitor | None = st.session_state.get("visitor")
    return str(text) if who is not None and not who.shared else without_paths(str(text))


def sidebar(visitor: Visitor, owner: bool, on_clear: Callable[[], None]) -> None:
    """The sidebar's *Workspace* section: whose workspace this is, the owner code, sign-in, clearing."""
    if not visitor.shared:
        return
    with st.expander("Workspace", icon=":material/lock:"):
        if visitor.how == "account":
            st.caption(f"Signed in as **{visitor.account}**: this workspace is yours on any device.")
            st.button("Sign out", key="sign_out", on_click=st.logout)
        else:
            st.caption("This workspace is private to this page's address: **bookmark it** to come back. "
                       "Anyone you give the address to can see and change this workspace.")
            if sign_in_configured():
                st.button("Sign in", key="sign_in", icon=":material/login:", on_click=st.login)
        if owner:
            st.caption(":material/verified_user: Owner access: the keys in Secrets and the spending limit apply.")
        elif owner_code_configured():
            wait = access.ATTEMPTS.wait_left(_source())
            st.text_input("Owner code", type="password", key="owner_code", on_change=check_owner_code,
                          autocomplete="off", disabled=wait > 0,
                          help="The owner's keys are used only for people the owner lets in.")
            if wait > 0:
                st.session_state.pop("owner_code_wrong", None)
                st.caption(f":material/block: Too many wrong codes from your address: try again in "
                           f"{_duration(wait)}.")
            elif st.session_state.pop("owner_code_wrong", False):
                st.caption(":material/error: That is not the owner code.")
        with st.popover("Clear my workspace", width="stretch"):
            st.write("Delete every project and video in this workspace? The shared cache is not touched.")
            st.button("Yes, delete them", type="primary", key="clear_workspace", on_click=on_clear)


def _duration(seconds: float) -> str:
    minutes = math.ceil(seconds / 60)
    return f"{math.ceil(seconds)} s" if seconds < 90 else f"{minutes} minutes"
