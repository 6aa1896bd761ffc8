"""Uploading a video with the YouTube Data API v3's resumable protocol, then its cover as the thumbnail.

1. ``POST /upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`` with the video resource
   answers 200 and the session's address in ``Location`` (kept in ``UploadSessions`` until done);
2. ``PUT`` the bytes in chunks of a multiple of 256 KiB with ``Content-Range: bytes A-B/TOTAL``; each is
   answered ``308 Resume Incomplete`` with ``Range: bytes=0-N`` (what YouTube holds) and the last one
   200/201 with the video resource;
3. after a cut connection, a timeout or a 5xx: ``PUT`` with ``Content-Range: bytes */TOTAL`` and no body
   asks where YouTube stands (308 and ``Range``) and the upload goes on from N+1: acknowledged bytes are
   never sent again. ``retry.ATTEMPTS`` failures in a row without progress end the run with the session
   kept, so publishing again resumes it (also after a crash or a cancel);
4. ``POST /upload/youtube/v3/thumbnails/set?videoId=…`` with the cover; 403 (a channel not allowed custom
   thumbnails) is a warning: the video is up either way.

A 401 renews the access token once (``YouTubeAuth.renew``) and repeats the request; a second 401 is the
one line "reconnect the channel". Quota answers (``quotaExceeded``, ``uploadLimitExceeded``) are one line
saying when to try again. No message carries a token or the session's address.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import requests

from viralreel_core.errors import AssemblyError, AuthError, BadInput, ProviderError, QuotaExceeded, RateLimited
from viralreel_core.media.ffmpeg import probe
from viralreel_core.providers.http import retry
from viralreel_core.providers.http.transport import error_detail, json_body, make_session, timeouts
from viralreel_core.publish.upload_sessions import UploadSessions, session_key
from viralreel_core.publish.youtube_auth import API_BASE_ENV, RECONNECT, YouTubeAuth
from viralreel_core.publish.youtube_post import (
    COVER_MAX_BYTES,
    COVER_TYPES,
    VideoPost,
    check_post,
    is_short,
    video_resource,
    watch_url,
)

__all__ = ["UNIT", "DEFAULT_CHUNK", "PublishResult", "YouTubeUploader", "api_error"]

UNIT = 256 * 1024  # chunks are multiples of this (the protocol's rule)
DEFAULT_CHUNK = 32 * UNIT  # 8 MiB: a progress step every few seconds on a home upload link
_RANGE = re.compile(r"bytes=0-(\d+)")
_QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
_RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
_DETAIL_REASONS = {"invalidTitle", "invalidDescription", "invalidTags", "invalidCategoryId", "invalidVideoMetadata",
                   "mediaBodyRequired", "invalidFilename", "defaultLanguageNotSet"}
Progress = Callable[[float, str], None]


@dataclass
class PublishResult:
    """What one publish did: the video's YouTube id and address, and how its bytes went."""

    youtube_id: str
    url: str
    short: bool
    privacy: str
    title: str
    bytes_total: int
    bytes_sent: int  # the bytes this run put on the wire (equal to bytes_total when nothing was sent twice)
    resumed_at: list[int] = field(default_factory=list)  # offsets YouTube acknowledged when an upload went on
    thumbnail: str = "none"  # "set" | "not allowed" | "failed" | "skipped" | "none"
    upload_status: str = ""
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["format"] = "short" if self.short else "video"
        return data


class _Transient(Exception):
    """A failure worth asking YouTube where it stands and going on (a cut, a timeout, a 5xx): private."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class _SessionGone(Exception):
    """YouTube no longer knows the session (404/410): private, answered by starting a new one."""


def _reasons(response: requests.Response) -> tuple[list[str], str]:
    data = json_body(response)
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return [], ""
    reasons = [str(e.get("reason") or "") for e in error.get("errors") or [] if isinstance(e, dict)]
    return [r for r in reasons if r], str(error.get("message") or "")


def api_error(response: requests.Response, what: str, secrets: tuple[str, ...] = ()) -> ProviderError:
    """YouTube's error answer as one line that says what to do."""
    status = response.status_code
    reasons, _ = _reasons(response)
    reason = reasons[0] if reasons else ""
    detail = error_detail(response, *secrets, limit=200)
    if _QUOTA_REASONS & set(reasons):
        return QuotaExceeded(f"YouTube's daily API quota for this Google Cloud project is used up ({status} "
                             f"{reason}).", provider="youtube",
                             hint="It resets at midnight Pacific time; an upload costs about 100 of the default "
                                  "10,000 units a day.")
    if "uploadLimitExceeded" in reasons:
        return QuotaExceeded(f"This channel has uploaded as many videos as YouTube allows for now ({status} "
                             "uploadLimitExceeded).", provider="youtube", hint="Try again in 24 hours.")
    if status == 429 or _RATE_REASONS & set(reasons):
        return RateLimited(f"YouTube is limiting requests ({status} {reason}).".replace(" )", ")"),
                           provider="youtube", retry_after=retry.retry_after(response.headers),
                           hint="Wait a minute and publish again.")
    if "youtubeSignupRequired" in reasons:
        return AuthError("This Google account has no YouTube channel yet (youtubeSignupRequired).",
                         provider="youtube", hint="Create the channel on youtube.com, then publish again.")
    if status == 401:
        return AuthError("YouTube refused the channel's access (401) even after renewing it.", provider="youtube",
                         hint=RECONNECT)
    if status == 403:
        return AuthError(f"YouTube refused {what} (403 {reason or 'forbidden'}).", provider="youtube",
                         hint=f"The connection may lack the upload permission. {RECONNECT}")
    if _DETAIL_REASONS & set(reasons):
        return ProviderError(f"YouTube refused the video's details ({reason}): {detail}", provider="youtube",
                             retryable=False, hint="Change the title, description or tags and publish again.")
    if status >= 500:
        return ProviderError(f"YouTube had a server error ({status}) while {what}.", provider="youtube",
                             hint="Try again in a minute.")
    return ProviderError(f"YouTube refused {what} ({status}): {detail}", provider="youtube", retryable=False,
                         hint="Check the video and its details, then publish again.")


def _megabytes(n: int) -> str:
    return f"{n / 2**20:.1f}"


class YouTubeUploader:
    """Publishes one ``VideoPost`` at a time to the connected channel (see the module's docstring)."""

    def __init__(self, auth: YouTubeAuth, *, chunk_size: int = DEFAULT_CHUNK, sessions: UploadSessions | None = None,
                 session: requests.Session | None = None, sleep: Callable[[float], None] = time.sleep,
                 read_timeout: float = 120.0) -> None:
        if chunk_size <= 0 or chunk_size % UNIT:
            raise ValueError(f"chunk_size must be a multiple of {UNIT} bytes")
        self.auth = auth
        self.api = auth.config.endpoints.api_base
        self.chunk_size = chunk_size
        self.sessions = sessions or UploadSessions(auth.store.folder / "uploads")
        self.session = session or make_session(retries=0)  # one layer retries: this class
        self.sleep = sleep
        self.read_timeout = read_timeout
        self.bytes_sent = 0
        self.resumed_at: list[int] = []

    def close(self) -> None:
        self.session.close()

    # -- the whole publish ------------------------------------------------------------------------
    def publish(self, post: VideoPost, on_progress: Progress = lambda fraction, message: None) -> PublishResult:
        """Upload ``post`` (checked first: BadInput before any request) and set its cover as the thumbnail."""
        post = check_post(post)
        try:
            info = probe(post.video_path)
        except AssemblyError:
            raise BadInput(f"{post.video_path.name} cannot be read as a video.", hint="Render it again.") from None
        short = is_short(info)
        resource = video_resource(post, short=short)
        total = post.video_path.stat().st_size
        key = session_key(post.video_path, resource, self.auth.tokens().connected_at)  # AuthError: not connected
        self.bytes_sent, self.resumed_at = 0, []
        on_progress(0.0, "Starting the upload to YouTube")
        video = self._upload(post.video_path, total, resource, key, on_progress)
        youtube_id = str(video.get("id") or "")
        if not youtube_id:
            raise ProviderError("YouTube finished the upload but sent no video id.", provider="youtube",
                                hint="Look for the video in YouTube Studio before publishing again.")
        self.sessions.drop(key)
        result = PublishResult(youtube_id=youtube_id, url=watch_url(youtube_id, short=short), short=short,
                               privacy=post.privacy, title=post.title, bytes_total=total, bytes_sent=self.bytes_sent,
                               resumed_at=list(self.resumed_at),
                               upload_status=str((video.get("status") or {}).get("uploadStatus") or ""))
        if post.cover_path is not None:
            on_progress(0.97, "Setting the cover as the thumbnail")
            result.thumbnail, warning = self._thumbnail(youtube_id, post.cover_path)
            if warning:
                result.warnings.append(warning)
        on_progress(1.0, f"Published: {result.url}")
        return result

    # -- requests -----------------------------------------------------------------------------------
    def _request(self, method: str, url: str, *, what: str, headers: dict[str, str] | None = None,
                 **kwargs: Any) -> requests.Response:
        """One request with the channel's access token; a 401 renews it once and repeats the request.
        Transport failures are ``_Transient``."""
        for attempt in range(2):
            sent = {**(headers or {}), "Authorization": f"Bearer {self.auth.access_token()}"}
            try:
                response = self.session.request(method, url, headers=sent, timeout=timeouts(self.read_timeout),
                                                **kwargs)
            except requests.RequestException as exc:
                kind = "timed out" if isinstance(exc, requests.Timeout) else "the connection was cut"
                raise _Transient(f"{kind} while {what}") from None
            if response.status_code == 401 and attempt == 0:
                self.auth.renew()
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _failure(self, response: requests.Response, what: str) -> Exception:
        if response.status_code >= 500 or (response.status_code == 429 and not _reasons(response)[0]):
            return _Transient(f"YouTube answered {response.status_code} while {what}",
                              retry.retry_after(response.headers))
        return api_error(response, what, self.auth.secrets())

    def _start(self, resource: dict[str, Any], total: int) -> str:
        """A new upload session's address."""
        url = f"{self.api}/upload/youtube/v3/videos"
        headers = {"Content-Type": "application/json; charset=UTF-8", "X-Upload-Content-Length": str(total),
                   "X-Upload-Content-Type": "video/mp4"}
        body = json.dumps(resource, ensure_ascii=False).encode()
        for attempt in range(1, retry.ATTEMPTS + 1):
            try:
                response = self._request("POST", url, what="starting the upload", headers=headers, data=body,
                                         params={"uploadType": "resumable", "part": "snippet,status"})
                if response.status_code == 200 and response.headers.get("Location"):
                    return response.headers["Location"]
                if response.status_code == 200:
                    raise ProviderError("YouTube started no upload session (no Location).", provider="youtube",
                                        hint="Try again in a minute.")
                raise self._failure(response, "starting the upload")
            except _Transient as exc:
                if attempt == retry.ATTEMPTS:
                    raise ProviderError(f"YouTube could not be reached to start the upload ({exc}).",
                                        provider="youtube",
                                        hint=f"Check the internet connection (or {API_BASE_ENV}) and publish "
                                             "again.") from None
                self.sleep(retry.wait_before(attempt, exc.retry_after))
        raise AssertionError("unreachable")  # pragma: no cover

    def _query(self, uri: str, total: int) -> int | dict[str, Any]:
        """Where YouTube stands: the next byte it wants, or the video resource when it has them all."""
        response = self._request("PUT", uri, what="asking how much YouTube has",
                                 headers={"Content-Range": f"bytes */{total}", "Content-Length": "0"})
        return self._answer(response, "asking how much YouTube has")

    def _answer(self, response: requests.Response, what: str) -> int | dict[str, Any]:
        if response.status_code == 308:
            found = _RANGE.fullmatch(response.headers.get("Range", "").strip())
            if response.headers.get("Range") and not found:
                raise ProviderError("YouTube's answer about the upload could not be read.", provider="youtube",
                                    hint="Publish again.")
            return int(found.group(1)) + 1 if found else 0
        if response.status_code in (200, 201):
            video = json_body(response)
            if not isinstance(video, dict):
                raise ProviderError("YouTube's last answer to the upload was not a video resource.",
                                    provider="youtube", hint="Look for the video in YouTube Studio.")
            return video
        if response.status_code in (404, 410):
            raise _SessionGone()
        raise self._failure(response, what)

    # -- the upload ---------------------------------------------------------------------------------
    def _upload(self, video: Path, total: int, resource: dict[str, Any], key: str,
                on_progress: Progress) -> dict[str, Any]:
        for attempt in range(2):  # a session YouTube forgot (404/410) is started afresh, once
            uri = self.sessions.get(key)
            known = uri is not None
            if uri is None:
                uri = self._start(resource, total)
                self.sessions.put(key, uri)
            try:
                return self._send_all(uri, video, total, known, on_progress)
            except _SessionGone:
                self.sessions.drop(key)
                if attempt:
                    raise ProviderError("YouTube dropped the upload session twice.", provider="youtube",
                                        hint="Publish again in a few minutes.") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _send_all(self, uri: str, video: Path, total: int, known: bool, on_progress: Progress) -> dict[str, Any]:
        failures = 0
        state: int | dict[str, Any] = 0
        if known:  # a session from an earlier run: go on from what YouTube holds
            state, failures = self._recover(uri, total, 0, None)
            if isinstance(state, int):
                self.resumed_at.append(state)
        with open(video, "rb") as handle:
            while isinstance(state, int):
                offset = state
                on_progress(0.95 * offset / total, f"Uploading to YouTube: {_megabytes(offset)} of "
                                                   f"{_megabytes(total)} MB")
                try:
                    state = self._put_chunk(uri, handle, offset, total)
                except _Transient as exc:
                    failures += 1
                    state, failures = self._recover(uri, total, failures, exc)
                    if isinstance(state, int):
                        self.resumed_at.append(state)
                if isinstance(state, int) and state > offset:
                    failures = 0  # progress: the count of failures in a row starts again
        return state

    def _put_chunk(self, uri: str, handle: BinaryIO, offset: int, total: int) -> int | dict[str, Any]:
        handle.seek(offset)
        data = handle.read(min(self.chunk_size, total - offset))
        headers = {"Content-Type": "video/mp4", "Content-Range": f"bytes {offset}-{offset + len(data) - 1}/{total}"}
        self.bytes_sent += len(data)  # on the wire (a cut chunk counts whole: the worst case)
        state = self._answer(self._request("PUT", uri, what="uploading the video", headers=headers, data=data),
                             "uploading the video")
        if isinstance(state, int) and state <= offset:  # counted as a failure, so this can never loop for ever
            raise _Transient("YouTube kept none of the bytes sent")
        return state

    def _recover(self, uri: str, total: int, failures: int, last: _Transient | None
                 ) -> tuple[int | dict[str, Any], int]:
        """Ask YouTube where the upload stands, within the failures allowed in a row."""
        while True:
            if failures >= retry.ATTEMPTS:
                raise ProviderError(f"The upload to YouTube failed {failures} times in a row ({last}).",
                                    provider="youtube",
                                    hint="Publish again: it goes on from the last byte YouTube acknowledged "
                                         "(the session is kept for a week).")
            if failures:
                self.sleep(retry.wait_before(failures, last.retry_after if last else None))
            try:
                return self._query(uri, total), failures
            except _Transient as exc:
                failures, last = failures + 1, exc

    # -- the cover ------------------------------------------------------------------------------------
    def _thumbnail(self, youtube_id: str, cover: Path) -> tuple[str, str | None]:
        """Set the cover as the thumbnail: ("set", None), or what happened and a warning line."""
        data = cover.read_bytes()
        if len(data) > COVER_MAX_BYTES:
            return "skipped", (f"The cover is {_megabytes(len(data))} MB, over YouTube's 2 MB for a thumbnail: "
                               "YouTube shows a frame of the video instead.")
        try:
            response = self._request("POST", f"{self.api}/upload/youtube/v3/thumbnails/set",
                                     what="setting the thumbnail", data=data,
                                     params={"videoId": youtube_id, "uploadType": "media"},
                                     headers={"Content-Type": COVER_TYPES[cover.suffix.lower()]})
        except (_Transient, ProviderError) as exc:
            return "failed", f"The cover could not be set as the thumbnail ({exc}); set it in YouTube Studio."
        if response.status_code == 200:
            return "set", None
        if response.status_code == 403:
            return "not allowed", ("YouTube did not take the cover as the thumbnail (403): this channel may not "
                                   "set custom thumbnails yet (verify it at youtube.com/verify). The video is up "
                                   "with a frame YouTube picked.")
        detail = error_detail(response, *self.auth.secrets(), limit=120)
        return "failed", (f"YouTube did not take the cover as the thumbnail ({response.status_code}: {detail}); "
                          "set it in YouTube Studio.")
