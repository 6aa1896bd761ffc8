"""Pexels clips against a local fake of its API: the search sent, the file picked, the credit kept."""

from __future__ import annotations

import pytest

from tests.fakes.servers import FakePexels
from tests.media import probe
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import AuthError, BadInput, NoGoodFootage, ProviderError, RateLimited
from viralreel_core.media.aspect import frame_size
from viralreel_core.providers.clips.pexels import PexelsClips, credit_for, pick_file, search_terms

KEY = "px-test-PEXELS-0123456789abcdef"
VISUALS = "Close-up shot of a ginger cat sleeping on a sunny windowsill, warm light"


@pytest.fixture
def api():
    with FakePexels(KEY) as fake:
        yield fake


def maker(api, waits=None, **kw) -> PexelsClips:
    return PexelsClips(kw.pop("key", KEY), base_url=api.url, sleep=(waits.append if waits is not None else None),
                       **kw)


def searches(api):
    return api.requests_to("/videos/search")


def test_search_terms_keep_what_stock_footage_is_tagged_with():
    assert search_terms(VISUALS) == ["ginger", "cat", "sleeping", "sunny", "windowsill"]
    assert search_terms("Aerial drone view, 4K, of Tokyo's neon streets at night") == ["tokyo's", "neon", "streets",
                                                                                       "night"]
    assert search_terms("a the of") == []


def test_pick_file_prefers_the_narrowest_portrait_file_at_least_1080_wide():
    video = {"video_files": [{"width": 1920, "height": 1080, "link": "l"}, {"width": 2160, "height": 3840, "link": "u"},
                             {"width": 1080, "height": 1920, "link": "f"}, {"width": 720, "height": 1280, "link": "h"}]}
    assert pick_file(video)["link"] == "f"
    small = {"video_files": [{"width": 360, "height": 640, "link": "s"}, {"width": 720, "height": 1280, "link": "h"}]}
    assert pick_file(small)["link"] == "h"  # none is 1080 wide: the widest portrait one
    assert pick_file({"video_files": [{"width": 1920, "height": 1080, "link": "l"}]}) is None


def test_make_sends_a_portrait_search_and_keeps_the_videographers_credit(api, tmp_path):
    clip = maker(api).make(VISUALS, 6, tmp_path)
    search, other = searches(api)  # one search per phrase read from the visuals (no style words)
    assert search.headers["authorization"] == KEY  # no "Bearer"
    assert search.query == {"query": ["ginger cat sleeping"], "orientation": ["portrait"],
                            "size": ["medium"], "per_page": ["15"], "page": ["1"]}
    assert other.param("query") == "windowsill"
    download = api.requests[-1]
    assert download.path.endswith("_1080x1920.mp4") and "authorization" not in download.headers
    assert clip.credit.startswith("Video by Ana Lima on Pexels (https://www.pexels.com/video/")
    assert clip.provider == "pexels" and clip.cost_usd == 0.0
    assert probe(clip.video_path).video_codec == "h264"


@pytest.mark.parametrize("aspect, orientation, file, who", [("16:9", "landscape", "_1920x1080.mp4", "Dev Rao"),
                                                           ("1:1", "square", "_1080x1080.mp4", "Eli Sato"),
                                                           ("4:5", "portrait", "_1080x1920.mp4", "Ana Lima"),
                                                           ("9:16", "portrait", "_1080x1920.mp4", "Ana Lima")])
def test_the_orientation_searched_and_the_file_picked_follow_the_frame(api, tmp_path, aspect, orientation, file, who):
    width, height = frame_size(aspect)
    settings = settings_from_env(environ={}, width=width, height=height)
    assert PexelsClips.from_settings(settings).orientation == orientation  # the frame arrives through Settings
    clips = maker(api, width=width, height=height)
    clip = clips.make(VISUALS, 6, tmp_path)
    assert {s.param("orientation") for s in searches(api)} == {orientation}  # the fake keeps only that orientation
    assert api.requests[-1].path.endswith(file) and who in clip.credit
    assert (clip.width > clip.height) == (orientation == "landscape")
    assert clips.cache_params()["orientation"] == orientation


def test_pick_file_takes_the_smallest_full_hd_file_of_the_orientation():
    video = {"video_files": [{"width": 3840, "height": 2160, "link": "u"}, {"width": 1280, "height": 720, "link": "h"},
                             {"width": 1920, "height": 1080, "link": "f"},
                             {"width": 1080, "height": 1920, "link": "p"}]}
    assert pick_file(video, orientation="landscape")["link"] == "f"
    assert pick_file(video, orientation="portrait")["link"] == "p"
    assert pick_file(video, orientation="square") is None


def test_the_fake_refuses_an_orientation_pexels_does_not_list(api):
    import requests

    answer = requests.get(f"{api.url}/videos/search", params={"query": "cat", "orientation": "vertical"},
                          headers={"Authorization": KEY}, timeout=10)
    assert answer.status_code == 400


def test_unused_then_long_enough_videos_come_first(api, tmp_path):
    clips = maker(api)
    first = clips.make(VISUALS, 6, tmp_path)   # the 12 s video: the 3 s one is too short
    second = clips.make(VISUALS, 6, tmp_path)  # another scene with the same words: not the same video again
    third = clips.make(VISUALS, 6, tmp_path)
    assert "Ana Lima" in first.credit and first.choice["duration"] == 12
    assert len({first.choice["key"], second.choice["key"], third.choice["key"]}) == 3
    assert first.choice["matched"] == ["ginger cat sleeping"] and second.choice["duration"] == 12  # the other phrase's
    assert third.choice["duration"] == 3  # long ones used up: a short one (slowed) rather than a repeat


def test_no_full_hd_result_broadens_the_search_then_takes_a_smaller_file(api, tmp_path):
    api.keep = lambda video: video["duration"] == 20  # only the video whose files are at most 720 wide
    clip = maker(api).make(VISUALS, 6, tmp_path)
    assert [s.param("size") for s in searches(api)] == ["medium", "medium", None, None]
    assert api.requests[-1].path.endswith("_720x1280.mp4") and "Cleo Park" in clip.credit


def test_nothing_found_is_a_clear_error_after_broader_searches(api, tmp_path):
    api.unknown_words = {"ginger", "unicorn"}
    with pytest.raises(ProviderError) as info:
        maker(api).make("A ginger unicorn", 6, tmp_path)
    assert "no good match for 'ginger unicorn', 'ginger' (0 candidates)" in str(info.value)
    assert isinstance(info.value, NoGoodFootage) and not info.value.retryable
    assert [s.param("query") for s in searches(api)] == ["ginger unicorn", "ginger", "ginger unicorn", "ginger"]


def test_visuals_without_words_are_bad_input(api, tmp_path):
    with pytest.raises(BadInput):
        maker(api).make("!!! ...", 6, tmp_path)
    assert api.requests == []


def test_wrong_key_is_an_auth_error_without_the_key(api, tmp_path):
    with pytest.raises(AuthError) as info:
        maker(api, key="px-wrong-777777777").make(VISUALS, 6, tmp_path)
    assert "PEXELS_API_KEY" in str(info.value) and "777777" not in str(info.value)


def test_bearer_prefix_is_refused_like_pexels_does(api, tmp_path):
    with pytest.raises(AuthError):
        maker(api, key=f"Bearer {KEY}").make(VISUALS, 6, tmp_path)


def test_hourly_limit_is_rate_limited_and_not_hammered(api, tmp_path):
    api.fail("status", status=429, times=None)
    with pytest.raises(RateLimited) as info:
        maker(api, []).make(VISUALS, 6, tmp_path)
    assert "200 requests an hour" in str(info.value) and len(searches(api)) == 1


def test_server_error_is_retried_by_the_transport(api, tmp_path):
    api.fail("status", status=502)
    waits: list[float] = []
    assert maker(api, waits).make(VISUALS, 6, tmp_path).credit
    assert len(searches(api)) == 3  # the first phrase's search twice, then the second's


def test_cut_off_download_is_fetched_again(api, tmp_path):
    api.fail("truncated", match="/video-files/")
    clip = maker(api, []).make(VISUALS, 6, tmp_path)
    assert probe(clip.video_path).duration > 0 and len(api.requests_to("/video-files/")) == 2


def test_download_that_is_not_a_video_is_refused(api, tmp_path):
    api.fail("not_video", match="/video-files/")
    with pytest.raises(ProviderError, match="not a video"):
        maker(api).make(VISUALS, 6, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_credit_text():
    assert credit_for({"url": "https://www.pexels.com/video/x-1/", "user": {"name": "  Jane   Doe "}}) == \
        "Video by Jane Doe on Pexels (https://www.pexels.com/video/x-1/)"
