"""Local fakes of the paid services: real HTTP servers on 127.0.0.1 that speak each service's protocol.

Each fake checks the key the way its service does (Runway also its ``X-Runway-Version`` header),
validates the fields our clients send, answers in the documented shapes with real (tiny) media,
records every request, and can be told to misbehave::

    with FakeElevenLabs("el-test-key") as fake:
        fake.fail("status", status=429, headers={"Retry-After": "2"}, code="rate_limit_exceeded")
        ...
        assert fake.requests[0].headers["xi-api-key"] == "el-test-key"

``fail(kind, times=1, match=None, **options)`` queues a fault for the next request(s) whose path or
body contains ``match`` (``times=None``: every one). Faults every fake understands:

- ``status``: an error answer in the service's own error shape (``status``, ``code``, ``message``,
  ``headers`` such as ``{"Retry-After": "2"}``);
- ``hang``: accept the request and never answer (until the fake closes);
- ``malformed``: 200 with a body that is not JSON;
- ``disconnect``: close the connection without answering.

``on_request(action, match=None, times=1)`` runs ``action(request)`` as a matching request arrives,
before it is answered (e.g. to fill a disk the moment a service is first asked).

Each class lists its own (a refusal, a task that fails, a truncated download…). ``latency`` adds
seconds before every answer.
"""

from __future__ import annotations

import atexit
import base64
import functools
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from viralreel_core.media.ffmpeg import ffmpeg_exe

__all__ = ["Media", "Recorded", "Reply", "FakeService", "FakeOpenAI", "FakeElevenLabs", "FakeRunway",
           "FakePexels", "FakePixabay", "FakeOllama", "mask_key"]


# --- media ----------------------------------------------------------------------------------------

class Media:
    """Tiny real media made with ffmpeg on first use and kept for the process: MP4s, a PNG, MP3 tones."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._made: dict[tuple, bytes] = {}

    @classmethod
    @functools.cache
    def shared(cls) -> Media:
        """One Media per test process, in a temporary folder removed at exit."""
        directory = Path(tempfile.mkdtemp(prefix="viralreel_fake_media_"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        return cls(directory)

    def _make(self, key: tuple, name: str, args: list[str]) -> bytes:
        with self._lock:
            if key not in self._made:
                path = self.directory / name
                subprocess.run([ffmpeg_exe(), "-v", "error", "-y", *args, str(path)], check=True,
                               capture_output=True)
                self._made[key] = path.read_bytes()
            return self._made[key]

    def video(self, seconds: float = 5.0, width: int = 144, height: int = 256) -> bytes:
        """An H.264 MP4 test pattern ``seconds`` long."""
        seconds = round(float(seconds), 2)
        return self._make(("video", seconds, width, height), f"clip_{seconds}_{width}x{height}.mp4",
                          ["-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate=24:duration={seconds}",
                           "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast",
                           "-movflags", "+faststart"])

    def png(self, width: int = 144, height: int = 256) -> bytes:
        """A PNG still."""
        return self._make(("png", width, height), f"frame_{width}x{height}.png",
                          ["-f", "lavfi", "-i", f"testsrc2=size={width}x{height}", "-frames:v", "1"])

    def still(self, width: int, height: int, fmt: str = "png") -> bytes:
        """A test-pattern still as ``fmt`` ("png", "jpeg" or "webp")."""
        ext = {"jpeg": "jpg"}.get(fmt, fmt)
        return self._make(("still", width, height, fmt), f"still_{width}x{height}.{ext}",
                          ["-f", "lavfi", "-i", f"testsrc2=size={width}x{height}", "-frames:v", "1"])

    def mp3(self, seconds: float) -> bytes:
        """A 440 Hz tone as MP3, ``seconds`` long (rounded to 0.05 s)."""
        seconds = max(0.2, round(float(seconds) * 20) / 20)
        return self._make(("mp3", seconds), f"tone_{seconds}.mp3",
                          ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={seconds}",
                           "-c:a", "libmp3lame", "-b:a", "64k"])


# --- requests, replies, faults --------------------------------------------------------------------

@dataclass
class Recorded:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    at: float

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Reply:
    """What the fake answers: a status, headers and body, or a misbehaviour (``mode``)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    mode: str = "normal"  # "hang" | "disconnect" | "truncate"

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
        return cls(status, json.dumps(data).encode(), {"Content-Type": "application/json", **(headers or {})})


@dataclass
class Fault:
    kind: str
    times: int | None
    match: str | None
    options: dict[str, Any]

    def applies(self, rec: Recorded) -> bool:
        return self.match is None or self.match in rec.path or self.match in rec.text()


def mask_key(key: str) -> str:
    """A key shown the way OpenAI's 401 message shows it: its start and end, starred in between."""
    return key[:3] + "*" * max(0, len(key) - 7) + key[-4:] if len(key) > 8 else "***"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeService

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        rec = Recorded(self.command, parts.path, parse_qs(parts.query),
                       {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic())
        reply = self.fake._answer(rec)
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        if reply.mode == "hang":
            self.fake._released.wait(float(reply.headers.get("seconds", 30)))
            self.close_connection = True
            return
        if reply.mode == "disconnect":
            self.close_connection = True
            return
        body = reply.body
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if reply.mode == "truncate":  # promise all the bytes, send half, hang up
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if self.command != "HEAD":
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    errors: list[str]

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Keep a handler's error (a client that hung up mid-answer) instead of printing it."""
        self.errors.append(repr(sys.exc_info()[1]))


class FakeService:
    """A fake service on ``http://127.0.0.1:<random port>``; subclasses define its protocol."""

    GENERIC_FAULTS = ("status", "hang", "malformed", "disconnect")

    def __init__(self, key: str, media: Media | None = None, latency: float = 0.0) -> None:
        self.key = key
        self.media = media or Media.shared()
        self.latency = latency
        self.requests: list[Recorded] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._released = threading.Event()
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        self._server.errors = self.server_errors = []
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name=f"fake-{type(self).__name__}")

    # -- life --------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeService:
        self._thread.start()
        return self

    def close(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- control -----------------------------------------------------------------------------------
    def fail(self, kind: str, *, times: int | None = 1, match: str | None = None, **options: Any) -> None:
        """Misbehave on the next ``times`` requests (None: all) whose path or body contains ``match``."""
        with self._lock:
            self._faults.append(Fault(kind, times, match, options))

    def on_request(self, action: Callable[[Recorded], None], *, match: str | None = None,
                   times: int | None = 1) -> None:
        """Run ``action(request)`` as the next ``times`` requests (None: all) matching ``match`` arrive."""
        self.fail("action", times=times, match=match, action=action)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, kinds: str | tuple[str, ...], rec: Recorded) -> Fault | None:
        """The first queued fault of one of ``kinds`` that applies to ``rec`` (used up by one)."""
        kinds = (kinds,) if isinstance(kinds, str) else kinds
        with self._lock:
            for i, fault in enumerate(self._faults):
                if fault.kind in kinds and fault.applies(rec):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            del self._faults[i]
                    return fault
        return None

    def requests_to(self, part: str = "", method: str | None = None) -> list[Recorded]:
        """Recorded requests whose path contains ``part`` (and with ``method``)."""
        with self._lock:
            return [r for r in self.requests if part in r.path and (method is None or r.method == method)]

    # -- answering -----------------------------------------------------------------------------------
    def _answer(self, rec: Recorded) -> Reply:
        with self._lock:
            self.requests.append(rec)
        hook = self.take("action", rec)
        if hook is not None:
            hook.options["action"](rec)
        if self.latency:
            time.sleep(self.latency)
        refused = self.check_auth(rec)
        if refused is not None:
            return refused
        fault = self.take(self.GENERIC_FAULTS, rec)
        if fault is not None:
            return self._generic(fault)
        try:
            return self.route(rec)
        except Exception as exc:  # a bug in the fake: answer like a server would, loudly
            return self.error_reply(500, "fake_error", f"fake server error: {exc!r}")

    def _generic(self, fault: Fault) -> Reply:
        if fault.kind == "hang":
            return Reply(mode="hang", headers={"seconds": str(fault.options.get("seconds", 30))})
        if fault.kind == "disconnect":
            return Reply(mode="disconnect")
        if fault.kind == "malformed":
            return Reply(200, b'{"id": "broken', {"Content-Type": "application/json"})
        status = int(fault.options.get("status", 500))
        reply = self.error_reply(status, fault.options.get("code"), fault.options.get("message"))
        reply.headers.update(fault.options.get("headers") or {})
        return reply

    # -- the protocol (subclasses) ---------------------------------------------------------------------
    def check_auth(self, rec: Recorded) -> Reply | None:
        """An error answer if the request lacks what the service demands (key, headers), else None."""
        return None

    def route(self, rec: Recorded) -> Reply:
        raise NotImplementedError

    def error_reply(self, status: int, code: str | None = None, message: str | None = None) -> Reply:
        return Reply.json({"error": message or "error"}, status)


# --- OpenAI ---------------------------------------------------------------------------------------

_OPENAI_SPEECH_MODELS = ("tts-1", "tts-1-hd", "gpt-4o-mini-tts")
_GPT_IMAGE = (("1024x1024", "1024x1536", "1536x1024", "auto"), ("low", "medium", "high", "auto"), 32000)
#: image model -> (sizes, qualities, longest prompt)
_OPENAI_IMAGE_MODELS = {"gpt-image-1": _GPT_IMAGE, "gpt-image-1-mini": _GPT_IMAGE, "gpt-image-1.5": _GPT_IMAGE,
                        "dall-e-3": (("1024x1024", "1024x1792", "1792x1024"), ("standard", "hd"), 4000),
                        "dall-e-2": (("256x256", "512x512", "1024x1024"), ("standard",), 1000)}
_IMAGE_OUTPUT_TOKENS = {"low": 408, "medium": 1584, "high": 6240, "auto": 1584}
_OPENAI_VOICES = ("alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse")


#: what the fake writer says in a scene, in the language the prompt asks for
_SCENE_LINES = {"English": "Scene {i} tells you about {topic} in a few words.",
                "Spanish": "La escena {i} te cuenta algo sobre {topic} en pocas palabras y de una forma clara.",
                "Hindi": "दृश्य {i} आपको {topic} के बारे में कुछ शब्दों में बताता है।",
                "Chinese": "第{i}幕用几句话告诉你关于{topic}的故事。",
                "Arabic": "المشهد {i} يخبرك عن {topic} في كلمات قليلة."}

#: the fake writer's post texts (the kit request), in the language the prompt asks for
_POST_LINES = {"English": ("{title}: the 30-second version", "A quick look at {topic}. What surprised you most?",
                           ["#shorts", "#learn", "#facts", "#science"]),
               "Spanish": ("{title}: en 30 segundos", "Un vistazo rápido a {topic}. ¿Qué te sorprendió más?",
                           ["#ciencia", "#datos", "#aprender"]),
               "Hindi": ("{title}: 30 सेकंड में", "{topic} पर एक छोटी सी नज़र। आपको क्या सबसे ज़्यादा हैरान करता है?",
                         ["#विज्ञान", "#तथ्य", "#सीखें"]),
               "Chinese": ("{title}：三十秒看懂", "快速了解{topic}。你最惊讶的是什么？", ["#科学", "#知识", "#短视频"]),
               "Arabic": ("{title}: في ثلاثين ثانية", "نظرة سريعة على {topic}. ما الذي أدهشك أكثر؟",
                          ["#علوم", "#حقائق", "#تعلم"])}


class FakeOpenAI(FakeService):
    """``/v1/chat/completions``, ``/v1/audio/speech`` and ``/v1/images/generations`` with Bearer auth and
    OpenAI's error bodies.

    Images: GPT Image models answer ``data[0].b64_json`` (``output_format`` png / jpeg / webp, and a
    ``usage`` block) and refuse ``response_format``; DALL·E answers ``b64_json`` only when asked with
    ``response_format`` (else a ``url``, which this fake does not serve). Image faults: ``moderation``
    (400 ``moderation_blocked``), ``not_image`` (base64 of a web page). Chat faults: ``refusal``, ``length``
    (cut-off JSON, ``finish_reason: length``), ``bad_content`` (a reply that is not JSON), ``few_scenes``
    (two scenes), ``empty_narration``,
    ``no_search_terms`` (scenes without their stock search phrases); ``supports_json_schema = False`` makes it
    answer ``json_schema`` requests with the 400 an older compatible server gives. The script's narration is in the
    language the system prompt asks for (English, Spanish, Hindi, Chinese, Arabic); ``languages_asked``
    lists, per script request, the language the prompt named (None: none). A post-kit request (the system
    prompt asks for "the post that goes with a short video") gets a title, description and hashtags in the
    language it names (``post_languages_asked``); fault ``few_hashtags`` answers it with one hashtag. A visuals
    request (for narration a person wrote) gets one shot per numbered narration (``visuals_asked``).
    """

    def __init__(self, key: str, media: Media | None = None, latency: float = 0.0) -> None:
        super().__init__(key, media, latency)
        self.supports_json_schema = True
        self.default_scenes = 3
        self.languages_asked: list[str | None] = []
        self.post_languages_asked: list[str | None] = []
        self.visuals_asked: list[list[str]] = []  # per visuals request, the narrations it numbered
        self.vision_asked: list[tuple[str, str]] = []  # per image a vision request showed, (url, detail)
        self.off_topic: set[str] = set()  # parts of image addresses the vision check says do not fit

    def error_reply(self, status: int, code: str | None = None, message: str | None = None,
                    type_: str | None = None, param: str | None = None) -> Reply:
        defaults = {429: ("rate_limit_exceeded", "requests", "Rate limit reached for gpt-4o-mini."),
                    500: (None, "server_error", "The server had an error while processing your request."),
                    503: (None, "server_error", "The engine is currently overloaded, please try again later.")}
        d_code, d_type, d_message = defaults.get(status, (None, "invalid_request_error", "Bad request."))
        code = code or d_code
        if code == "insufficient_quota":
            d_type = "insufficient_quota"
            d_message = ("You exceeded your current quota, please check your plan and billing details.")
        return Reply.json({"error": {"message": message or d_message, "type": type_ or d_type,
                                     "param": param, "code": code}}, status,
                          {"x-request-id": f"req_{uuid.uuid4().hex[:12]}"})

    def check_auth(self, rec: Recorded) -> Reply | None:
        auth = rec.headers.get("authorization", "")
        if not auth:
            return self.error_reply(401, None, "You didn't provide an API key. You need to provide your API key in "
                                    "an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")
        if auth != f"Bearer {self.key}":
            given = auth.removeprefix("Bearer ").strip()
            return self.error_reply(401, "invalid_api_key", f"Incorrect API key provided: {mask_key(given)}. You "
                                    "can find your API key at https://platform.openai.com/account/api-keys.")
        return None

    def route(self, rec: Recorded) -> Reply:
        if rec.method == "POST" and rec.path == "/v1/chat/completions":
            return self._chat(rec)
        if rec.method == "POST" and rec.path == "/v1/audio/speech":
            return self._speech(rec)
        if rec.method == "POST" and rec.path == "/v1/images/generations":
            return self._images(rec)
        return self.error_reply(404, None, f"Invalid URL ({rec.method} {rec.path})")

    # chat ------------------------------------------------------------------------------------------
    @staticmethod
    def _strict_problem(schema: Any, where: str = "()") -> str | None:
        """What strict structured output would reject in ``schema`` (every property required, no extras)."""
        if not isinstance(schema, dict):
            return None
        if schema.get("type") == "object":
            props = schema.get("properties") or {}
            if schema.get("additionalProperties") is not False:
                return f"In context={where}, 'additionalProperties' is required to be supplied and to be false."
            missing = sorted(set(props) - set(schema.get("required") or []))
            if missing:
                return f"In context={where}, 'required' is required to include every key; missing {missing}."
            for name, sub in props.items():
                problem = FakeOpenAI._strict_problem(sub, f"('properties', '{name}')")
                if problem:
                    return problem
        if schema.get("type") == "array":
            return FakeOpenAI._strict_problem(schema.get("items"), f"{where}, 'items'")
        return None

    def _chat(self, rec: Recorded) -> Reply:
        body = rec.json
        if not isinstance(body, dict):
            return self.error_reply(400, None, "We could not parse the JSON body of your request.")
        if not body.get("model"):
            return self.error_reply(400, None, "you must provide a model parameter", param="model")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return self.error_reply(400, None, "[] is too short - 'messages'", param="messages")
        text = " ".join(str(m.get("content", "")) for m in messages if isinstance(m, dict))
        fmt = body.get("response_format") or {}
        if fmt.get("type") == "json_schema":
            if not self.supports_json_schema:
                return self.error_reply(400, None, "'response_format.type' : value is not one of the allowed "
                                        "values ['text','json_object']", param="response_format")
            spec = fmt.get("json_schema") or {}
            if not spec.get("name") or not isinstance(spec.get("schema"), dict):
                return self.error_reply(400, None, "Missing required parameter: 'response_format.json_schema'.",
                                        param="response_format")
            problem = self._strict_problem(spec["schema"]) if spec.get("strict") else None
            if problem:
                return self.error_reply(400, None, f"Invalid schema for response_format '{spec['name']}': {problem}",
                                        param="response_format")
        elif fmt.get("type") == "json_object" and "json" not in text.lower():
            return self.error_reply(400, None, "'messages' must contain the word 'json' in some form, to use "
                                    "'response_format' of type 'json_object'.", param="messages")
        images = [part for m in messages if isinstance(m, dict) and isinstance(m.get("content"), list)
                  for part in m["content"] if isinstance(part, dict) and part.get("type") == "image_url"]
        if images:
            return self._vision(body, images, text, rec)
        asks_post = "the post that goes with a short video" in text
        if "You plan the pictures of a vertical short video" in text:  # visuals for a person's own narration
            content: str | None = json.dumps(self._visuals(messages, rec))
        else:
            content = json.dumps(self._post(messages, rec) if asks_post else self._script(messages, rec))
        refusal = None
        finish = "stop"
        if self.take("refusal", rec):
            content, refusal = None, "I'm sorry, but I can't help with that request."
        elif self.take("length", rec):
            content, finish = content[: len(content) // 2], "length"
        elif self.take("bad_content", rec):
            content = "Sure! Here is your script: Scene 1 ..."
        prompt_tokens = len(text) // 4 + 8
        completion_tokens = len(content or refusal or "") // 4 + 1
        return Reply.json({
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion", "created": int(time.time()),
            "model": f"{body['model']}-2024-07-18",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": refusal,
                                                 "annotations": []},
                         "logprobs": None, "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
            "system_fingerprint": "fp_fake"},
            headers={"x-request-id": f"req_{uuid.uuid4().hex[:12]}", "x-ratelimit-limit-requests": "10000",
                     "x-ratelimit-remaining-requests": "9999", "x-ratelimit-reset-requests": "6ms"})

    def _vision(self, body: dict[str, Any], images: list[dict[str, Any]], text: str, rec: Recorded) -> Reply:
        """A vision request: each ``image_url`` part must carry a ``url`` and a ``detail`` of low, high or auto
        (400 otherwise, as OpenAI answers). The verdict: ``{"fits": false, "score": 1}`` for an image whose
        address contains one of ``off_topic``, else ``{"fits": true, "score": 8}``; ``vision_asked`` lists
        (url, detail). Usage counts a low-detail image as OpenAI bills it (2833 tokens for gpt-4o-mini)."""
        for i, part in enumerate(images):
            spec = part.get("image_url")
            if not isinstance(spec, dict) or not str(spec.get("url") or "").startswith(("http", "data:")):
                return self.error_reply(400, "invalid_image_url", "Invalid image URL.", param=f"image_url[{i}]")
            if spec.get("detail", "auto") not in ("low", "high", "auto"):
                return self.error_reply(400, None, f"Invalid value: '{spec.get('detail')}'. Supported values are: "
                                        "'low', 'high', and 'auto'.", param=f"image_url[{i}].detail")
        urls = [part["image_url"]["url"] for part in images]
        self.vision_asked.extend((part["image_url"]["url"], part["image_url"].get("detail", "auto")) for part in images)
        off = any(marker in url for url in urls for marker in self.off_topic)
        content = json.dumps({"fits": not off, "score": 1 if off else 8})
        per_image = 2833 if str(body.get("model")).startswith("gpt-4o-mini") else 85
        prompt_tokens = len(text) // 4 + 8 + per_image * len(images)
        completion_tokens = len(content) // 4 + 1
        return Reply.json({
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion", "created": int(time.time()),
            "model": f"{body['model']}-2024-07-18",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None,
                                                 "annotations": []}, "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens}})

    def _script(self, messages: list[dict[str, Any]], rec: Recorded) -> dict[str, Any]:
        user = next((str(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
        topic = user.removeprefix("Topic:").strip() or "something"
        system = " ".join(str(m.get("content")) for m in messages if m.get("role") == "system")
        asked = re.search(r"exactly (\d+) scenes", system)
        count = int(asked.group(1)) if asked else self.default_scenes
        if self.take("few_scenes", rec):
            count = 2
        empty = self.take("empty_narration", rec)
        subjects = ("cat on a sofa", "city street", "ocean waves", "forest path", "coffee cup", "mountain sunrise")
        language = re.search(r"every narration in (\w+)", system)
        self.languages_asked.append(language.group(1) if language else None)
        say = _SCENE_LINES.get(language.group(1) if language else "English", _SCENE_LINES["English"])
        scenes = [{"visuals": f"A {subjects[(i - 1) % len(subjects)]}, shot {i} about {topic}, bright daylight",
                   "narration": "" if empty and i == 2 else say.format(i=i, topic=topic),
                   "search_terms": [subjects[(i - 1) % len(subjects)], subjects[(i - 1) % len(subjects)].split()[0]]}
                  for i in range(1, count + 1)]
        if self.take("no_search_terms", rec):  # an older prompt's or a weak model's answer
            for scene in scenes:
                del scene["search_terms"]
        if words := re.search(r"narration: .*?about (\d+) words", system):  # a target length: as many words
            for scene in scenes:
                said = scene["narration"].split()
                scene["narration"] = " ".join((said * 40)[:int(words.group(1))]).rstrip(".") + "." if said else ""
        return {"title": f"All about {topic}", "scenes": scenes}

    def _post(self, messages: list[dict[str, Any]], rec: Recorded) -> dict[str, Any]:
        user = next((str(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
        fields = dict(line.split(": ", 1) for line in user.splitlines() if ": " in line)
        system = " ".join(str(m.get("content")) for m in messages if m.get("role") == "system")
        language = re.search(r"the hashtags in (\w+)", system)
        self.post_languages_asked.append(language.group(1) if language else None)
        title, description, tags = _POST_LINES.get(language.group(1) if language else "English",
                                                   _POST_LINES["English"])
        tags = tags[:1] if self.take("few_hashtags", rec) else tags
        return {"title": title.format(title=fields.get("Video title", "")),
                "description": description.format(topic=fields.get("Topic", "")), "hashtags": tags}

    def _visuals(self, messages: list[dict[str, Any]], rec: Recorded) -> dict[str, Any]:
        """One shot per numbered narration line ("1. …"), naming its first long word; fault ``few_visuals``
        answers one short."""
        user = next((str(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
        lines = [line.split(". ", 1)[1] for line in user.splitlines() if re.match(r"\d+\. ", line)]
        self.visuals_asked.append(lines)
        shots = [f"A cinematic shot of {next((w for w in line.split() if len(w) > 4), 'something')}, "
                 f"scene {i}, soft daylight" for i, line in enumerate(lines, 1)]
        return {"visuals": shots[:-1] if self.take("few_visuals", rec) else shots}

    # speech ------------------------------------------------------------------------------------------
    def _speech(self, rec: Recorded) -> Reply:
        body = rec.json if isinstance(rec.json, dict) else {}
        model, voice, text = body.get("model"), body.get("voice"), body.get("input")
        if model not in _OPENAI_SPEECH_MODELS:
            return self.error_reply(400, None, f"Invalid value for 'model': {model!r}.", param="model")
        if voice not in _OPENAI_VOICES:
            return self.error_reply(400, None, f"Invalid value for 'voice': {voice!r}.", param="voice")
        if not isinstance(text, str) or not text.strip():
            return self.error_reply(400, None, "Missing required parameter: 'input'.", param="input")
        if len(text) > 4096:
            return self.error_reply(400, "string_above_max_length", "Invalid 'input': string too long.",
                                    param="input")
        if "instructions" in body and model in ("tts-1", "tts-1-hd"):
            return self.error_reply(400, None, "instructions are not supported for this model.",
                                    param="instructions")
        speed = float(body.get("speed", 1.0))
        if not 0.25 <= speed <= 4.0:
            return self.error_reply(400, None, "Invalid 'speed'.", param="speed")
        if body.get("response_format", "mp3") != "mp3":
            return self.error_reply(400, None, "this fake only speaks mp3", param="response_format")
        seconds = max(0.5, len(text.split()) / 2.6 / speed)
        return Reply(200, self.media.mp3(seconds), {"Content-Type": "audio/mpeg"})


    # images ------------------------------------------------------------------------------------------
    def _images(self, rec: Recorded) -> Reply:
        body = rec.json
        if not isinstance(body, dict):
            return self.error_reply(400, None, "We could not parse the JSON body of your request.")
        model = body.get("model", "dall-e-2")  # the API's default
        if model not in _OPENAI_IMAGE_MODELS:
            return self.error_reply(400, "invalid_value", f"Invalid value: '{model}'. Value must be one of "
                                    f"{sorted(_OPENAI_IMAGE_MODELS)}.", param="model")
        sizes, qualities, longest = _OPENAI_IMAGE_MODELS[model]
        gpt = model.startswith("gpt-image")
        prompt = body.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            return self.error_reply(400, None, "Missing required parameter: 'prompt'.", param="prompt")
        if len(prompt) > longest:
            return self.error_reply(400, "string_above_max_length", f"Invalid 'prompt': string too long. Expected "
                                    f"a string with maximum length {longest}.", param="prompt")
        if body.get("n", 1) != 1:
            return self.error_reply(400, None, "this fake makes one image at a time", param="n")
        size = body.get("size", "1024x1024")
        if size not in sizes:
            return self.error_reply(400, "invalid_value", f"Invalid value: '{size}'. Supported values are: "
                                    f"{', '.join(map(repr, sizes))}.", param="size")
        quality = body.get("quality", qualities[0] if not gpt else "auto")
        if quality not in qualities:
            return self.error_reply(400, "invalid_value", f"Invalid value: '{quality}'. Supported values are: "
                                    f"{', '.join(map(repr, qualities))}.", param="quality")
        for field_name in ("response_format",) if gpt else ("output_format", "output_compression", "background"):
            if field_name in body:
                return self.error_reply(400, "unknown_parameter", f"Unknown parameter: '{field_name}'.",
                                        param=field_name)
        if not gpt and body.get("response_format") != "b64_json":
            return self.error_reply(400, None, "this fake only answers response_format b64_json",
                                    param="response_format")
        fmt = body.get("output_format", "png") if gpt else "png"
        if fmt not in ("png", "jpeg", "webp"):
            return self.error_reply(400, "invalid_value", f"Invalid value: '{fmt}'.", param="output_format")
        if self.take("moderation", rec):
            return self.error_reply(400, "moderation_blocked", "Your request was rejected by the safety system. "
                                    "Your request may contain content that is not allowed by our safety system.",
                                    type_="image_generation_user_error")
        width, height = (1024, 1536) if size == "auto" else (int(v) for v in size.split("x"))
        image = b"<!DOCTYPE html><html>busy</html>" if self.take("not_image", rec) \
            else self.media.still(width, height, fmt)
        item: dict[str, Any] = {"b64_json": base64.b64encode(image).decode("ascii")}
        data: dict[str, Any] = {"created": int(time.time()), "data": [item]}
        if gpt:
            text_tokens = len(prompt) // 4 + 1
            output = _IMAGE_OUTPUT_TOKENS[quality]
            data.update(background="opaque", output_format=fmt, quality=quality, size=size,
                        usage={"input_tokens": text_tokens, "output_tokens": output,
                               "total_tokens": text_tokens + output,
                               "input_tokens_details": {"text_tokens": text_tokens, "image_tokens": 0}})
        else:
            item["revised_prompt"] = f"A detailed picture: {prompt}"
        return Reply.json(data, headers={"x-request-id": f"req_{uuid.uuid4().hex[:12]}"})


# --- ElevenLabs ------------------------------------------------------------------------------------

_ELEVEN_VOICES = {"JBFqnCBsd6RMkjVDRZzb": ("George", "premade"), "EXAVITQu4vr4xnSDxMaL": ("Sarah", "premade"),
                  "21m00Tcm4TlvDq8ikWAM": ("Rachel", "premade")}
_ELEVEN_MODELS = {"eleven_multilingual_v2": 10_000, "eleven_turbo_v2_5": 40_000, "eleven_flash_v2_5": 40_000,
                  "eleven_v3": 5_000, "eleven_monolingual_v1": 5_000, "eleven_flash_v2": 30_000}
_ELEVEN_FORMATS = ("mp3_44100_128", "mp3_44100_64", "mp3_22050_32", "mp3_44100_192")
CHARACTER_SECONDS = 0.065  # how fast the fake "speaks": about 15 characters a second


class FakeElevenLabs(FakeService):
    """``/v1/text-to-speech/{voice_id}[/with-timestamps]`` and ``/v1/voices`` with the ``xi-api-key`` header.

    Errors come in the newer shape ``{"detail": {"type", "code", "status", "message", "request_id"}}``;
    the key checks answer in the older one, ``{"detail": {"status", "message"}}``; validation errors
    carry a ``detail`` list. Faults: ``no_alignment``, ``bad_audio``.
    """

    def error_reply(self, status: int, code: str | None = None, message: str | None = None,
                    new_style: bool = True) -> Reply:
        defaults = {401: "invalid_api_key", 402: "paid_plan_required", 404: "not_found",
                    429: "rate_limit_exceeded", 500: "internal_server_error", 503: "system_busy"}
        code = code or defaults.get(status, "invalid_request")
        detail: dict[str, Any] = {"status": code, "message": message or code.replace("_", " ").capitalize()}
        if new_style:
            detail = {"type": "error", "code": code, **detail, "request_id": uuid.uuid4().hex[:16]}
        return Reply.json({"detail": detail}, status)

    def check_auth(self, rec: Recorded) -> Reply | None:
        key = rec.headers.get("xi-api-key")
        if key is None:
            return self.error_reply(401, "needs_authorization", "Neither authorization header nor xi-api-key "
                                    "received, please provide one.", new_style=False)
        if key != self.key:
            return self.error_reply(401, "invalid_api_key", "Invalid API key", new_style=False)
        return None

    def route(self, rec: Recorded) -> Reply:
        if rec.method == "GET" and rec.path == "/v1/voices":
            return Reply.json({"voices": [
                {"voice_id": vid, "name": name, "category": cat, "labels": {"accent": "british"},
                 "preview_url": f"{self.url}/previews/{vid}.mp3", "settings": None}
                for vid, (name, cat) in _ELEVEN_VOICES.items()]})
        m = re.fullmatch(r"/v1/text-to-speech/([^/]+)(/with-timestamps)?", rec.path)
        if rec.method == "POST" and m:
            return self._speak(rec, m.group(1), bool(m.group(2)))
        return Reply.json({"detail": "Not Found"}, 404)

    def _speak(self, rec: Recorded, voice_id: str, timestamps: bool) -> Reply:
        body = rec.json
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            return Reply.json({"detail": [{"loc": ["body", "text"], "msg": "field required",
                                           "type": "value_error.missing"}]}, 422)
        if voice_id not in _ELEVEN_VOICES:
            return self.error_reply(404, "voice_not_found", f"A voice with the voice_id {voice_id} was not found.")
        model = body.get("model_id", "eleven_multilingual_v2")
        if model not in _ELEVEN_MODELS:
            return self.error_reply(400, "model_not_found", f"A model with model ID {model} does not exist.")
        if "language_code" in body and model not in ("eleven_turbo_v2_5", "eleven_flash_v2_5"):
            return self.error_reply(400, "unsupported_language",
                                    f"Model {model} does not support language_code; use a v2.5 model.")
        fmt = rec.param("output_format") or "mp3_44100_128"
        if fmt not in _ELEVEN_FORMATS:
            return Reply.json({"detail": [{"loc": ["query", "output_format"], "msg": "invalid output format",
                                           "type": "value_error"}]}, 422)
        settings = body.get("voice_settings") or {}
        if "speed" in settings and not 0.7 <= float(settings["speed"]) <= 1.2:
            return self.error_reply(400, "invalid_voice_settings", "speed must be between 0.7 and 1.2")
        text = body["text"]
        if not text.strip():
            return self.error_reply(400, "empty_text", "Text must not be empty.")
        if len(text) > _ELEVEN_MODELS[model]:
            return self.error_reply(400, "max_character_limit_exceeded",
                                    f"Text is {len(text)} characters; the limit is {_ELEVEN_MODELS[model]}.")
        seconds = round(0.1 + CHARACTER_SECONDS * len(text) + 0.15, 2)
        audio = self.media.mp3(seconds)
        cost = len(text) // 2 if model.startswith(("eleven_flash", "eleven_turbo")) else len(text)
        headers = {"character-cost": str(cost), "request-id": uuid.uuid4().hex[:20]}
        if not timestamps:
            return Reply(200, audio, {"Content-Type": "audio/mpeg", **headers})
        if self.take("bad_audio", rec):
            audio = b"this is not audio at all" * 10
        starts = [round(0.1 + CHARACTER_SECONDS * i, 3) for i in range(len(text))]
        alignment: dict[str, Any] | None = {
            "characters": list(text), "character_start_times_seconds": starts,
            "character_end_times_seconds": [round(s + CHARACTER_SECONDS, 3) for s in starts]}
        if self.take("no_alignment", rec):
            alignment = None
        return Reply.json({"audio_base64": base64.b64encode(audio).decode(), "alignment": alignment,
                           "normalized_alignment": alignment}, headers=headers)


# --- Runway ----------------------------------------------------------------------------------------

RUNWAY_VERSION = "2024-11-06"
#: the ratios the API reference lists per model (text_to_image, image_to_video, text_to_video)
_GEN4_IMAGE_RATIOS = ("1024:1024", "1080:1080", "1168:880", "1360:768", "1440:1080", "1080:1440", "1808:768",
                      "1920:1080", "1080:1920", "2112:912", "1280:720", "720:1280", "720:720", "960:720", "720:960",
                      "1680:720")
_RUNWAY_IMAGE_MODELS = {"gen4_image": _GEN4_IMAGE_RATIOS, "gen4_image_turbo": _GEN4_IMAGE_RATIOS}
_RUNWAY_I2V = {"gen4_turbo": (("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672"),
                              tuple(range(2, 11))),
               "gen4.5": (("1280:720", "720:1280"), tuple(range(2, 11)))}
_RUNWAY_T2V = {"gen4.5": (("1280:720", "720:1280"), tuple(range(2, 11))),
               "veo3.1": (("1280:720", "720:1280", "1080:1920", "1920:1080"), (4, 6, 8)),
               "veo3.1_fast": (("1280:720", "720:1280", "1080:1920", "1920:1080"), (4, 6, 8)),
               "veo3": (("1280:720", "720:1280", "1080:1920", "1920:1080"), (8,))}


@dataclass
class _Task:
    id: str
    kind: str  # "image" | "video"
    seconds: int
    statuses: list[str]
    ratio: str = "720:1280"  # the output's shape (made at 144 on its short side)
    failure_code: str | None = None
    failure: str | None = None
    polls: int = 0
    cancelled: bool = False
    ready_at: float = 0.0  # monotonic time before which the task reports RUNNING (``task_takes``)
    queued: tuple[str, threading.Event, float] | None = None  # ``task_queued``: (status, until, deadline)
    created_at: float = field(default_factory=time.monotonic)
    done_at: float | None = None  # when a poll first answered SUCCEEDED
    created: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()))


class FakeRunway(FakeService):
    """Runway's task API: ``text_to_image``, ``image_to_video``, ``text_to_video``, ``tasks/{id}`` (GET, DELETE).

    Wants ``Authorization: Bearer <key>`` and ``X-Runway-Version: 2024-11-06``. A task answers the
    statuses in ``task_statuses`` one poll at a time (the last one repeats; default: done at the first
    poll). Task faults, taken when a task is created: ``task_failed`` (options ``code``, ``failure``),
    ``task_never_finishes``, ``task_statuses`` (option ``statuses``), ``task_cancelled``, ``task_takes``
    (option ``seconds``: a video task stays RUNNING that long, like a real generation), ``task_queued``
    (options ``status``, ``THROTTLED`` by default or ``PENDING``, ``until``, a ``threading.Event``, and
    ``seconds``, 30 by default: the task waits in the service's queue with that status until the event is
    set or the seconds pass, like a task past the account's concurrency; it may be combined with the others).
    Download faults: ``truncated``, ``not_video``, ``too_big``, ``expired``.
    """

    def __init__(self, key: str, media: Media | None = None, latency: float = 0.0) -> None:
        super().__init__(key, media, latency)
        self.task_statuses = ["SUCCEEDED"]
        self.tasks: dict[str, _Task] = {}

    def error_reply(self, status: int, code: str | None = None, message: str | None = None) -> Reply:
        defaults = {401: "Invalid API key", 429: "You have exceeded your rate limit.",
                    502: "Bad gateway", 503: "Service unavailable", 504: "Gateway timeout"}
        return Reply.json({"error": message or defaults.get(status, "Internal server error")}, status)

    def check_auth(self, rec: Recorded) -> Reply | None:
        if not rec.path.startswith("/v1/"):
            return None  # output links are signed URLs on a storage host: no key
        if rec.headers.get("authorization") != f"Bearer {self.key}":
            return self.error_reply(401, None, "Invalid API key. Make sure it is provided in the Authorization "
                                    "header as a Bearer token.")
        version = rec.headers.get("x-runway-version")
        if version is None:
            return self.error_reply(400, None, "The X-Runway-Version header is required. Use 2024-11-06.")
        if version != RUNWAY_VERSION:
            return self.error_reply(400, None, f"Invalid X-Runway-Version header: {version!r}.")
        return None

    def route(self, rec: Recorded) -> Reply:
        if rec.method == "POST" and rec.path == "/v1/text_to_image":
            return self._text_to_image(rec)
        if rec.method == "POST" and rec.path == "/v1/image_to_video":
            return self._image_to_video(rec)
        if rec.method == "POST" and rec.path == "/v1/text_to_video":
            return self._text_to_video(rec)
        m = re.fullmatch(r"/v1/tasks/([\w-]+)", rec.path)
        if m and rec.method in ("GET", "DELETE"):
            task = self.tasks.get(m.group(1))
            if task is None:
                return self.error_reply(404, None, "Task not found")
            if rec.method == "DELETE":
                task.cancelled = True
                return Reply(204)
            return self._task_state(task)
        m = re.fullmatch(r"/outputs/([\w-]+)\.(mp4|png)", rec.path)
        if m and rec.method == "GET":
            return self._output(rec, m.group(1), m.group(2))
        return self.error_reply(404, None, "Not found")

    # creating ----------------------------------------------------------------------------------------
    def _bad(self, message: str) -> Reply:
        return self.error_reply(400, None, message)

    def _prompt_problem(self, body: dict[str, Any], required: bool = True) -> str | None:
        prompt = body.get("promptText")
        if prompt is None and not required:
            return None
        if not isinstance(prompt, str) or not prompt.strip():
            return "promptText: must be a non-empty string"
        if len(prompt) > 1000:
            return "promptText: must be at most 1000 characters"
        return None

    def _new_task(self, rec: Recorded, kind: str, seconds: int) -> Reply:
        task = _Task(str(uuid.uuid4()), kind, seconds, list(self.task_statuses), ratio=rec.json["ratio"])
        if (held := self.take("task_queued", rec)) is not None:
            task.queued = (held.options.get("status", "THROTTLED"), held.options.get("until") or threading.Event(),
                           time.monotonic() + float(held.options.get("seconds", 30.0)))
        if (fault := self.take("task_failed", rec)) is not None:
            task.statuses = ["RUNNING", "FAILED"] if fault.options.get("after_running") else ["FAILED"]
            task.failure_code = fault.options.get("code", "INTERNAL.BAD_OUTPUT.CODE01")
            task.failure = fault.options.get("failure", "An unexpected error occurred.")
        elif self.take("task_never_finishes", rec) is not None:
            task.statuses = ["PENDING", "RUNNING"]
        elif (fault := self.take("task_statuses", rec)) is not None:
            task.statuses = list(fault.options["statuses"])
        elif self.take("task_cancelled", rec) is not None:
            task.statuses = ["RUNNING", "CANCELLED"]
        elif kind == "video" and (fault := self.take("task_takes", rec)) is not None:
            task.ready_at = time.monotonic() + float(fault.options["seconds"])
        self.tasks[task.id] = task
        return Reply.json({"id": task.id})

    def _text_to_image(self, rec: Recorded) -> Reply:
        body = rec.json if isinstance(rec.json, dict) else {}
        if problem := self._prompt_problem(body):
            return self._bad(problem)
        model = body.get("model")
        if model not in _RUNWAY_IMAGE_MODELS:
            return self._bad(f"model: must be one of {sorted(_RUNWAY_IMAGE_MODELS)}")
        if body.get("ratio") not in _RUNWAY_IMAGE_MODELS[model]:
            return self._bad(f"ratio: {body.get('ratio')!r} is not supported by {model}")
        if model == "gen4_image_turbo" and not body.get("referenceImages"):
            return self._bad("referenceImages: required for gen4_image_turbo")
        return self._new_task(rec, "image", 0)

    def _video_problem(self, body: dict[str, Any], models: dict[str, tuple]) -> str | None:
        model = body.get("model")
        if model not in models:
            return f"model: must be one of {sorted(models)}"
        ratios, durations = models[model]
        if body.get("ratio") not in ratios:
            return f"ratio: {body.get('ratio')!r} is not supported by {model}"
        duration = body.get("duration")
        if not isinstance(duration, int) or duration not in durations:
            return f"duration: {duration!r} is not allowed for {model}"
        return None

    def _image_to_video(self, rec: Recorded) -> Reply:
        body = rec.json if isinstance(rec.json, dict) else {}
        image = body.get("promptImage")
        ours = isinstance(image, str) and image.startswith(f"{self.url}/outputs/")
        if not isinstance(image, str) or not (image.startswith(("https://", "data:image/")) or ours):
            return self._bad("promptImage: Only HTTPS URLs or data URIs are allowed.")
        if problem := self._prompt_problem(body, required=False) or self._video_problem(body, _RUNWAY_I2V):
            return self._bad(problem)
        return self._new_task(rec, "video", body["duration"])

    def _text_to_video(self, rec: Recorded) -> Reply:
        body = rec.json if isinstance(rec.json, dict) else {}
        if problem := self._prompt_problem(body) or self._video_problem(body, _RUNWAY_T2V):
            return self._bad(problem)
        return self._new_task(rec, "video", body["duration"])

    # polling ------------------------------------------------------------------------------------------
    def _task_state(self, task: _Task) -> Reply:
        if task.queued is not None and not task.cancelled:
            status, until, deadline = task.queued
            if not until.is_set() and time.monotonic() < deadline:
                return Reply.json({"id": task.id, "status": status, "createdAt": task.created})
            task.queued = None
            if task.ready_at:  # a generation's time counts from when it leaves the queue
                task.ready_at = max(task.ready_at, time.monotonic() + (task.ready_at - task.created_at))
        if task.cancelled:
            status = "CANCELLED"
        else:
            status = task.statuses[min(task.polls, len(task.statuses) - 1)]
            if time.monotonic() < task.ready_at:
                status = "RUNNING"
        task.polls += 1
        data: dict[str, Any] = {"id": task.id, "status": status, "createdAt": task.created}
        if status == "RUNNING":
            data["progress"] = min(0.95, 0.2 * task.polls)
        if status == "SUCCEEDED":
            task.done_at = task.done_at or time.monotonic()
            ext = "png" if task.kind == "image" else "mp4"
            data["output"] = [f"{self.url}/outputs/{task.id}.{ext}?_jwt={uuid.uuid4().hex}"]
        if status == "FAILED":
            data["failure"] = task.failure
            data["failureCode"] = task.failure_code
        return Reply.json(data)

    def _output(self, rec: Recorded, task_id: str, ext: str) -> Reply:
        task = self.tasks.get(task_id)
        if task is None or not rec.param("_jwt"):
            return Reply(403, b"<?xml version='1.0'?><Error><Code>AccessDenied</Code></Error>",
                         {"Content-Type": "application/xml"})
        if self.take("expired", rec):
            return Reply(403, b"<?xml version='1.0'?><Error><Code>AccessDenied</Code>"
                              b"<Message>Request has expired</Message></Error>", {"Content-Type": "application/xml"})
        w, h = (int(v) for v in task.ratio.split(":"))
        size = (2 * round(72 * w / min(w, h)), 2 * round(72 * h / min(w, h)))  # the ratio's shape, 144 short
        if ext == "png":
            return Reply(200, self.media.png(*size), {"Content-Type": "image/png"})
        if self.take("not_video", rec):
            return Reply(200, b"<!DOCTYPE html><html><body>Temporarily unavailable</body></html>",
                         {"Content-Type": "text/html"})
        video = self.media.video(task.seconds, *size)
        if (fault := self.take("too_big", rec)) is not None:
            return Reply(200, video + b"\0" * int(fault.options.get("extra", 0)), {"Content-Type": "video/mp4"})
        if self.take("truncated", rec):
            return Reply(200, video, {"Content-Type": "video/mp4"}, mode="truncate")
        return Reply(200, video, {"Content-Type": "video/mp4"})


# --- Pexels ----------------------------------------------------------------------------------------

class FakePexels(FakeService):
    """``GET /videos/search`` with the raw key in ``Authorization``, and the video files it links to.

    Every query finds the same kind of catalogue (ids depend on the query): portrait videos — a 12 s one
    with files from 540 to 2160 wide (and a landscape one), a 3 s one with a 1080-wide file, and a 20 s one
    with only 720-wide files (left out when ``size=medium`` asks for Full HD) — a 10 s landscape video
    (1280×720 to 3840×2160) and an 8 s square one (720 and 1080). ``orientation`` filters them by the
    video's own width and height and must be ``landscape``, ``portrait`` or ``square`` (the three values the
    API reference lists; anything else is answered 400 here). Page addresses and preview images are named
    after what the videos show: the query, or what ``shows`` says for it. A query containing a
    word in ``unknown_words`` finds nothing; ``keep`` filters the catalogue. Download faults:
    ``truncated``, ``not_video``.
    """

    def __init__(self, key: str, media: Media | None = None, latency: float = 0.0) -> None:
        super().__init__(key, media, latency)
        self.unknown_words: set[str] = set()
        self.keep: Callable[[dict[str, Any]], bool] = lambda video: True  # narrows the catalogue in a test
        self.remaining = 20_000
        self.shows: Callable[[str], str] = lambda query: query  # what a query's videos show (their slugs say)

    def error_reply(self, status: int, code: str | None = None, message: str | None = None) -> Reply:
        return Reply.json({"status": status, "code": message or {401: "Unauthorized", 429: "Too Many Requests"}
                           .get(status, "Internal Server Error")}, status)

    def check_auth(self, rec: Recorded) -> Reply | None:
        if rec.path.startswith("/video-files/"):
            return None  # the CDN serves files without the key
        if rec.headers.get("authorization") != self.key:
            return self.error_reply(401)
        return None

    def route(self, rec: Recorded) -> Reply:
        if rec.method == "GET" and rec.path == "/videos/search":
            return self._search(rec)
        m = re.fullmatch(r"/video-files/(\d+)/(\d+)_(\d+)x(\d+)\.mp4", rec.path)
        if m and rec.method == "GET":
            if self.take("not_video", rec):
                return Reply(200, b"<html>Access denied</html>", {"Content-Type": "text/html"})
            w, h = int(m.group(3)), int(m.group(4))  # the file's shape, made small (144 on the short side)
            video = self.media.video(6.0, 2 * round(72 * w / min(w, h)), 2 * round(72 * h / min(w, h)))
            if self.take("truncated", rec):
                return Reply(200, video, {"Content-Type": "video/mp4"}, mode="truncate")
            return Reply(200, video, {"Content-Type": "video/mp4"})
        return Reply.json({"status": 404, "code": "Not Found"}, 404)

    def catalogue(self, query: str) -> list[dict[str, Any]]:
        """The videos the fake holds for ``query``."""
        base = int(hashlib.sha256(query.encode()).hexdigest()[:6], 16) * 10
        slug = re.sub(r"\W+", "-", self.shows(query).lower()).strip("-") or "video"

        def video(offset: int, seconds: int, sizes: list[tuple[int, int, str]], name: str,
                  shape: tuple[int, int] = (2160, 3840)) -> dict[str, Any]:
            vid = base + offset
            files = [{"id": vid * 10 + i, "quality": quality, "file_type": "video/mp4", "width": w, "height": h,
                      "fps": 25.0, "link": f"{self.url}/video-files/{vid}/{vid * 10 + i}_{w}x{h}.mp4",
                      "size": w * h} for i, (w, h, quality) in enumerate(sizes)]
            return {"id": vid, "width": shape[0], "height": shape[1], "duration": seconds,
                    "url": f"https://www.pexels.com/video/{slug}-{vid}/",
                    "image": f"https://images.pexels.com/videos/{vid}/{slug}-preview.jpeg",
                    "user": {"id": offset + 7, "name": name, "url": f"https://www.pexels.com/@{name.split()[0].lower()}"},
                    "video_files": files, "video_pictures": []}

        return [
            video(1, 12, [(1920, 1080, "hd"), (2160, 3840, "uhd"), (540, 960, "sd"), (1080, 1920, "hd"),
                          (720, 1280, "hd")], "Ana Lima"),
            video(2, 3, [(1080, 1920, "hd")], "Bo Chen"),
            video(3, 20, [(720, 1280, "hd"), (360, 640, "sd")], "Cleo Park"),
            video(4, 10, [(3840, 2160, "uhd"), (1280, 720, "hd"), (1920, 1080, "hd")], "Dev Rao", (3840, 2160)),
            video(5, 8, [(720, 720, "hd"), (1080, 1080, "hd")], "Eli Sato", (1080, 1080)),
        ]

    def _search(self, rec: Recorded) -> Reply:
        query = rec.param("query")
        if not query:
            return Reply.json({"status": 400, "code": "query is required"}, 400)
        per_page = int(rec.param("per_page") or 15)
        if not 1 <= per_page <= 80:
            return Reply.json({"status": 400, "code": "per_page must be between 1 and 80"}, 400)
        videos = [] if set(query.lower().split()) & self.unknown_words else \
            [v for v in self.catalogue(query) if self.keep(v)]
        orientation = rec.param("orientation")
        shapes = {"portrait": lambda w, h: h > w, "landscape": lambda w, h: w > h, "square": lambda w, h: w == h}
        if orientation is not None and orientation not in shapes:
            return Reply.json({"status": 400, "code": f"orientation must be one of {', '.join(shapes)}"}, 400)
        if orientation:
            videos = [v for v in videos if shapes[orientation](v["width"], v["height"])]
        if rec.param("size") == "medium":  # Full HD or more
            videos = [v for v in videos if any(min(f["width"], f["height"]) >= 1080 for f in v["video_files"])]
        self.remaining -= 1
        return Reply.json({"page": int(rec.param("page") or 1), "per_page": per_page, "total_results": len(videos),
                           "url": f"https://www.pexels.com/videos/search/{query}/", "videos": videos[:per_page]},
                          headers={"X-Ratelimit-Limit": "20000", "X-Ratelimit-Remaining": str(self.remaining),
                                   "X-Ratelimit-Reset": str(int(time.time()) + 3600)})


# --- Pixabay ---------------------------------------------------------------------------------------

class FakePixabay(FakeService):
    """``GET /api/videos/?key=…&q=…`` with the key in the query string, and the video files it links to.

    Pixabay answers errors in plain text (``[ERROR 400] Invalid or missing API key``), also for a wrong
    key. Every query finds the same kind of catalogue (ids depend on the query): a 14 s landscape film
    (4K to 960 wide), a 10 s portrait one with no ``large`` rendition, a 3 s portrait one, and a 20 s
    portrait one only 720 wide. ``min_width``/``min_height`` keep the hits whose largest rendition is at
    least that big. A query containing a word in ``unknown_words`` finds nothing; ``keep`` filters the
    catalogue. Rate-limit headers on every answer. Download faults: ``truncated``, ``not_video``.
    """

    def __init__(self, key: str, media: Media | None = None, latency: float = 0.0) -> None:
        super().__init__(key, media, latency)
        self.unknown_words: set[str] = set()
        self.keep: Callable[[dict[str, Any]], bool] = lambda hit: True
        self.remaining = 100
        self.shows: Callable[[str], str] = lambda query: query  # what a query's hits show (their tags say)

    def error_reply(self, status: int, code: str | None = None, message: str | None = None) -> Reply:
        text = message or {401: "Unauthorized", 429: "API rate limit exceeded"}.get(status, "Internal Server Error")
        return Reply(status, f"[ERROR {status}] {text}".encode(), {"Content-Type": "text/plain; charset=utf-8"})

    def check_auth(self, rec: Recorded) -> Reply | None:
        if not rec.path.startswith("/api/"):
            return None  # the CDN serves files without the key
        if rec.param("key") != self.key:
            return self.error_reply(400, None, "Invalid or missing API key (https://pixabay.com/api/docs/).")
        return None

    def route(self, rec: Recorded) -> Reply:
        if rec.method == "GET" and rec.path == "/api/videos/":
            return self._search(rec)
        m = re.fullmatch(r"/video/(\d+)/(\w+)_(\d+)x(\d+)\.mp4", rec.path)
        if m and rec.method == "GET":
            if self.take("not_video", rec):
                return Reply(200, b"<html>Access denied</html>", {"Content-Type": "text/html"})
            width, height = int(m.group(3)), int(m.group(4))
            scale = 256 / max(width, height)  # a small file of the rendition's shape
            video = self.media.video(6.0, round(width * scale / 2) * 2, round(height * scale / 2) * 2)
            if self.take("truncated", rec):
                return Reply(200, video, {"Content-Type": "video/mp4"}, mode="truncate")
            return Reply(200, video, {"Content-Type": "video/mp4"})
        return self.error_reply(404, None, "Not found")

    def catalogue(self, query: str) -> list[dict[str, Any]]:
        """The hits the fake holds for ``query``."""
        base = int(hashlib.sha256(query.encode()).hexdigest()[:6], 16) * 10
        shown = self.shows(query)

        def hit(offset: int, seconds: int, sizes: dict[str, tuple[int, int]], user: str) -> dict[str, Any]:
            vid = base + offset
            videos = {}
            for name in ("large", "medium", "small", "tiny"):
                w, h = sizes.get(name, (0, 0))
                videos[name] = {"url": f"{self.url}/video/{vid}/{name}_{w}x{h}.mp4" if w else "", "width": w,
                                "height": h, "size": w * h // 2,
                                "thumbnail": f"https://cdn.pixabay.com/video/{vid}/{shown.replace(' ', '-')}.jpg"}
            return {"id": vid, "pageURL": f"https://pixabay.com/videos/id-{vid}/", "type": "film",
                    "tags": shown.replace(" ", ", "), "duration": seconds, "views": 1000, "downloads": 100,
                    "likes": 10, "comments": 1, "user_id": offset + 40, "user": user,
                    "userImageURL": "", "videos": videos}

        return [
            hit(1, 14, {"large": (3840, 2160), "medium": (1920, 1080), "small": (1280, 720), "tiny": (960, 540)},
                "coverr"),
            hit(2, 10, {"medium": (1080, 1920), "small": (720, 1280), "tiny": (540, 960)}, "Ana_Lima"),
            hit(3, 3, {"medium": (1080, 1920), "small": (720, 1280), "tiny": (540, 960)}, "bochen"),
            hit(4, 20, {"small": (720, 1280), "tiny": (360, 640)}, "cleo"),
        ]

    def _search(self, rec: Recorded) -> Reply:
        query = rec.param("q") or ""
        if len(query) > 100:
            return self.error_reply(400, None, "\"q\" exceeds the maximum length of 100 characters")
        per_page = int(rec.param("per_page") or 20)
        if not 3 <= per_page <= 200:
            return self.error_reply(400, None, "\"per_page\" is out of valid range (3-200)")
        if rec.param("video_type") not in (None, "all", "film", "animation"):
            return self.error_reply(400, None, "\"video_type\" is invalid")
        hits = [] if set(query.lower().split()) & self.unknown_words else \
            [h for h in self.catalogue(query) if self.keep(h)]
        min_w, min_h = int(rec.param("min_width") or 0), int(rec.param("min_height") or 0)

        def biggest(h: dict[str, Any]) -> tuple[int, int]:
            return max(((v["width"], v["height"]) for v in h["videos"].values()), key=lambda wh: wh[0] * wh[1])

        hits = [h for h in hits if biggest(h)[0] >= min_w and biggest(h)[1] >= min_h]
        self.remaining -= 1
        return Reply.json({"total": len(hits), "totalHits": len(hits), "hits": hits[:per_page]},
                          headers={"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": str(max(0, self.remaining)),
                                   "X-RateLimit-Reset": "60"})


# --- Piper voices (Hugging Face ``rhasspy/piper-voices``) -------------------------------------------------

class FakePiperVoices(FakeService):
    """``GET /voices.json`` (the catalogue: each voice's files with ``size_bytes`` and ``md5_digest``) and
    ``GET /<lang>/<lang_REGION>/<name>/<quality>/<file>`` (the files), as ``…/resolve/<revision>`` serves them.

    ``add_voice`` publishes a voice from bytes (tests reuse the installed English model: real Piper bytes).
    Faults: ``truncated`` (the connection drops half way), ``damaged`` (the right size, other bytes).
    """

    def __init__(self, media: Media | None = None, latency: float = 0.0) -> None:
        super().__init__("", media, latency)
        self.files: dict[str, bytes] = {}
        self.catalogue: dict[str, Any] = {}

    def add_voice(self, name: str, model: bytes, config: bytes, quality: str = "medium") -> None:
        lang, speaker, _ = name.split("-", 2)
        family = lang.split("_")[0]
        folder = f"{family}/{lang}/{speaker}/{quality}"
        files = {f"{folder}/{name}.onnx": model, f"{folder}/{name}.onnx.json": config}
        self.files.update(files)
        self.catalogue[name] = {
            "key": name, "name": speaker, "quality": quality,
            "language": {"code": lang, "family": family, "region": lang.split("_")[-1]},
            "num_speakers": 1, "speaker_id_map": {}, "aliases": [],
            "files": {p: {"size_bytes": len(b), "md5_digest": hashlib.md5(b).hexdigest()} for p, b in files.items()}}

    def route(self, rec: Recorded) -> Reply:
        path = rec.path.lstrip("/")
        if rec.method != "GET":
            return Reply.json({"error": "Method not allowed"}, 405)
        if path == "voices.json":
            return Reply.json(self.catalogue)
        body = self.files.get(path)
        if body is None:
            return Reply(404, b"Entry not found", {"Content-Type": "text/plain", "X-Error-Code": "EntryNotFound"})
        if self.take("truncated", rec):
            return Reply(200, body, {"Content-Type": "application/octet-stream"}, mode="truncate")
        if self.take("damaged", rec):
            body = bytes(len(body))
        return Reply(200, body, {"Content-Type": "application/octet-stream"})


# --- Ollama (a model server on this machine, OpenAI-compatible) ------------------------------------------

class FakeOllama(FakeOpenAI):
    """Ollama's OpenAI-compatible API: ``POST /v1/chat/completions`` and ``GET /v1/models`` (also the native
    ``GET /api/tags``), with no key (any Authorization, or none) and Ollama's error bodies.

    It writes like ``FakeOpenAI`` (scripts, post texts, visuals), for the models in ``models`` only (a 404
    "try pulling it first" for others; "llama3.2" means "llama3.2:latest"). ``supports_json_schema = False``
    answers ``json_schema`` requests with a 400 naming ``response_format``. A request without a
    ``response_format`` (plain text) gets the JSON inside prose and a code fence, as small models answer.
    """

    def __init__(self, models: tuple[str, ...] = ("llama3.2:latest",), media: Media | None = None,
                 latency: float = 0.0) -> None:
        super().__init__("", media, latency)
        self.models = list(models)

    def check_auth(self, rec: Recorded) -> Reply | None:
        return None  # a local server: no key

    def error_reply(self, status: int, code: str | None = None, message: str | None = None,
                    type_: str | None = None, param: str | None = None) -> Reply:
        return Reply.json({"error": {"message": message or "internal error", "type": type_ or "api_error",
                                     "param": param, "code": code}}, status)

    def _has(self, model: str) -> bool:
        return any(m == model or (":" not in model and m.split(":", 1)[0] == model) for m in self.models)

    def route(self, rec: Recorded) -> Reply:
        if rec.method == "GET" and rec.path == "/v1/models":
            return Reply.json({"object": "list", "data": [{"id": m, "object": "model", "created": 1733000000,
                                                           "owned_by": "library"} for m in self.models]})
        if rec.method == "GET" and rec.path == "/api/tags":
            return Reply.json({"models": [{"name": m, "model": m, "size": 2019393189} for m in self.models]})
        if rec.method == "POST" and rec.path == "/v1/chat/completions":
            body = rec.json if isinstance(rec.json, dict) else {}
            model = str(body.get("model") or "")
            if model and not self._has(model):
                return self.error_reply(404, None, f'model "{model}" not found, try pulling it first',
                                        type_="not_found_error")
            reply = self._chat(rec)
            if reply.status == 200 and not body.get("response_format"):
                answer = json.loads(reply.body)
                message = answer["choices"][0]["message"]
                if message.get("content"):
                    message["content"] = f"Here is the JSON you asked for:\n```json\n{message['content']}\n```\n" \
                                         "Let me know if you want changes!"
                message.pop("refusal", None)
                reply = Reply.json(answer)
            return reply
        return self.error_reply(404, None, "404 page not found")
