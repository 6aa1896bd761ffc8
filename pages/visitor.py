"""Who is visiting: their workspace (one locally; their own on a shared server) and whether they may use
the owner's keys and money. The rules live in ``viralreel_core.workspace.workspaces`` and ``viralreel_core.workspace.access``;
this module reads Streamlit's side of them (the link, the sign-in, Secrets) and draws the sidebar's part.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from viralreel_core.config import REPO_ROOT
from viralreel_core.errors import ViralReelError
from viralreel_core.workspace import access
from viralreel_core.workspace.workspaces import Workspace, is_shared, new_token, valid_token

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


def _find(environ: dict[str, Any], projects_dir: Path, output_dir: Path) -> Visitor:
    if not is_shared(str(environ.get("VIRALREEL_WORKSPACES") or "auto"), st.context.url, st.context.ip_address):
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


def check_owner_code() -> None:
    """on_change of the owner-code field: mark the workspace as the owner's when the code is right."""
    typed = str(st.session_state.get("owner_code") or "")
    st.session_state["owner_code"] = ""  # never sent back to the browser
    tries = st.session_state.get("owner_code_tries", 0)
    if not typed.strip() or tries >= access.MAX_CODE_TRIES:
        return
    code = str({**os.environ, **secrets_dict()}.get(access.OWNER_CODE) or "")
    if access.code_matches(code, typed):
        access.mark_owner(st.session_state["visitor"].workspace, code)
        st.session_state["owner_code_tries"] = 0
        st.toast("Owner access on: the keys in Secrets and the spending limit apply.", icon=":material/key:")
    else:
        time.sleep(0.5)  # slows guessing down
        st.session_state["owner_code_tries"] = tries + 1
        st.session_state["owner_code_wrong"] = True


def sidebar(visitor: Visitor, owner: bool) -> None:
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
            locked = st.session_state.get("owner_code_tries", 0) >= access.MAX_CODE_TRIES
            st.text_input("Owner code", type="password", key="owner_code", on_change=check_owner_code,
                          autocomplete="off", disabled=locked,
                          help="The owner's keys are used only for people the owner lets in.")
            if locked:
                st.caption(":material/block: Too many wrong codes in this session.")
            elif st.session_state.pop("owner_code_wrong", False):
                st.caption(":material/error: That is not the owner code.")
        with st.popover("Clear my workspace", width="stretch"):
            st.write("Delete every project and video in this workspace? The shared cache is not touched.")
            st.button("Yes, delete them", type="primary", key="clear_workspace", on_click=clear_workspace)


def clear_workspace() -> None:
    """on_click: delete this workspace's projects and renders, and start an empty project."""
    from pages import ui

    try:
        st.session_state["visitor"].workspace.clear()
    except (ViralReelError, OSError) as exc:
        st.toast(f"The workspace could not be cleared: {exc}", icon=":material/error:")
        return
    ui.new_project()
    st.toast("Your workspace is empty.", icon=":material/mop:")
