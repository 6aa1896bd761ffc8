"""A person's own music: checked before use, kept in their own folder, heard (and ducked) in real renders;
in the studio (AppTest, two visitors), over the HTTP API (real HTTP) and from the CLI."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess

import numpy as np
import pytest

from tests.test_end_to_end import run_cli
from tests.test_music import RATE, band_db, ebur128, render_two_scenes, windows
from tests.test_studio_app import dirs  # noqa: F401 - a fixture
from tests.test_studio_sharing import shared  # noqa: F401 - a fixture
from viralreel_core.errors import BadInput
from viralreel_core.media import ffmpeg, music
from viralreel_core.workspace.music_uploads import store_music, uploaded_tracks


def comment_of(video) -> dict:
    done = subprocess.run([ffmpeg.ffmpeg_exe(), "-hide_banner", "-i", str(video)], capture_output=True, text=True)
    return json.loads(re.search(r"comment\s*:\s*(\{.*\})", done.stderr).group(1))


def track_bytes(tmp_path, suffix: str, source: str = "upbeat", seconds: float = 6.0) -> bytes:
    """A shipped track cut to ``seconds`` and encoded as ``suffix`` (as a person's own file would be)."""
    out = tmp_path / f"source_{source}.{suffix}"
    ffmpeg.run_ffmpeg(["-i", str(music.tracks()[source]), "-t", str(seconds), "-ac", "2", str(out)],
                      what="encode a test track")
    return out.read_bytes()


@pytest.fixture(scope="module")
def m4a(tmp_path_factory) -> bytes:
    return track_bytes(tmp_path_factory.mktemp("tracks"), "m4a")


def test_an_upload_is_checked_kept_once_by_content_and_listed_by_its_name(tmp_path, m4a):
    folder = tmp_path / "music"
    music_id = store_music(folder, "My Song.M4A", m4a)
    assert music.UPLOAD_ID.fullmatch(music_id) and music_id.endswith(".m4a")
    assert store_music(folder, "again.m4a", m4a) == music_id  # the same track twice: one copy
    assert len(list(folder.glob("*.m4a"))) == 1
    assert uploaded_tracks(folder) == {music_id: "again.m4a"}
    assert music.resolve(music_id, folder).read_bytes() == m4a
    assert music.check_music(music_id, 0.3, folder) == music.resolve(music_id, folder)
    with pytest.raises(BadInput, match="is not here"):  # another person's folder does not have it
        music.resolve(music_id, tmp_path / "someone_else")


def test_every_accepted_type_is_usable(tmp_path):
    folder = tmp_path / "music"
    for suffix in music.MUSIC_TYPES:
        music_id = store_music(folder, f"track.{suffix}", track_bytes(tmp_path, suffix, "calm", 2.0))
        assert music.check_music(music_id, 0.25, folder).suffix == f".{suffix}"
    assert len(uploaded_tracks(folder)) == len(music.MUSIC_TYPES)


def silent_wav(tmp_path) -> bytes:
    out = tmp_path / "silence.wav"
    ffmpeg.run_ffmpeg(["-f", "lavfi", "-i", "anullsrc=r=44100:cl=mono", "-t", "3", str(out)], what="make silence")
    return out.read_bytes()


BAD_UPLOADS = [
    ("notes.txt", b"hello", "notes.txt is not an audio file we accept"),
    ("song.mp3", b"not audio at all " * 200, "song.mp3 has no sound we can read"),
    ("empty.wav", b"", "empty.wav is empty"),
    ("huge.wav", b"\0" * (music.MAX_MUSIC_BYTES + 1), "the limit for music is 50 MB"),
    ("quiet.wav", None, "quiet.wav is silent"),
]


@pytest.mark.parametrize("name, data, message", BAD_UPLOADS, ids=[row[0] for row in BAD_UPLOADS])  # not 50 MB ids
@pytest.mark.slow
def test_a_bad_upload_is_one_clear_line_and_nothing_is_kept(tmp_path, name, data, message):
    folder = tmp_path / "music"
    with pytest.raises(BadInput) as caught:
        store_music(folder, name, silent_wav(tmp_path) if data is None else data)
    assert message in str(caught.value) and "\n" not in str(caught.value), str(caught.value)
    assert not folder.exists() or list(folder.iterdir()) == []  # not even a half-written file


@pytest.mark.slow
def test_uploaded_music_is_heard_ducked_and_normalized_in_a_real_render(tmp_path, m4a):
    music_id = store_music(tmp_path / "music", "mine.m4a", m4a)  # render_two_scenes reads tmp/music
    out, x = render_two_scenes(tmp_path, music_id)
    under = np.mean([band_db(x, a, b, voice=False) for a, b in windows("speech")])
    pauses = np.mean([band_db(x, a, b, voice=False) for a, b in windows("pause")])
    assert pauses - under >= 6.0, (pauses, under)
    assert max(np.sqrt(np.mean(x[int(a * RATE):int(b * RATE)] ** 2)) for a, b in windows("pause")) > 10 ** (-40 / 20)
    lufs, peak = ebur128(out)
    assert lufs == pytest.approx(-14.0, abs=1.0) and peak <= -1.0, (lufs, peak)
    assert comment_of(out)["music"] == {"track": hashlib.sha256(m4a).hexdigest()[:16], "volume": 0.25}


# -- the CLI: a file's path, checked like an upload --------------------------------------------------
@pytest.mark.parametrize("name, data, message", [
    ("notes.txt", b"hello", "notes.txt is not an audio file we accept"),
    ("broken.mp3", b"not audio at all " * 200, "broken.mp3 has no sound we can read"),
])
def test_cli_music_file_is_checked_with_one_clear_line(tmp_path, name, data, message):
    (tmp_path / name).write_bytes(data)
    done = run_cli("make", "Cats", "--music", str(tmp_path / name), "--out", str(tmp_path / "out"),
                   "--cache-dir", str(tmp_path / "cache"))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], done.stderr
    assert not (tmp_path / "out").exists()


# -- the HTTP API: POST /music, then its id as create-video's music ----------------------------------
@pytest.fixture
def api(tmp_path, fake_settings):
    from tests.services import ApiServer
    from viralreel_core.api import create_app
    from viralreel_core.jobs import JobQueue, QueueConfig

    queue = JobQueue(QueueConfig(url=f"sqlite:///{tmp_path / 'jobs.db'}", heartbeat=0.2),
                     fake_settings.with_(music_dir=tmp_path / "api_music"))
    server = ApiServer(create_app(queue, workers=1))
    yield server
    server.close()
    queue.close()


@pytest.mark.slow
def test_api_takes_an_uploaded_track_and_makes_the_video_with_it(api, tmp_path, m4a, fake_settings):
    answer = api.post("/music", files={"file": ("beat.m4a", m4a, "audio/mp4")})
    assert answer.status_code == 201, answer.text
    music_id = answer.json()["music"]
    assert music.UPLOAD_ID.fullmatch(music_id) and answer.json()["name"] == "beat.m4a"
    assert (tmp_path / "api_music" / music_id.removeprefix("upload:")).read_bytes() == m4a
    made = api.post("/create-video", json={"topic": "Why cats purr", "scenes": 3, "width": 180, "height": 320,
                                           "music": music_id, "music_volume": 0.4, "wait": True})
    assert made.status_code == 200, made.text
    video = fake_settings.output_dir / made.json()["video_url"].rsplit("/", 1)[1]
    assert comment_of(video)["music"] == {"track": hashlib.sha256(m4a).hexdigest()[:16], "volume": 0.4}
    assert "/music" in api.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize("files, status, message", [
    ({"file": ("notes.txt", b"hello", "text/plain")}, 400, "notes.txt is not an audio file we accept"),
    ({"file": ("song.mp3", b"not audio at all " * 200, "audio/mpeg")}, 400, "song.mp3 has no sound we can read"),
    ({}, 422, "file"),
])
def test_api_bad_music_upload_is_one_clear_line(api, files, status, message):
    answer = api.post("/music", files=files) if files else api.post("/music")
    assert answer.status_code == status and message in answer.json()["error"]["message"], answer.text


@pytest.mark.parametrize("choice, message", [
    ("upload:" + "0" * 32 + ".mp3", "is not here"),
    ("/etc/hostname", "no music called"),  # a path would read any file on the server
])
def test_api_music_must_be_shipped_or_uploaded_here(api, choice, message):
    answer = api.post("/create-video", json={"topic": "Cats", "music": choice})
    assert answer.status_code == 400 and message in answer.json()["error"]["message"], answer.text


# -- the studio: upload, pick, preview, render; kept with the project; private to its workspace ------
@pytest.mark.slow
@pytest.mark.usefixtures("dirs", "fakes")
def test_studio_uploads_previews_renders_and_keeps_the_track(m4a):
    from tests.test_studio_app import make_all, new_app, ok, page, settle, use_fakes, write_and_accept
    from viralreel_core.studio.live import LIVE

    at = write_and_accept(use_fakes(new_app()))
    make_all(at)
    page(at, "assemble").file_uploader(key="music_upload_0").upload("notes.txt", b"hello", "text/plain").run()
    errors = [e.value for e in ok(at).error]
    assert len(errors) == 1 and "notes.txt is not an audio file we accept" in errors[0]
    assert at.selectbox(key="music").value == ""
    at.file_uploader(key="music_upload_1").upload("My beat.m4a", m4a, "audio/mp4").run()
    studio = ok(at).session_state["studio"]
    music_id = studio.options["music"]
    assert music.UPLOAD_ID.fullmatch(music_id) and at.selectbox(key="music").value == music_id
    assert "My beat.m4a" in at.selectbox(key="music").options and not at.error
    assert at.get("audio")  # heard before rendering
    at.button(key="render").click().run()
    video = ok(settle(at)).session_state["studio"].last_render["video_path"]
    assert comment_of(video)["music"]["track"] == hashlib.sha256(m4a).hexdigest()[:16]
    assert ebur128(video)[0] == pytest.approx(-14.0, abs=1.0)
    # saved with the project: after a restart (nothing live) the studio reopens with the same track
    LIVE.put("elsewhere", studio)
    again = page(ok(new_app()), "assemble")
    assert again.session_state["studio"] is not studio and again.session_state["studio"].options["music"] == music_id
    assert ok(again).selectbox(key="music").value == music_id and "My beat.m4a" in again.selectbox(key="music").options


@pytest.mark.slow
@pytest.mark.usefixtures("shared", "fakes")
def test_a_visitor_never_sees_or_uses_another_visitor_s_music(m4a):
    from tests.test_studio_app import make_all, ok, page, use_fakes, write_and_accept
    from tests.test_studio_sharing import visit, workspace_of

    a = make_all(write_and_accept(use_fakes(visit()), "A's track"))
    page(a, "assemble").file_uploader(key="music_upload_0").upload("a-secret-demo.m4a", m4a, "audio/mp4").run()
    music_id = ok(a).session_state["studio"].options["music"]
    ws_a = workspace_of(a)
    assert (ws_a.music_dir / music_id.removeprefix("upload:")).is_file()

    b = make_all(write_and_accept(use_fakes(visit()), "B's track"))
    page(b, "assemble")
    assert music_id not in ok(b).selectbox(key="music").options and "a-secret-demo" not in str(b.selectbox)
    assert "a-secret-demo.m4a" not in ok(b).selectbox(key="music").options
    studio_b = b.session_state["studio"]
    studio_b.options["music"] = music_id  # even given A's id, B's studio cannot use it
    with pytest.raises(BadInput, match="is not here"):
        music.check_music(studio_b.settings().music, 0.25, studio_b.settings().music_dir)
    assert ok(b.run()).selectbox(key="music").value == ""
