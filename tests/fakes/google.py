"""A local fake of Google's OAuth 2.0 endpoints and the YouTube Data API v3 upload protocol, on 127.0.0.1.

One server plays both hosts (point ``GOOGLE_OAUTH_BASE_URL`` and ``YOUTUBE_API_BASE_URL`` at it):

- ``GET /o/oauth2/v2/auth``: the consent page, approving at once: 302 to ``redirect_uri`` with ``code`` and
  ``state`` (``deny_consent``: ``error=access_denied``). It checks the client id, ``response_type=code``,
  the ``youtube.upload`` scope, a loopback or listed redirect URI and a PKCE S256 challenge;
- ``POST /token``: ``authorization_code`` (client secret, one-time code, same redirect URI, the verifier
  matching the challenge) and ``refresh_token`` grants, answering Google's JSON or its ``{"error": …}``;
- ``POST /revoke`` (``token`` in the form): the refresh token and its access tokens stop working;
- ``POST /upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`` with a Bearer token and the
  video resource (checked: title, privacy, booleans, no unknown status field): 200 and ``Location``;
- ``PUT`` on that location: ``Content-Range: bytes A-B/TOTAL`` stores the bytes (308 ``Resume Incomplete``
  with ``Range: bytes=0-N``, then 200 with the video resource); ``bytes */TOTAL`` asks where it stands;
- ``POST /upload/youtube/v3/thumbnails/set?videoId=…``: 200, or 403 when ``allow_thumbnails`` is off.

Errors come in Google's shape (``{"error": {"code", "message", "errors": [{"reason", "domain"}]}}``):
``fail("status", status=403, code="quotaExceeded")``; the upload session's PUTs take their own
``put_status``, ``put_hang`` and ``put_disconnect``, matched against their ``Content-Range`` (``match="*/"``:
the questions where an upload stands). ``cut_upload(at=0.4)`` reads an upload's body up to
40 % of the video and hangs up without answering. ``bytes_received`` counts every body byte read by
PUTs; ``issued`` holds every code and token handed out (a test looks for them where they must not be).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.fakes.servers import FakeService, Recorded, Reply, _Handler

__all__ = ["FakeGoogle"]

SCOPE = "https://www.googleapis.com/auth/youtube.upload"
_STATUS_FIELDS = {"uploadStatus", "failureReason", "rejectionReason", "privacyStatus", "publishAt", "license",
                  "embeddable", "publicStatsViewable", "madeForKids", "selfDeclaredMadeForKids",
                  "containsSyntheticMedia"}
_SNIPPET_FIELDS = {"title", "description", "tags", "categoryId", "defaultLanguage", "defaultAudioLanguage"}
_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")
_QUERY = re.compile(r"bytes \*/(\d+)")
_PIECE = 64 * 1024
PUT_FAULTS = ("put_status", "put_hang", "put_disconnect")  # faults for the session's PUTs alone


@dataclass
class _Session:
    total: int
    resource: dict[str, Any]
    data: bytearray = field(default_factory=bytearray)
    video_id: str = ""


class _GoogleHandler(_Handler):
    def do_PUT(self) -> None:
        parts = urlsplit(self.path)
        # recorded with its Content-Range as its text (the video's bytes are not kept), so a fault can match it
        rec = Recorded("PUT", parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()},
                       f"Content-Range: {self.headers.get('Content-Range', '')}".encode(), time.monotonic())
        with self.fake._lock:
            self.fake.requests.append(rec)
        length = int(self.headers.get("Content-Length") or 0)
        self._send(self.fake.upload_put(rec, self.rfile, length))


class FakeGoogle(FakeService):
    """See the module's docstring."""

    def __init__(self, client_id: str = "fake-client.apps.googleusercontent.com",
                 client_secret: str = "GOCSPX-fake-client-secret", **kwargs: Any) -> None:
        super().__init__(client_secret, **kwargs)
        self._server.RequestHandlerClass = type("Handler", (_GoogleHandler,), {"fake": self})
        self.client_id, self.client_secret = client_id, client_secret
        self.redirect_uris: list[str] | None = None  # None: any loopback address (a "Desktop app" client)
        self.deny_consent = False
        self.allow_thumbnails = True
        self.expires_in = 3599
        self.codes: dict[str, dict[str, str]] = {}
        self.refresh_tokens: set[str] = set()
        self.access_tokens: dict[str, str] = {}  # access token -> its refresh token
        self.revoked: list[str] = []
        self.issued: list[str] = []  # every code and token ever handed out
        self.sessions: dict[str, _Session] = {}
        self.videos: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, bytes] = {}  # video id -> the bytes received
        self.thumbnails: dict[str, bytes] = {}
        self.bytes_received = 0
        self.grants: list[str] = []  # grant types asked of /token, in order
        self._cut_at: float | None = None
        self._state = threading.Lock()

    # -- control ---------------------------------------------------------------------------------
    def cut_upload(self, at: float) -> None:
        """Hang up without answering once an upload's body reaches ``at`` (a fraction) of the video."""
        self._cut_at = at

    def expire_access_tokens(self) -> None:
        """Every access token handed out so far stops working (as an hour later): the next call is 401."""
        with self._state:
            self.access_tokens.clear()

    def connect(self) -> dict[str, str]:
        """A refresh and an access token as a finished consent would give (for tests of the upload alone)."""
        return self._issue()

    # -- errors in Google's shapes -------------------------------------------------------------------
    def error_reply(self, status: int, code: str | None = None, message: str | None = None) -> Reply:
        reason = code or {401: "authError", 403: "forbidden", 404: "notFound"}.get(status, "backendError")
        domain = "youtube.quota" if reason == "quotaExceeded" else "youtube.video" if reason.startswith(
            "upload") else "global"
        text = message or {401: "Request had invalid authentication credentials.",
                           "quotaExceeded": "The request cannot be completed because you have exceeded your quota.",
                           "uploadLimitExceeded": "The user has exceeded the number of videos they may upload."
                           }.get(status if status == 401 else reason, "Backend Error")
        return Reply.json({"error": {"code": status, "message": text,
                                     "errors": [{"message": text, "domain": domain, "reason": reason}]}}, status)

    @staticmethod
    def _oauth_error(error: str, description: str, status: int = 400) -> Reply:
        return Reply.json({"error": error, "error_description": description}, status)

    def check_auth(self, rec: Recorded) -> Reply | None:
        if not rec.path.startswith("/upload/"):
            return None
        given = rec.headers.get("authorization", "")
        token = given[7:] if given.startswith("Bearer ") else ""
        with self._state:
            valid = token in self.access_tokens
        return None if valid else self.error_reply(401)

    # -- routes ------------------------------------------------------------------------------------------
    def route(self, rec: Recorded) -> Reply:
        if rec.method == "GET" and rec.path == "/o/oauth2/v2/auth":
            return self._consent(rec)
        if rec.method == "POST" and rec.path == "/token":
            return self._token(rec)
        if rec.method == "POST" and rec.path == "/revoke":
            return self._revoke(rec)
        if rec.method == "POST" and rec.path == "/upload/youtube/v3/videos":
            return self._start(rec)
        if rec.method == "POST" and rec.path == "/upload/youtube/v3/thumbnails/set":
            return self._thumbnail(rec)
        return self.error_reply(404, "notFound", f"No route {rec.method} {rec.path}")

    def _redirect_ok(self, uri: str) -> bool:
        if self.redirect_uris is not None:
            return uri in self.redirect_uris
        parts = urlsplit(uri)
        return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")

    def _consent(self, rec: Recorded) -> Reply:
        q = {k: v[0] for k, v in rec.query.items()}
        if q.get("client_id") != self.client_id:
            return Reply(401, b"<html>Error 401: invalid_client</html>", {"Content-Type": "text/html"})
        uri = q.get("redirect_uri", "")
        if not self._redirect_ok(uri):
            return Reply(400, b"<html>Error 400: redirect_uri_mismatch</html>", {"Content-Type": "text/html"})
        if q.get("response_type") != "code" or SCOPE not in q.get("scope", "").split() or \
                q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return Reply(400, b"<html>Error 400: invalid_request</html>", {"Content-Type": "text/html"})
        answer = {"state": q.get("state", "")}
        if self.deny_consent:
            answer["error"] = "access_denied"
        else:
            code = "4/fake-" + secrets.token_urlsafe(16)
            with self._state:
                self.codes[code] = {"redirect_uri": uri, "challenge": q["code_challenge"]}
                self.issued.append(code)
            answer.update({"code": code, "scope": SCOPE})
        joiner = "&" if "?" in uri else "?"
        return Reply(302, b"", {"Location": f"{uri}{joiner}{urlencode(answer)}"})

    def _issue(self, refresh: str | None = None) -> dict[str, str]:
        access = "ya29.fake-" + secrets.token_urlsafe(24)
        with self._state:
            if refresh is None:
                refresh = "1//fake-" + secrets.token_urlsafe(24)
                self.refresh_tokens.add(refresh)
                self.issued.append(refresh)
            self.access_tokens[access] = refresh
            self.issued.append(access)
        return {"access_token": access, "refresh_token": refresh}

    def _token(self, rec: Recorded) -> Reply:
        form = {k: v[0] for k, v in parse_qs(rec.text()).items()}
        self.grants.append(form.get("grant_type", ""))
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return self._oauth_error("invalid_client", "The OAuth client was not found.", 401)
        if form.get("grant_type") == "authorization_code":
            with self._state:
                asked = self.codes.pop(form.get("code", ""), None)
            if asked is None:
                return self._oauth_error("invalid_grant", "Malformed auth code.")
            if form.get("redirect_uri") != asked["redirect_uri"]:
                return self._oauth_error("redirect_uri_mismatch", "Bad Request")
            verifier = form.get("code_verifier", "")
            made = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if made != asked["challenge"]:
                return self._oauth_error("invalid_grant", "Invalid code verifier.")
            tokens = self._issue()
            return Reply.json({**tokens, "expires_in": self.expires_in, "scope": SCOPE, "token_type": "Bearer"})
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in self.refresh_tokens:
                return self._oauth_error("invalid_grant", "Token has been expired or revoked.")
            access = self._issue(form["refresh_token"])["access_token"]
            return Reply.json({"access_token": access, "expires_in": self.expires_in, "scope": SCOPE,
                               "token_type": "Bearer"})
        return self._oauth_error("unsupported_grant_type", "Invalid grant_type.")

    def _revoke(self, rec: Recorded) -> Reply:
        token = (parse_qs(rec.text()).get("token") or [""])[0]
        with self._state:
            if token in self.refresh_tokens:
                self.refresh_tokens.discard(token)
                for access in [a for a, r in self.access_tokens.items() if r == token]:
                    del self.access_tokens[access]
            elif token in self.access_tokens:
                del self.access_tokens[token]
            else:
                return self._oauth_error("invalid_token", "Token expired or revoked")
            self.revoked.append(token)
        return Reply.json({})

    def _start(self, rec: Recorded) -> Reply:
        if rec.param("uploadType") != "resumable" or set((rec.param("part") or "").split(",")) != {"snippet",
                                                                                                  "status"}:
            return self.error_reply(400, "invalidPart", "uploadType=resumable&part=snippet,status expected")
        size = rec.headers.get("x-upload-content-length", "")
        kind = rec.headers.get("x-upload-content-type", "")
        if not size.isdigit() or not (kind.startswith("video/") or kind == "application/octet-stream"):
            return self.error_reply(400, "badRequest", "X-Upload-Content-Length and -Type are required")
        video = rec.json
        if not isinstance(video, dict):
            return self.error_reply(400, "parseError", "The request body is not a video resource.")
        snippet, status = video.get("snippet") or {}, video.get("status") or {}
        if set(snippet) - _SNIPPET_FIELDS or set(status) - _STATUS_FIELDS or set(video) - {"snippet", "status"}:
            return self.error_reply(400, "unexpectedPart", "Unknown field in the video resource.")
        title = snippet.get("title")
        if not isinstance(title, str) or not title.strip() or len(title) > 100 or "<" in title or ">" in title:
            return self.error_reply(400, "invalidTitle", "The request metadata specifies an invalid video title.")
        if status.get("privacyStatus") not in ("private", "unlisted", "public"):
            return self.error_reply(400, "invalidVideoMetadata", "Invalid privacyStatus.")
        for name in ("selfDeclaredMadeForKids", "containsSyntheticMedia", "embeddable"):
            if name in status and not isinstance(status[name], bool):
                return self.error_reply(400, "invalidVideoMetadata", f"{name} must be a boolean.")
        upload_id = secrets.token_urlsafe(18)
        with self._state:
            self.sessions[upload_id] = _Session(int(size), video)
        location = f"{self.url}/upload/youtube/v3/videos?uploadType=resumable&upload_id={upload_id}"
        return Reply(200, b"", {"Location": location, "X-GUploader-UploadID": upload_id})

    def _held(self, session: _Session) -> Reply:
        received = len(session.data)
        if session.video_id:
            return Reply.json(self.videos[session.video_id])
        return Reply(308, b"", {"Range": f"bytes=0-{received - 1}"} if received else {})

    def upload_put(self, rec: Recorded, body: Any, length: int) -> Reply:
        """A PUT on an upload session: a chunk of the video, or the question where the upload stands."""
        session = self.sessions.get(rec.param("upload_id") or "")
        fault = self.take(PUT_FAULTS, rec)
        if session is None or fault is not None:
            self.bytes_received += len(body.read(length)) if length else 0
            if fault is None:
                return self.error_reply(404, "notFound", "No such upload session.")
            return self._generic(replace(fault, kind=fault.kind.removeprefix("put_")))
        span = rec.headers.get("content-range", "")
        if _QUERY.fullmatch(span):
            return self._held(session)
        found = _RANGE.fullmatch(span)
        if not found or int(found.group(3)) != session.total or int(found.group(2)) - int(found.group(1)) + 1 != \
                length or int(found.group(1)) > len(session.data):
            body.read(length)
            return self.error_reply(400, "badRequest", "Failed to parse Content-Range header.")
        start = int(found.group(1))
        cut = None if self._cut_at is None else int(self._cut_at * session.total)
        read = 0
        while read < length:
            want = min(_PIECE, length - read)
            if cut is not None and start + read < cut <= start + read + want:
                want = cut - (start + read)
            piece = body.read(want)
            if not piece:
                break
            at = start + read
            read += len(piece)
            self.bytes_received += len(piece)
            if at + len(piece) > len(session.data):  # bytes already held are not kept twice
                session.data.extend(piece[max(0, len(session.data) - at):])
            if cut is not None and start + read == cut:
                self._cut_at = None
                return Reply(mode="disconnect")  # the rest of the body is never read: the client sees a reset
        if len(session.data) >= session.total and not session.video_id:
            self._finish(session)
        return self._held(session)

    def _finish(self, session: _Session) -> None:
        video_id = secrets.token_urlsafe(8)[:11]
        snippet, status = session.resource.get("snippet", {}), session.resource.get("status", {})
        resource = {"kind": "youtube#video", "etag": secrets.token_hex(8), "id": video_id,
                    "snippet": {**snippet, "channelId": "UCfakechannel", "publishedAt": "2026-12-10T12:00:00Z"},
                    "status": {"uploadStatus": "uploaded", "license": "youtube", "publicStatsViewable": True,
                               "embeddable": True, **status,
                               "madeForKids": bool(status.get("selfDeclaredMadeForKids", False))}}
        with self._state:
            session.video_id = video_id
            self.videos[video_id] = resource
            self.uploads[video_id] = bytes(session.data)

    def _thumbnail(self, rec: Recorded) -> Reply:
        video_id = rec.param("videoId") or ""
        if video_id not in self.videos:
            return self.error_reply(404, "videoNotFound", "The video that you are trying to update cannot be found.")
        if not self.allow_thumbnails:
            return self.error_reply(403, "forbidden", "The authenticated user doesn't have permissions to upload "
                                                      "and set custom video thumbnails.")
        if rec.headers.get("content-type") not in ("image/jpeg", "image/png", "application/octet-stream") or \
                not rec.body or len(rec.body) > 2 * 2**20:
            return self.error_reply(400, "invalidImage", "The provided image content is invalid.")
        self.thumbnails[video_id] = rec.body
        return Reply.json({"kind": "youtube#thumbnailSetResponse", "etag": secrets.token_hex(8),
                           "items": [{"default": {"url": f"https://i.ytimg.com/vi/{video_id}/default.jpg",
                                                  "width": 120, "height": 90}}]})

    def leaked(self, text: str | bytes) -> list[str]:
        """The codes and tokens this fake handed out that appear in ``text``."""
        blob = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        return [t for t in self.issued if t in blob]
