"""Named API tokens over real HTTP (uvicorn): each client sees, cancels and downloads only its own jobs,
admin sees all; the token is checked before a byte of the body is read; tokens never stored or shown."""

from __future__ import annotations

import select
import socket
import sqlite3
import time
from pathlib import Path

import pytest
import requests

from tests.services import ApiServer, free_port, start_cli, stop_cli, wait_until
from viralreel_core.api import create_app
from viralreel_core.api.tokens import ApiTokens
from viralreel_core.errors import BadConfiguration
from viralreel_core.jobs import Job, JobQueue, QueueConfig

SMALL = {"width": 180, "height": 320}
ALICE, BOB, ADMIN = "alice-TOKEN-0123456789abcdef", "bob-TOKEN-fedcba9876543210", "admin-TOKEN-00112233445566"
TOKENS = {"alice": ALICE, "bob": BOB, "admin": ADMIN}
UPLOAD_BYTES = 60 * 2**20


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(tmp_path, fake_settings):
    """The API with three named clients over a queue (a SQLite file of the test's own, or ``url``)."""
    made: list[tuple[ApiServer, JobQueue]] = []

    def start(url: str = f"sqlite:///{tmp_path / 'jobs.db'}", workers: int = 0,
              tokens: ApiTokens | None = None) -> tuple[ApiServer, JobQueue]:
        queue = JobQueue(QueueConfig(url=url, heartbeat=0.2, name=f"t{free_port()}"), fake_settings)
        server = ApiServer(create_app(queue, workers=workers, tokens=tokens or ApiTokens(list(TOKENS.items()))))
        made.append((server, queue))
        return server, queue

    yield start
    for server, queue in made:
        server.close()
        queue.close()


def _no_tokens_in(text: str) -> bool:
    return not any(token in text for token in TOKENS.values())


def test_a_client_sees_and_cancels_only_its_own_jobs_and_admin_sees_all(api, queue_url):
    server, queue = api(url=queue_url)
    mine = [server.post("/create-video", json={"topic": f"Alice {n}"}, headers=auth(ALICE)).json()["job_id"]
            for n in range(2)]
    theirs = server.post("/create-video", json={"topic": "Bob's"}, headers=auth(BOB)).json()["job_id"]
    studio = queue.submit("make", {"topic": "From the studio or the CLI"})  # no client: an older kind of record

    listed = server.get("/jobs", headers=auth(ALICE)).json()["jobs"]
    assert [j["id"] for j in listed] == mine[::-1] and {j["client"] for j in listed} == {"alice"}
    assert [j["id"] for j in server.get("/jobs", headers=auth(BOB)).json()["jobs"]] == [theirs]
    everyone = server.get("/jobs", headers=auth(ADMIN)).json()["jobs"]
    assert [j["id"] for j in everyone] == [studio.id, theirs, *mine[::-1]]

    unknown = server.get("/jobs/000000000000", headers=auth(BOB))
    for method in ("get", "delete"):  # another client's job answers exactly as an unknown id does
        answer = getattr(server, method)(f"/jobs/{mine[0]}", headers=auth(BOB))
        assert answer.status_code == 404 == unknown.status_code
        assert answer.json()["message"] == unknown.json()["message"].replace("000000000000", mine[0])
    assert server.get(f"/jobs/{studio.id}", headers=auth(ALICE)).status_code == 404
    assert queue.get(mine[0]).state == "queued" and not queue.get(mine[0]).cancel_requested  # bob cancelled nothing

    assert server.delete(f"/jobs/{mine[0]}", headers=auth(ALICE)).json()["state"] == "cancelled"
    assert server.delete(f"/jobs/{theirs}", headers=auth(ADMIN)).json()["state"] == "cancelled"
    assert server.get(f"/jobs/{studio.id}", headers=auth(ADMIN)).json()["client"] is None

    seen = "".join(server.get(p, headers=auth(t)).text for p in ("/jobs", f"/jobs/{mine[1]}") for t in TOKENS.values())
    assert _no_tokens_in(seen)
    if queue_url.startswith("sqlite"):  # the records hold the client's name, never its token
        db = Path(queue_url.removeprefix("sqlite:///"))
        stored = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
        assert b"alice" in stored and not any(t.encode() in stored for t in TOKENS.values())
    else:
        import redis

        client = redis.Redis.from_url(queue_url)
        keys = client.keys(f"viralreel:{queue.config.name}:job:*")
        dump = b"".join(str(client.hgetall(key)).encode() for key in keys)
        assert b"alice" in dump and not any(t.encode() in dump for t in TOKENS.values())


@pytest.mark.slow
def test_a_client_downloads_only_the_videos_of_its_own_jobs(tmp_path, api):
    server, _ = api(workers=1)
    made = server.post("/create-video", json={"topic": "Why owls hoot", "scenes": 3, "wait": True, **SMALL},
                       headers=auth(ALICE)).json()
    assert made["success"] is True, made
    url = made["video_url"]
    assert server.get(url, headers=auth(ALICE)).status_code == 200
    assert server.get(url, headers={**auth(ALICE), "Range": "bytes=0-99"}).status_code == 206
    assert server.get(url, headers=auth(ADMIN)).status_code == 200
    refused = server.get(url, headers=auth(BOB))
    missing = server.get("/videos/viralreel_20990101_000000_deadbeef.mp4", headers=auth(BOB))
    assert refused.status_code == 404 == missing.status_code and refused.json()["error"] == {
        **missing.json()["error"], "message": f"No video {url.rsplit('/', 1)[1]!r}."}


def test_an_old_job_database_is_read_and_its_jobs_are_admins_only(tmp_path, api):
    """A jobs.db written before jobs had a client: its table gains the column; its jobs stay readable."""
    db_path = tmp_path / "old.db"
    old = Job(id="0123456789ab", kind="make", params={"topic": "Before clients", "options": {}}).to_row()
    old.pop("client")
    with sqlite3.connect(db_path) as db:
        columns = ", ".join(f"{c} text primary key" if c == "id" else c for c in old)
        db.execute(f"create table viralreel_jobs ({columns})")
        db.execute(f"insert into viralreel_jobs ({', '.join(old)}) values ({', '.join('?' * len(old))})",
                   tuple(old.values()))
    server, _ = api(url=f"sqlite:///{db_path}")
    assert server.get("/jobs/0123456789ab", headers=auth(ALICE)).status_code == 404
    assert server.get("/jobs", headers=auth(ALICE)).json()["jobs"] == []
    seen = server.get("/jobs/0123456789ab", headers=auth(ADMIN)).json()
    assert seen["params"]["topic"] == "Before clients" and seen["client"] is None
    new = server.post("/create-video", json={"topic": "After"}, headers=auth(ALICE)).json()["job_id"]
    assert [j["id"] for j in server.get("/jobs", headers=auth(ADMIN)).json()["jobs"]] == [new, "0123456789ab"]


def _upload_without_token(port: int, path: str, content_type: str, start: bytes) -> tuple[bytes, int, float]:
    """Send a 60 MB body's headers and then its bytes (``start``, then zeros); stop at the first byte of an answer.

    Returns the answer's first bytes, how many body bytes had been sent by then, and the seconds taken.
    """
    started = time.monotonic()
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
                 f"Content-Length: {UPLOAD_BYTES}\r\n\r\n".encode())
    sock.setblocking(False)
    body = memoryview(start + b"\0" * (UPLOAD_BYTES - len(start)))
    sent, answer = 0, b""
    try:
        while time.monotonic() - started < 30:
            readable, writable, _ = select.select([sock], [sock] if sent < UPLOAD_BYTES else [], [], 0.5)
            if readable:
                try:
                    answer = sock.recv(65536)
                except ConnectionResetError:
                    answer = b"(reset)"
                break
            if writable:
                try:
                    sent += sock.send(body[sent:sent + 65536])
                except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                    time.sleep(0.01)
        return answer, sent, time.monotonic() - started
    finally:
        sock.close()


def test_no_token_is_refused_before_the_body_is_read(api, tmp_path):
    server, _ = api()
    upload = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.wav"\r\n\r\n'
    for path, kind, start in (("/music", "multipart/form-data; boundary=xyz", upload),
                              ("/create-video", "application/json", b'{"topic": "')):
        answer, sent, seconds = _upload_without_token(server.port, path, kind, start)
        assert answer.startswith(b"HTTP/1.1 401"), (path, answer[:200])
        assert b"connection: close" in answer.lower()
        # the server answered with most of the 60 MB unsent (the rest sits in socket buffers, a few MB at most)
        assert sent < UPLOAD_BYTES // 4, (path, sent)
        assert seconds < 5, (path, seconds)
    assert server.get("/jobs", headers=auth(ADMIN)).json()["jobs"] == []


def test_a_wrong_token_with_a_bad_body_is_401_not_422(api, tmp_path):
    server, _ = api()
    for headers in ({"Authorization": "Bearer not-a-token"}, {"Authorization": f"Basic {ALICE}"}, {}):
        for path in ("/create-video", "/generate-script", "/music"):
            answer = server.post(path, data="{not json", headers={**headers, "content-type": "application/json"})
            assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer", (path, headers)
            assert answer.json()["error"]["type"] == "HTTPError" and _no_tokens_in(answer.text)
    right = server.post("/create-video", data="{not json", headers={**auth(BOB), "content-type": "application/json"})
    assert right.status_code == 422  # with the right token the body is read and found wrong


def test_tokens_come_from_the_environment_and_a_file(tmp_path):
    listed = tmp_path / "tokens.txt"
    listed.write_text(f"# the team\nalice {ALICE}\n\nbob:{BOB}\nalice  alice-SECOND-token-0000\n")
    tokens = ApiTokens.from_env({"VIRALREEL_API_TOKENS": f"admin:{ADMIN}, carol:carol-TOKEN-0123456789",
                                 "VIRALREEL_API_TOKENS_FILE": str(listed), "VIRALREEL_API_TOKEN": "short"})
    assert tokens.names() == {"admin", "alice", "bob", "carol"}
    assert tokens.identify(ALICE).name == tokens.identify("alice-SECOND-token-0000").name == "alice"
    assert tokens.identify("short").admin and tokens.identify(ADMIN).admin and not tokens.identify(BOB).admin
    assert tokens.identify("nope") is None and tokens.identify("") is None and tokens.identify(None) is None
    assert _no_tokens_in(repr(tokens)) and "short" not in repr(tokens)
    assert ApiTokens.from_env({}).identify(None).admin  # nothing set: an open server, as before
    for env in ({"VIRALREEL_API_TOKENS": "alice:tooshort"}, {"VIRALREEL_API_TOKENS": f":{ALICE}"},
                {"VIRALREEL_API_TOKENS": f"al ice:{ALICE}"}, {"VIRALREEL_API_TOKENS": f"alice:{ALICE},bob:{ALICE}"},
                {"VIRALREEL_API_TOKENS_FILE": str(tmp_path / "missing.txt")}):
        with pytest.raises(BadConfiguration) as caught:
            ApiTokens.from_env(env)
        assert "\n" not in str(caught.value) and ALICE not in str(caught.value) and "tooshort" not in str(caught.value)


@pytest.mark.slow
def test_serve_reads_the_tokens_file_and_logs_no_token(tmp_path):
    listed = tmp_path / "tokens.txt"
    listed.write_text(f"alice:{ALICE}\nbob {BOB}\n")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    env = {"VIRALREEL_QUEUE_URL": f"sqlite:///{tmp_path / 'jobs.db'}", "VIRALREEL_OUTPUT_DIR": str(tmp_path / "out"),
           "VIRALREEL_CACHE_DIR": str(tmp_path / "cache"), "VIRALREEL_API_TOKENS_FILE": str(listed)}
    process = start_cli(["serve", "--port", str(port), "--workers", "0"], env, log)
    try:
        wait_until(lambda: _answers(f"{url}/health"), 60, 0.2, "the server to start")
        job_id = requests.post(f"{url}/create-video", json={"topic": "Cats"}, headers=auth(ALICE),
                               timeout=10).json()["job_id"]
        assert requests.get(f"{url}/jobs/{job_id}", headers=auth(BOB), timeout=10).status_code == 404
        assert requests.get(f"{url}/jobs/{job_id}", headers=auth(ALICE), timeout=10).json()["client"] == "alice"
        assert requests.get(f"{url}/jobs", headers=auth(ADMIN), timeout=10).status_code == 401  # not in the file
    finally:
        stop_cli(process)
    assert _no_tokens_in(log.read_text(errors="replace"))


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False
