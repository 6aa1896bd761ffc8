"""The shared HTTP plumbing: one retry policy with injectable waits, key scrubbing, error mapping."""

from __future__ import annotations

import email.utils
import time

import pytest
import requests

from tests.fakes.servers import FakePexels
from viralreel_core.errors import AuthError, ProviderError, ProviderTimeout, QuotaExceeded, RateLimited
from viralreel_core.providers.http import retry
from viralreel_core.providers.http.transport import (
    error_detail,
    error_for_status,
    host_of,
    make_session,
    network_errors,
    scrub,
    timeouts,
)

KEY = "px-transport-KEY-123456789"


@pytest.fixture
def api():
    with FakePexels(KEY) as fake:
        yield fake


def get(session, api):
    return session.get(f"{api.url}/videos/search", params={"query": "cat"}, headers={"Authorization": KEY},
                       timeout=timeouts(2))


def test_scrub_removes_the_given_secret_and_anything_shaped_like_a_key():
    text = (f"bad key {KEY}; Authorization: Bearer abc.def; sk-proj-abcdefghij; key_{'0a' * 20}; "
            '"xi-api-key": "zzz999"')
    clean = scrub(text, KEY)
    for leaked in (KEY, "abc.def", "sk-proj-abcdefghij", "0a0a0a0a", "zzz999"):
        assert leaked not in clean
    assert clean.count("[redacted]") == 5 and "Bearer [redacted]" in clean
    assert scrub("nothing secret here") == "nothing secret here"


def test_host_of_never_shows_user_info_or_query():
    assert host_of("https://user:pw@api.example.com:8443/v1?key=1") == "api.example.com:8443"


def test_retry_after_reads_seconds_milliseconds_and_dates():
    def headers(**given):
        r = requests.Response()
        r.headers.update(given)
        return r.headers
    assert retry.retry_after(headers(**{"Retry-After": "7"})) == 7
    assert retry.retry_after(headers(**{"retry-after-ms": "250"})) == 0.25
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 < retry.retry_after(headers(**{"Retry-After": later})) <= 30
    assert retry.retry_after(headers()) is None and retry.retry_after(None) is None


def test_error_detail_is_one_short_key_free_line_from_any_shape():
    r = requests.Response()
    r._content = b'{"error": {"message": "bad key ' + KEY.encode() + b'   here"}}'
    assert error_detail(r, KEY) == "bad key [redacted] here"
    r._content = b"<html>  oops " + b"x" * 500
    assert error_detail(r).startswith("<html> oops") and len(error_detail(r)) == 300
    assert error_detail([{"msg": "one"}, {"msg": "two"}]) == "one; two"
    assert error_detail(None) == ""


@pytest.mark.parametrize("status, error, retryable", [(401, AuthError, False), (403, AuthError, False),
                                                      (402, QuotaExceeded, False), (429, RateLimited, True),
                                                      (408, ProviderTimeout, True), (503, ProviderError, True),
                                                      (400, ProviderError, False)])
def test_error_for_status_maps_each_family_once(status, error, retryable):
    exc = error_for_status("Svc", "svc", status, "details", key_env="SVC_KEY")
    assert type(exc) is error and exc.retryable is retryable and exc.provider == "svc"


def test_session_retries_5xx_and_429_with_recorded_waits(api):
    api.fail("status", status=503, times=1)
    api.fail("status", status=429, times=1, headers={"Retry-After": "4"})
    waits: list[float] = []
    response = get(make_session(sleep=waits.append), api)
    assert response.status_code == 200 and len(api.requests) == retry.ATTEMPTS
    assert waits[0] == pytest.approx(1.0, abs=retry.JITTER) and waits[1] == 4  # backoff, then what was asked


def test_exhausted_retries_return_the_last_answer_for_the_caller_to_map(api):
    api.fail("status", status=500, times=None)
    waits: list[float] = []
    response = get(make_session(sleep=waits.append), api)
    assert response.status_code == 500 and len(api.requests) == retry.ATTEMPTS
    assert waits == pytest.approx([1.0, 2.0], abs=retry.JITTER)


def test_a_session_without_retries_sends_once(api):
    api.fail("status", status=503, times=None)
    assert get(make_session(retries=0, sleep=lambda s: None), api).status_code == 503 and len(api.requests) == 1


def test_statuses_outside_the_list_are_not_retried(api):
    api.fail("status", status=429, times=None)
    response = get(make_session(statuses=(500,), sleep=lambda s: None), api)
    assert response.status_code == 429 and len(api.requests) == 1


def test_post_read_timeout_is_not_resent(api):
    api.fail("hang")
    session = make_session(sleep=lambda s: None)
    with pytest.raises(ProviderTimeout):
        with network_errors("Svc", provider="svc", what="posting"):
            session.post(f"{api.url}/videos/search", headers={"Authorization": KEY}, timeout=timeouts(0.3))
    assert len(api.requests) == 1


def test_fake_latency_slows_every_answer(api):
    api.latency = 0.3
    started = time.monotonic()
    assert get(make_session(), api).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_a_retry_after_longer_than_we_wait_here_is_handed_back_at_once(api):
    api.fail("status", status=503, headers={"Retry-After": "3600"}, times=None)
    waits: list[float] = []
    response = get(make_session(sleep=waits.append), api)
    assert response.status_code == 503 and retry.retry_after(response.headers) == 3600
    assert waits == [] and len(api.requests) == 1
