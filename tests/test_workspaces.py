"""Workspaces and owner access without a UI: names, paths that cannot escape, the owner's mark."""

from __future__ import annotations

import os

import pytest

from viralreel_core.errors import BadInput
from viralreel_core.workspace import access
from viralreel_core.workspace.projects import ProjectStore
from viralreel_core.workspace.workspaces import Workspace, is_shared, new_token, valid_token


def test_tokens_are_128_random_bits_and_only_their_shape_is_accepted():
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200 and all(valid_token(t) and len(t) == 22 for t in tokens)
    for bad in ["", "a" * 21, "a" * 23, "a" * 21 + "\n", "../" + "a" * 19, "a" * 21 + "/", None, 12]:
        assert not valid_token(bad)


def test_a_workspace_folder_is_a_hash_inside_the_root_and_never_the_token(tmp_path):
    token = new_token()
    ws = Workspace.for_token(tmp_path, token)
    assert ws.folder.parent == tmp_path.resolve() and token not in str(ws.folder)
    assert Workspace.for_token(tmp_path, token) == ws  # the same link, the same workspace
    assert Workspace.for_token(tmp_path, new_token()).folder != ws.folder
    assert Workspace.for_user(tmp_path, "Ann@Example.com") == Workspace.for_user(tmp_path, "ann@example.com")
    with pytest.raises(BadInput):
        Workspace.for_token(tmp_path, "../../" + "a" * 16)


def test_a_workspace_makes_no_folder_until_something_is_written_there(tmp_path):
    """A visit that writes nothing (a link preview, a crawler) leaves no folders behind; the first project
    saved or video rendered makes them."""
    ws = Workspace.for_token(tmp_path / "root", new_token())
    assert not (tmp_path / "root").exists()
    assert ProjectStore(ws.projects_dir).list() == [] and ws.state() == {}
    ws.note(open="abc123")
    assert ws.state() == {"open": "abc123"} and ws.projects_dir.is_dir() and not ws.output_dir.exists()
    ws.clear()
    assert not ws.projects_dir.exists() and ws.state() == {}


def test_a_symlinked_workspace_or_project_is_refused(tmp_path):
    token = new_token()
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "projects").mkdir(parents=True)
    root = tmp_path / "root"
    root.mkdir()
    name = Workspace.for_token(tmp_path / "probe", token).name
    os.symlink(elsewhere, root / name)
    with pytest.raises(BadInput):
        Workspace.for_token(root, token)
    store = ProjectStore(tmp_path / "projects")
    store.directory.mkdir()
    os.symlink(elsewhere, store.directory / "abc123")
    with pytest.raises(BadInput):
        store.folder("abc123")
    for hostile in ["../x", "abc\n", "ABC", "a/b", "", "a" * 41]:
        with pytest.raises(BadInput):
            store.folder(hostile)


def test_shared_or_local_by_the_address_the_browser_used():
    assert not is_shared("auto", None) and not is_shared("auto", "http://localhost:8501/voice")
    assert not is_shared("auto", "http://127.0.0.1:8501") and not is_shared("auto", "http://[::1]:8501")
    assert is_shared("auto", "https://viralreel.streamlit.app/") and is_shared("shared", None)
    assert not is_shared("local", "https://viralreel.streamlit.app/")
    assert is_shared("auto", None, "203.0.113.9") and not is_shared("auto", None, "127.0.0.1")
    assert not is_shared("auto", None, object()) and not is_shared("auto", None, "")  # a test harness's stand-in
    with pytest.raises(BadInput):
        is_shared("public", None)


def test_owner_code_and_mark(tmp_path):
    ws = Workspace.for_token(tmp_path, new_token())
    assert access.code_matches("s3cret code", " s3cret code ") and not access.code_matches("s3cret code", "s3cret")
    assert not access.code_matches("", "")  # no code configured: nobody is the owner by code
    assert not access.is_marked(ws, "s3cret code")
    access.mark_owner(ws, "s3cret code")
    assert access.is_marked(ws, "s3cret code") and not access.is_marked(ws, "new code")
    other = Workspace.for_token(tmp_path, new_token())
    other.folder.mkdir()
    (other.folder / "owner.mark").write_text((ws.folder / "owner.mark").read_text())  # a copied mark
    assert not access.is_marked(other, "s3cret code")
    assert access.email_allowed("Ann@example.com", "bob@example.com, ann@example.com")
    assert access.email_allowed("ann@example.com", ["ann@example.com"]) and not access.email_allowed("x@y.z", [])
