"""Publishing to YouTube against a fake of Google's documented protocol (tests/fakes/google.py): the consent
flow and the token file, the resumable upload and its recovery after a cut, quota and auth answers in one
line, the thumbnail, and no token text anywhere but the token file."""

from __future__ import annotations

import json
import logging
import stat
import time
from dataclasses import replace

import pytest
import requests

from tests.fakes.google import FakeGoogle
from tests.youtube_helpers import config_for, connect, make_video
from viralreel_core.errors import AuthError, BadInput, JobCancelled, ProviderError, QuotaExceeded
from viralreel_core.publish import TokenStore, VideoPost, YouTubeAuth, YouTubeUploader
from viralreel_core.publish.youtube_auth import begin_login, finish_login, read_redirect, revoke
from viralreel_core.publish.youtube_post import post_defaults
from viralreel_core.publish.youtube_upload import UNIT

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")


@pytest.fixture
def google():
    with FakeGoogle() as fake:
        yield fake


@pytest.fixture
def config(google, tmp_path):
    return config_for(google, tmp_path / "config")


@pytest.fixture
def connected(config):
    connect(config)
    return config


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("videos")
    return {"vertical": make_video(folder / "viralreel_20261210_120000_a1b2c3d4.mp4"),
            "landscape": make_video(folder / "viralreel_20261210_120001_e5f6a7b8.mp4", 256, 144),
            "big": make_video(folder / "viralreel_20261210_120002_c0ffee00.mp4", seconds=1.0, noise=True)}


def uploader(config, **kwargs) -> YouTubeUploader:
    return YouTubeUploader(YouTubeAuth(config), sleep=lambda seconds: None, **kwargs)


def test_connecting_keeps_the_tokens_in_one_file_only_this_user_can_read(google, config):
    connect(config)
    store = config.store()
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.folder.stat().st_mode) == 0o700
    tokens = store.load()
    assert tokens is not None and google.leaked(store.path.read_text()) == [tokens.refresh_token,
                                                                          tokens.access_token]
    assert google.leaked(repr(tokens)) == [] and google.leaked(repr(config)) == []
    assert config.client_secret not in repr(config)
    assert google.grants == ["authorization_code"]


def test_an_answer_from_another_attempt_or_a_refusal_is_one_clear_line(google, config):
    mine, other = begin_login(config, "http://127.0.0.1:9/"), begin_login(config, "http://127.0.0.1:9/")
    answer = requests.get(other.url, allow_redirects=False, timeout=10).headers["Location"]
    with pytest.raises(BadInput, match="another connection attempt"):
        finish_login(config, mine, *read_redirect(answer))
    google.deny_consent = True
    denied = requests.get(mine.url, allow_redirects=False, timeout=10).headers["Location"]
    with pytest.raises(BadInput, match="declined"):
        read_redirect(denied)
    assert read_redirect("4/0AeaYSHabc") == ("4/0AeaYSHabc", "")  # a bare code pasted
    with pytest.raises(BadInput, match="no authorization code"):
        read_redirect("http://127.0.0.1:9/?state=x")
    assert not config.store().path.exists()


def test_a_vertical_video_goes_up_as_a_private_short_with_the_declarations(google, connected, videos, tmp_path):
    cover = tmp_path / "cover.jpg"
    cover.write_bytes(b"\xff\xd8\xff\xe0" + b"0" * 2000)
    seen = []
    post = VideoPost(videos["vertical"], "  Why cats   purr ", "How purring works.", ("#cats", "cats", "purr"),
                     cover_path=cover)
    result = uploader(connected).publish(post, lambda fraction, message: seen.append((fraction, message)))
    video = google.videos[result.youtube_id]
    assert video["snippet"]["title"] == "Why cats purr" and video["snippet"]["tags"] == ["cats", "purr"]
    assert video["snippet"]["description"] == "How purring works.\n\n#Shorts"
    assert video["status"]["privacyStatus"] == "private"
    assert video["status"]["selfDeclaredMadeForKids"] is False and video["status"]["containsSyntheticMedia"] is True
    assert google.uploads[result.youtube_id] == videos["vertical"].read_bytes()
    assert result.short and result.url == f"https://www.youtube.com/shorts/{result.youtube_id}"
    assert result.thumbnail == "set" and google.thumbnails[result.youtube_id] == cover.read_bytes()
    assert seen[0][0] == 0.0 and seen[-1] == (1.0, f"Published: {result.url}")
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)


def test_a_landscape_video_is_a_normal_video_and_the_choices_reach_youtube(google, connected, videos):
    post = VideoPost(videos["landscape"], "A wide one", privacy="unlisted", made_for_kids=True, synthetic=False)
    result = uploader(connected).publish(post)
    video = google.videos[result.youtube_id]
    assert not result.short and result.url == f"https://www.youtube.com/watch?v={result.youtube_id}"
    assert "#Shorts" not in video["snippet"]["description"]
    assert video["status"]["privacyStatus"] == "unlisted"
    assert video["status"]["selfDeclaredMadeForKids"] is True and video["status"]["containsSyntheticMedia"] is False


@pytest.mark.parametrize("chunk", [UNIT, 64 * UNIT], ids=["256 KiB chunks", "one request"])
def test_a_cut_at_40_percent_resumes_without_sending_acknowledged_bytes_again(google, connected, videos, chunk):
    total = videos["big"].stat().st_size
    assert total > 4 * UNIT
    google.cut_upload(at=0.4)
    result = uploader(connected, chunk_size=chunk).publish(VideoPost(videos["big"], "Noise"))
    assert google.uploads[result.youtube_id] == videos["big"].read_bytes()
    assert google.bytes_received == total  # every byte reached the fake exactly once
    assert result.resumed_at == [int(0.4 * total)]  # where YouTube said it stood after the cut
    queries = [r for r in google.requests_to("/upload/youtube/v3/videos", "PUT")
               if r.headers.get("content-range") == f"bytes */{total}"]
    assert len(queries) == 1
    resumed = [r.headers["content-range"] for r in google.requests_to("/upload/youtube/v3/videos", "PUT")]
    assert resumed[resumed.index(f"bytes */{total}") + 1].startswith(f"bytes {int(0.4 * total)}-")


def test_an_upload_stopped_for_good_resumes_in_the_next_run_from_youtubes_last_byte(google, connected, videos):
    total = videos["big"].stat().st_size
    google.cut_upload(at=0.4)
    google.fail("put_disconnect", times=3, match="*/")  # the questions after the cut go unanswered too
    with pytest.raises(ProviderError, match="failed 3 times in a row") as failed:
        uploader(connected, chunk_size=UNIT).publish(VideoPost(videos["big"], "Noise"))
    assert "goes on from the last byte" in str(failed.value)
    held = int(0.4 * total)
    result = uploader(connected, chunk_size=UNIT).publish(VideoPost(videos["big"], "Noise"))  # a new run
    assert result.resumed_at == [held] and result.bytes_sent == total - held
    assert google.bytes_received == total and google.uploads[result.youtube_id] == videos["big"].read_bytes()
    assert len(google.requests_to("/upload/youtube/v3/videos", "POST")) == 1  # one session for both runs
    assert not list((connected.store().folder / "uploads").glob("*.json"))  # done: the session is forgotten


def test_an_upload_stopped_by_a_cancel_resumes_where_youtube_stands(google, connected, videos):
    total = videos["big"].stat().st_size

    def cancel_after_three_chunks(fraction: float, message: str) -> None:
        if fraction >= 0.95 * 3 * UNIT / total:
            raise JobCancelled("The job was cancelled.")

    with pytest.raises(JobCancelled):
        uploader(connected, chunk_size=UNIT).publish(VideoPost(videos["big"], "Noise"), cancel_after_three_chunks)
    result = uploader(connected, chunk_size=UNIT).publish(VideoPost(videos["big"], "Noise"))
    assert result.resumed_at == [3 * UNIT] and result.bytes_sent == total - 3 * UNIT
    assert google.bytes_received == total and google.uploads[result.youtube_id] == videos["big"].read_bytes()


def test_a_youtube_that_keeps_none_of_the_bytes_ends_the_run_instead_of_looping(google, connected, videos):
    google.fail("put_status", status=308, times=None, match="bytes 0-")  # "Resume Incomplete", nothing held
    with pytest.raises(ProviderError, match="failed 3 times in a row .*kept none of the bytes"):
        uploader(connected, chunk_size=UNIT).publish(VideoPost(videos["big"], "Noise"))
    assert len(google.requests_to("/upload/youtube/v3/videos", "PUT")) == 3 + 2  # 3 chunks, 2 questions between


def test_an_expired_access_token_is_renewed_once_and_the_upload_goes_on(google, connected, videos):
    google.expire_access_tokens()
    result = uploader(connected).publish(VideoPost(videos["vertical"], "Cats"))
    assert result.youtube_id in google.videos and google.grants == ["authorization_code", "refresh_token"]
    saved = connected.store().load()
    assert saved is not None and saved.access_token in google.access_tokens


def test_a_second_401_asks_to_reconnect_the_channel(google, connected, videos):
    google.fail("status", status=401, times=None, match="/upload/youtube/v3/videos")
    with pytest.raises(AuthError, match="Reconnect the channel") as refused:
        uploader(connected).publish(VideoPost(videos["vertical"], "Cats"))
    assert google.grants.count("refresh_token") == 1 and "\n" not in str(refused.value)


def test_a_revoked_connection_asks_to_reconnect_and_is_forgotten(google, connected, videos):
    tokens = connected.store().load()
    assert revoke(connected, tokens)
    google.expire_access_tokens()
    with pytest.raises(AuthError, match="invalid_grant.*Reconnect the channel"):
        uploader(connected).publish(VideoPost(videos["vertical"], "Cats"))
    assert not connected.store().path.exists()
    with pytest.raises(AuthError, match="No YouTube channel is connected"):
        uploader(connected).publish(VideoPost(videos["vertical"], "Cats"))


@pytest.mark.parametrize(("status", "reason", "says"), [
    (403, "quotaExceeded", "daily API quota .* used up .*midnight Pacific"),
    (400, "uploadLimitExceeded", "as many videos as YouTube allows .*24 hours"),
    (403, "forbidden", "YouTube refused starting the upload \\(403 forbidden\\)"),
])
def test_quota_and_permission_answers_are_one_line_and_send_no_video(google, connected, videos, status, reason,
                                                                     says):
    google.fail("status", status=status, code=reason, match="/upload/youtube/v3/videos")
    kind = QuotaExceeded if "quota" in reason or "Limit" in reason else AuthError
    with pytest.raises(kind, match=says) as refused:
        uploader(connected).publish(VideoPost(videos["vertical"], "Cats"))
    assert "\n" not in str(refused.value) and google.bytes_received == 0
    assert not google.requests_to("/upload/youtube/v3/videos", "PUT")


def test_a_channel_not_allowed_custom_thumbnails_gets_a_warning_not_a_failure(google, connected, videos, tmp_path):
    google.allow_thumbnails = False
    cover = tmp_path / "cover.jpg"
    cover.write_bytes(b"\xff\xd8\xff\xe0" + b"0" * 100)
    result = uploader(connected).publish(VideoPost(videos["vertical"], "Cats", cover_path=cover))
    assert result.youtube_id in google.videos and result.thumbnail == "not allowed"
    assert len(result.warnings) == 1 and "403" in result.warnings[0] and "youtube.com/verify" in result.warnings[0]


@pytest.mark.parametrize(("change", "says"), [
    ({"title": "   "}, "needs a title"), ({"title": "x" * 101}, "101 characters"),
    ({"title": "Cats <3"}, "< or >"), ({"privacy": "friends"}, "not one of private"),
    ({"tags": tuple(f"tag number {n}" for n in range(60))}, "more than 500"),
])
def test_bad_details_are_refused_before_any_request(google, connected, videos, change, says):
    google.requests.clear()
    with pytest.raises(BadInput, match=says):
        uploader(connected).publish(replace(VideoPost(videos["vertical"], "Cats"), **change))
    assert google.requests == []


def test_no_token_text_in_logs_errors_or_results(google, connected, videos, caplog):
    caplog.set_level(logging.DEBUG)
    google.expire_access_tokens()
    result = uploader(connected).publish(VideoPost(videos["vertical"], "Cats"))
    google.fail("status", status=401, times=None, match="/upload/youtube/v3/videos")
    with pytest.raises(AuthError) as refused:
        uploader(connected).publish(VideoPost(videos["landscape"], "Cats"))
    everything = f"{caplog.text}\n{result.to_dict()}\n{refused.value}\n{refused.value.hint}"
    assert google.leaked(everything) == [] and connected.client_secret not in everything
    assert google.sessions and not [u for u in google.sessions if u in everything]  # nor a session (a capability)


def test_disconnecting_revokes_at_google(google, connected):
    store: TokenStore = connected.store()
    tokens = store.load()
    assert revoke(connected, tokens) and store.delete()
    assert google.revoked == [tokens.refresh_token] and not store.path.exists()
    assert revoke(connected, tokens)  # already revoked: Google says invalid_token, gone either way
    assert time.time() < tokens.expires_at


def test_the_post_kit_beside_a_render_gives_the_defaults_even_from_a_moved_folder(tmp_path):
    video = make_video(tmp_path / "viralreel_20261210_120000_a1b2c3d4.mp4")
    (tmp_path / "viralreel_20261210_120000_a1b2c3d4.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    assert post_defaults(video, "Cats")["title"] == "Cats" and post_defaults(video)["cover"] is None
    (tmp_path / "viralreel_20261210_120000_a1b2c3d4.post.json").write_text(json.dumps({
        "title": "Why cats purr", "description": "Purring, explained.", "hashtags": ["#cats", "#Cats", "#purr"],
        "cover_path": "/elsewhere/outputs/viralreel_20261210_120000_a1b2c3d4.jpg"}))
    kit = post_defaults(video, "Cats")
    assert kit == {"title": "Why cats purr", "description": "Purring, explained.", "tags": ["cats", "purr"],
                   "cover": tmp_path / "viralreel_20261210_120000_a1b2c3d4.jpg"}
