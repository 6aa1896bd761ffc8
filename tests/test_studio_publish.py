"""The Assemble page's *Publish to YouTube* section (AppTest sessions in one process, as on one shared
server, against the fake Google): the owner connects (Google's answer in a new session, or pasted),
publishes and disconnects; a visitor sees and reaches none of it; no token text on any page or file."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from streamlit.testing.v1 import AppTest

from tests.fakes.google import FakeGoogle
from tests.studio_app import studio_app
from tests.test_studio_app import TIMEOUT, make_all, ok, texts, use_fakes, write_and_accept
from tests.test_studio_sharing import OWNER_CODE, render, shared, visit  # noqa: F401 - shared: a fixture
from tests.youtube_helpers import environment_for

SECRETS = {"VIRALREEL_OWNER_CODE": OWNER_CODE}


@pytest.fixture
def google(tmp_path, monkeypatch):
    with FakeGoogle() as fake:
        for name, value in environment_for(fake, tmp_path / "config").items():
            monkeypatch.setenv(name, value)
        yield fake


def owner_with_a_render(topic: str = "Why cats purr") -> AppTest:
    at = use_fakes(visit(secrets=SECRETS))
    at.text_input(key="owner_code").input(OWNER_CODE).run()
    write_and_accept(ok(at), topic)
    make_all(at)
    return render(at)


def google_answer(at: AppTest) -> str:
    """What Google's consent page sends the browser to, for the connection this session started."""
    at.button(key="youtube_connect").click().run()
    login = ok(at).session_state["youtube_login"]
    assert [b for b in at.get("link_button") if b.proto.url == login.url]
    answer = requests.get(login.url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    return answer.headers["Location"]


def answered_tab(location: str) -> AppTest:
    """The tab Google sends back to the studio: a new session opening the studio's address with the answer."""
    at = studio_app(TIMEOUT)
    for name, values in parse_qs(urlsplit(location).query).items():
        at.query_params[name] = values[0]
    at.secrets.update(SECRETS)
    return ok(at.run())


def publish_button(at: AppTest):
    return next(b for b in at.button if b.label == "Publish to YouTube")


def everything_shown(at: AppTest) -> str:
    parts = [texts(at), *(str(e.value) for e in at.text_input), *(str(e.value) for e in at.text_area)]
    return "\n".join(parts + [str(b.proto) for b in at.get("link_button")])


@pytest.mark.slow
@pytest.mark.usefixtures("shared", "fakes")
def test_the_owner_connects_publishes_and_disconnects(google, tmp_path):
    owner = owner_with_a_render()
    assert "Publish to YouTube" in [h.value for h in owner.subheader]
    location = google_answer(owner)

    tab = answered_tab(location)
    assert "The YouTube channel is connected" in texts(tab)
    assert "code" not in tab.query_params and "state" not in tab.query_params
    assert google.leaked(everything_shown(tab)) == []
    token_file = tmp_path / "config" / "youtube" / "token.json"
    assert token_file.exists()
    assert answered_tab(location).error  # the same answer twice connects nothing more

    ok(owner.run())
    assert "A YouTube channel is connected" in texts(owner)
    owner.text_input(key=next(t.key for t in owner.text_input if t.key.startswith("yt_title_"))).input(
        "Cats purr for a reason")
    publish_button(owner).click().run()  # a form sends its fields with its button
    job_id = ok(owner).session_state["youtube_job"]
    queue = owner.session_state["studio"].engine.queue
    deadline = time.monotonic() + TIMEOUT
    while not queue.get(job_id).finished:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    ok(owner.run())
    job = queue.get(job_id)
    assert job.state == "succeeded", job.error
    youtube_id = job.result["youtube_id"]
    assert f"https://www.youtube.com/shorts/{youtube_id}" in texts(owner)
    video = google.videos[youtube_id]
    assert video["snippet"]["title"] == "Cats purr for a reason"
    assert video["status"] == {**video["status"], "privacyStatus": "private", "selfDeclaredMadeForKids": False,
                               "containsSyntheticMedia": True}

    shown = everything_shown(owner)
    assert google.leaked(shown) == [] and google.client_secret not in shown
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p != token_file]
    assert files and not [p for p in files if google.leaked(p.read_bytes())]  # workspaces, queue, cache, outputs

    owner.button(key="youtube_disconnect").click().run()
    assert not token_file.exists() and len(google.revoked) == 1
    assert ok(owner).button(key="youtube_connect")


@pytest.mark.slow
@pytest.mark.usefixtures("shared", "fakes", "google")
def test_a_pasted_address_connects_too_and_a_bad_one_says_why():
    owner = owner_with_a_render()
    location = google_answer(owner)
    owner.text_input(key="youtube_pasted").input("http://localhost:8501/?state=x").run()
    assert "no authorization code" in texts(ok(owner))
    owner.text_input(key="youtube_pasted").input(location).run()
    assert ok(owner).session_state["youtube_pasted"] == ""  # never sent back to the browser
    assert "A YouTube channel is connected" in texts(owner) and not owner.get("link_button")


@pytest.mark.slow
@pytest.mark.usefixtures("shared", "fakes")
def test_a_visitor_sees_and_reaches_none_of_the_owners_connection(google, tmp_path):
    owner = owner_with_a_render()
    answered_tab(google_answer(owner))
    token_file = tmp_path / "config" / "youtube" / "token.json"
    assert token_file.exists()

    guest = use_fakes(visit())
    write_and_accept(guest, "A guest's video")
    make_all(guest)
    render(guest)
    shown = texts(guest)
    assert "only the owner can publish from here" in shown
    assert "connected" not in shown.lower() and not [b for b in guest.button if (b.key or "").startswith("youtube")]
    assert not [b for b in guest.button if b.label == "Publish to YouTube"] and not guest.get("link_button")

    forged = answered_tab("http://localhost:8501/?state=made-up&code=4/stolen")  # a hand-made answer
    assert "belongs to no connection started on this studio" in texts(forged)
    assert google.grants == ["authorization_code"]  # only the owner's own, once
    assert google.refresh_tokens and token_file.exists()


@pytest.mark.slow
@pytest.mark.usefixtures("shared", "fakes")
def test_without_an_oauth_client_the_owner_is_told_how_to_set_one_up():
    owner = owner_with_a_render()
    shown = texts(owner)
    assert "YOUTUBE_CLIENT_ID" in shown and "Publishing to YouTube" in shown
    assert not [b for b in owner.button if b.key == "youtube_connect"]
