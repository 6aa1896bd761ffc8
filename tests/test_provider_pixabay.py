"""Pixabay clips against a local fake of its video search: the query sent (key in the query string, never
in a log or an error), the rendition picked for the frame's shape, the fallbacks, the limits."""

from __future__ import annotations

import logging
import socket

import pytest

from tests.fakes.servers import FakePixabay
from tests.media import probe
from viralreel_core import providers
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import AuthError, BadInput, ProviderError, RateLimited
from viralreel_core.models import Scene
from viralreel_core.providers.clips.pixabay import PixabayClips, credit_for, orientation_of, pick_rendition
from viralreel_core.providers.http import retry
from viralreel_core.run.pipeline import Pipeline

KEY = "48151623-pxbTEST0a1b2c3d4e5f60718293"
VISUALS = "Close-up shot of waves rolling onto a sandy beach at sunset, warm light"


@pytest.fixture
def api():
    with FakePixabay(KEY) as fake:
        yield fake


def maker(api, waits=None, **kw) -> PixabayClips:
    return PixabayClips(kw.pop("key", KEY), base_url=api.url, sleep=(waits.append if waits is not None else None),
                        **kw)


def searches(api):
    return api.requests_to("/api/videos/")


def hit(**renditions):
    return {"videos": {name: {"url": name, "width": w, "height": h} for name, (w, h) in renditions.items()}}


def test_pick_rendition_takes_the_smallest_that_covers_the_frame_else_the_largest():
    landscape = hit(large=(3840, 2160), medium=(1920, 1080), small=(1280, 720), tiny=(960, 540))
    assert pick_rendition(landscape, 1920, 1080)["url"] == "medium"
    assert pick_rendition(landscape, 1280, 720)["url"] == "small"
    assert pick_rendition(landscape, 1080, 1920)["url"] == "large"  # nothing covers a portrait frame: the largest
    portrait = hit(medium=(1080, 1920), small=(720, 1280))
    assert pick_rendition(portrait, 1080, 1920)["url"] == "medium"
    assert pick_rendition({"videos": {"large": {"url": "", "width": 0, "height": 0}}}, 1080, 1920) is None
    assert orientation_of(1080, 1920) == "portrait" and orientation_of(1080, 1080) == "square"


def test_make_searches_with_the_key_in_the_query_and_downloads_without_it(api, tmp_path):
    clip = maker(api).make(VISUALS, 6, tmp_path)
    search = searches(api)[0]
    assert [s.param("q") for s in searches(api)] == ["waves rolling", "sandy beach", "sunset"]  # a search a phrase
    assert search.query == {"key": [KEY], "q": ["waves rolling"], "video_type": ["film"],
                            "safesearch": ["true"], "per_page": ["20"], "page": ["1"], "min_width": ["1080"],
                            "min_height": ["1920"]}
    assert "authorization" not in search.headers
    download = api.requests[-1]
    assert download.path.endswith("/medium_1080x1920.mp4") and KEY not in download.path + str(download.query)
    assert clip.credit.startswith("Video by Ana_Lima on Pixabay (https://pixabay.com/videos/id-")
    info = probe(clip.video_path)
    assert clip.provider == "pixabay" and clip.cost_usd == 0.0 and info.video_codec == "h264"
    assert info.height > info.width and info.duration > 5  # a real portrait MP4


def test_a_landscape_frame_gets_landscape_video(api, tmp_path):
    clip = maker(api, width=1920, height=1080).make(VISUALS, 6, tmp_path)
    assert searches(api)[0].param("min_width") == "1920"
    assert api.requests[-1].path.endswith("/medium_1920x1080.mp4") and "coverr" in clip.credit
    assert probe(clip.video_path).width > probe(clip.video_path).height


def test_unused_then_right_shape_then_long_enough_come_first(api, tmp_path):
    clips = maker(api)
    first = clips.make(VISUALS, 6, tmp_path, ("ocean waves",))  # the 10 s portrait video (the 3 s one is too short)
    second = clips.make(VISUALS, 6, tmp_path, ("ocean waves",))  # another scene: the 3 s portrait one, not landscape
    third = clips.make(VISUALS, 6, tmp_path, ("ocean waves",))  # portrait ones used up: the landscape film, cropped
    assert ("Ana_Lima" in first.credit, "bochen" in second.credit, "coverr" in third.credit) == (True, True, True)


def test_no_hit_at_the_frames_size_broadens_the_search_then_takes_a_smaller_file(api, tmp_path):
    api.keep = lambda h: h["duration"] == 20  # only the portrait video at most 720 wide
    clip = maker(api).make(VISUALS, 6, tmp_path)
    assert [s.param("min_width") for s in searches(api)] == ["1080"] * 3 + [None] * 3
    assert api.requests[-1].path.endswith("/small_720x1280.mp4") and "cleo" in clip.credit


def test_nothing_found_is_a_clear_error_after_broader_searches(api, tmp_path):
    api.unknown_words = {"waves", "unicorn"}
    with pytest.raises(ProviderError) as info:
        maker(api).make("Waves and a unicorn", 6, tmp_path)
    assert "no good match for 'waves', 'unicorn'" in str(info.value) and not info.value.retryable
    assert [s.param("q") for s in searches(api)] == ["waves", "unicorn", "waves", "unicorn"]


def test_visuals_without_words_are_bad_input_before_any_request(api, tmp_path):
    with pytest.raises(BadInput):
        maker(api).make("the of a", 6, tmp_path)
    assert not api.requests


def test_wrong_key_is_an_auth_error_and_the_key_is_in_no_error_or_log(api, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "11112222-WRONGpixabaykey00998877"
    with pytest.raises(AuthError) as info:
        maker(api, key=wrong).make(VISUALS, 6, tmp_path)
    text = f"{info.value} {info.value.hint}"
    assert "PIXABAY_API_KEY" in text and wrong not in text
    assert wrong not in caplog.text and "key=[redacted]" in caplog.text  # urllib3's own lines, scrubbed
    assert len(searches(api)) == 1


def test_a_401_is_an_auth_error_too(api, tmp_path):
    api.fail("status", status=401)
    with pytest.raises(AuthError, match="rejected the API key"):
        maker(api).make(VISUALS, 6, tmp_path)


def test_429_waits_what_retry_after_asks_then_succeeds(api, tmp_path):
    waits: list[float] = []
    api.fail("status", status=429, headers={"Retry-After": "2"})
    clip = maker(api, waits).make(VISUALS, 6, tmp_path)
    assert waits == [2.0] and len(searches(api)) == 4 and clip.credit  # the first phrase's twice, then two more


def test_429_that_persists_is_rate_limited_with_its_wait_and_no_key(api, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    api.fail("status", status=429, times=None, headers={"Retry-After": "5", "X-RateLimit-Reset": "41"})
    with pytest.raises(RateLimited) as info:
        maker(api, []).make(VISUALS, 6, tmp_path)
    assert info.value.retry_after == 5.0 and len(searches(api)) == retry.ATTEMPTS
    assert KEY not in str(info.value) and KEY not in caplog.text


def test_a_long_wait_is_handed_back_at_once_using_the_reset_header(api, tmp_path):
    api.fail("status", status=429, times=None, headers={"X-RateLimit-Reset": "45"})
    waits: list[float] = []
    with pytest.raises(RateLimited) as info:
        maker(api, waits).make(VISUALS, 6, tmp_path)
    assert info.value.retry_after == 45.0  # no Retry-After: the window's reset


def test_a_dropped_connection_is_a_clear_error_without_the_key(api, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    api.fail("disconnect")
    with pytest.raises(ProviderError, match="closed the connection") as info:
        maker(api, []).make(VISUALS, 6, tmp_path)
    assert KEY not in str(info.value) and KEY not in caplog.text


def test_an_unreachable_server_is_retried_and_urllib3s_warnings_carry_no_key(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    with socket.socket() as probe_socket:  # a port nobody listens on
        probe_socket.bind(("127.0.0.1", 0))
        port = probe_socket.getsockname()[1]
    waits: list[float] = []
    with pytest.raises(ProviderError, match="Cannot reach Pixabay") as info:
        PixabayClips(KEY, base_url=f"http://127.0.0.1:{port}", sleep=waits.append).make(VISUALS, 6, tmp_path)
    assert len(waits) == retry.ATTEMPTS - 1 and "Retrying" in caplog.text  # urllib3 logged each retry…
    assert KEY not in caplog.text and KEY not in f"{info.value} {info.value.hint}"  # …without the key


def test_cut_off_download_is_fetched_again_and_non_video_refused(api, tmp_path):
    api.fail("truncated")
    maker(api, []).make(VISUALS, 6, tmp_path)
    assert len(api.requests_to("/video/")) == 2
    api.fail("not_video")
    with pytest.raises(ProviderError, match="not a video"):
        maker(api, []).make(VISUALS, 6, tmp_path / "b")


def test_registry_settings_auto_and_the_cache(api, tmp_path):
    env = {"PIXABAY_API_KEY": KEY, "PIXABAY_BASE_URL": api.url}
    settings = settings_from_env(environ=env, clip_provider="pixabay", cache_dir=tmp_path / "cache",
                                 width=1080, height=1350)
    assert providers.resolve_name("clips", "auto", settings_from_env(environ=env)) == "pixabay"
    assert providers.resolve_name("clips", "auto", settings_from_env(environ={**env, "PEXELS_API_KEY": "p"})) \
        == "pexels"
    made = providers.create("clips", settings)
    assert isinstance(made, PixabayClips) and made.orientation == "portrait"
    assert KEY not in repr(made) and KEY not in str(made.cache_params()) and KEY not in repr(settings)
    scene = Scene(1, VISUALS, "The tide turns twice a day, pulled by the moon.")
    Pipeline(settings).clip_for(scene)
    before = len(api.requests)
    Pipeline(settings).clip_for(scene)  # a fresh pipeline: served from the disk cache
    assert len(api.requests) == before


def test_credit_text():
    assert credit_for({"user": "  Jane   Doe ", "pageURL": "https://pixabay.com/videos/id-1/"}) == \
        "Video by Jane Doe on Pixabay (https://pixabay.com/videos/id-1/)"
    assert credit_for({}) == "Video by a Pixabay contributor on Pixabay (https://pixabay.com/videos/)"
