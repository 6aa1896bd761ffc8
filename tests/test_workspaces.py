"""Workspaces and owner access without a UI: names, paths that cannot escape, the owner's mark."""

from __future__ import annotations

import os
import threading

import pytest

from viralreel_core.errors import BadInput
from viralreel_core.workspace import access
from viralreel_core.workspace.projects import ProjectStore
from viralreel_core.workspace.workspaces import Workspace, is_loopback, is_shared, new_token, valid_token, without_paths


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


def test_local_only_for_a_loopback_peer_and_never_because_of_what_the_browser_says():
    # the connection decides: a loopback peer keeps the one workspace, any other shares
    assert not is_shared("auto", "http://localhost:8501/voice", "127.0.0.1")
    assert not is_shared("auto", "http://127.0.0.1:8501", "::1") and not is_shared("auto", None, "127.0.0.2")
    assert not is_shared("auto", "http://[::1]:8501", "::ffff:127.0.0.1")  # a dual-stack socket's loopback
    assert is_shared("auto", None, "203.0.113.9") and is_shared("auto", None, "10.231.7.2")
    # a browser that calls the server "localhost" (a hosts entry, --host-resolver-rules) is still remote
    assert is_shared("auto", "http://localhost:8501/", "10.231.7.2")
    assert is_shared("auto", "http://127.0.0.1:8501/", "192.168.1.20")
    # a connection through a proxy is someone else's, even when the proxy runs here (and says 127.0.0.1)
    for header in ("X-Forwarded-For", "x-real-ip", "Forwarded", "X-Forwarded-Host"):
        assert is_shared("auto", "http://localhost:8501/", "127.0.0.1", [(header, "127.0.0.1")]), header
    assert is_shared("auto", None, "127.0.0.1", {"X-Forwarded-For": "203.0.113.9"})
    assert not is_shared("auto", None, "127.0.0.1", [("Host", "localhost:8501"), ("Origin", "http://localhost")])
    # the address the browser used can only make it more shared: a public name shares even from loopback
    assert is_shared("auto", "https://viralreel.streamlit.app/", "127.0.0.1")
    # a connection whose address the server did not learn is not known to be local
    assert is_shared("auto", "http://localhost:8501/", "") and is_shared("auto", None, "not an address")
    # no connection at all (AppTest, a script): nobody to keep apart
    assert not is_shared("auto", None, None) and not is_shared("auto", None)
    assert is_shared("shared", None, "127.0.0.1") and not is_shared("local", "https://viralreel.streamlit.app/",
                                                                     "203.0.113.9")
    assert is_loopback("127.0.0.1") and is_loopback("::1") and not is_loopback("10.0.0.1")
    assert not is_loopback("localhost") and not is_loopback(None)
    with pytest.raises(BadInput):
        is_shared("public", None)


def test_a_visitor_sees_file_names_not_the_servers_paths():
    assert without_paths("Saved as /srv/app/workspaces/0f3a/outputs/cats_20240101.mp4") == \
        "Saved as cats_20240101.mp4"
    assert without_paths("[Errno 20] Not a directory: '/tmp/w/projects/p1/project.json'") == \
        "[Errno 20] Not a directory: 'project.json'"
    assert without_paths("`/srv/out/v.mp4` and ~/music/song.mp3 and C:\\Users\\me\\v.mp4") == \
        "`v.mp4` and song.mp3 and v.mp4"
    assert without_paths("kept in /srv/out/ now") == "kept in out now"
    kept = "See https://api.openai.com/v1/models, scene 1/4, $0.50/day, and/or 1080×1920."
    assert without_paths(kept) == kept


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


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_owner_code_tries_are_counted_per_address_and_the_wait_doubles():
    clock = Clock()
    tries = access.CodeAttempts(limit=5, first_wait=30, max_wait=100, forget_after=3600, clock=clock)
    for _ in range(4):
        assert tries.take("203.0.113.9")
    assert tries.wait_left("203.0.113.9") == 0
    assert tries.take("203.0.113.9") and tries.wait_left("203.0.113.9") == 30  # the 5th wrong code
    assert not tries.take("203.0.113.9")  # refused (and not counted) while it waits
    assert tries.take("198.51.100.7") and tries.wait_left("198.51.100.7") == 0  # another address is not held up
    clock.now += 30
    assert tries.take("203.0.113.9") and tries.wait_left("203.0.113.9") == 60  # the 6th: twice as long
    clock.now += 60
    assert tries.take("203.0.113.9") and tries.wait_left("203.0.113.9") == 100  # at most max_wait
    clock.now += 100
    assert tries.take("203.0.113.9")
    tries.succeeded("203.0.113.9")  # a right code: the count starts afresh
    assert tries.wait_left("203.0.113.9") == 0 and all(tries.take("203.0.113.9") for _ in range(4))
    clock.now += 3601  # a day later (here: forget_after) an address starts afresh
    assert all(tries.take("203.0.113.9") for _ in range(4)) and tries.wait_left("203.0.113.9") == 0


def test_tries_sent_at_once_from_many_tabs_get_no_more_than_the_limit():
    tries = access.CodeAttempts(limit=5, first_wait=30)
    start, taken = threading.Barrier(20), []

    def guess() -> None:
        start.wait()
        taken.append(tries.take("203.0.113.9"))

    threads = [threading.Thread(target=guess) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert taken.count(True) == 5 and tries.wait_left("203.0.113.9") > 0


def test_an_address_is_counted_by_itself_and_an_ipv6_one_by_its_64_block():
    assert access.source_key("203.0.113.9") == "203.0.113.9" and access.source_key("::ffff:10.0.0.1") == "10.0.0.1"
    assert access.source_key("2001:db8:1:2:aaaa::1") == access.source_key("2001:db8:1:2:bbbb::7") == \
        "2001:db8:1:2::/64"
    assert access.source_key(None) == access.source_key("") == access.source_key("nonsense") == ""
    clock = Clock()
    full = access.CodeAttempts(limit=2, first_wait=30, max_sources=3, clock=clock)
    full.take("198.51.100.7"), full.take("198.51.100.7")  # this one has to wait
    for n in range(10):  # many addresses, one try each: the store stays bounded, the oldest free ones go
        clock.now += 1
        full.take(f"10.0.0.{n}")
    assert len(full) == 3 and full.wait_left("198.51.100.7") == 20
    assert full.take("10.0.0.9") and full.wait_left("10.0.0.9") == 30  # its first try was kept
