"""The HTTP API over real HTTP: uvicorn on a free port, the embedded queue, real MP4s, Range requests,
bad input, a full queue, tokens, and a server restart that keeps a queued job."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import requests

from tests.media import probe
from tests.services import ApiServer, free_port, start_cli, stop_cli, wait_until
from viralreel_core.api import create_app
from viralreel_core.environment import settings_from_env
from viralreel_core.jobs import JobQueue, QueueConfig
from viralreel_core.run.checks import validate_topic

SMALL = {"width": 180, "height": 320}
SECRET = "sk-api-test-SECRET-0123456789abcdef"


@pytest.fixture
def serve(tmp_path, fake_settings):
    """Start the API (embedded queue in tmp_path) with options; everything stopped after the test."""
    made: list[tuple[ApiServer, JobQueue]] = []

    def start(workers: int = 1, token: str | None = None, **config) -> ApiServer:
        queue = JobQueue(QueueConfig(url=f"sqlite:///{tmp_path / 'jobs.db'}", heartbeat=0.2, **config), fake_settings)
        server = ApiServer(create_app(queue, workers=workers, token=token))
        made.append((server, queue))
        return server

    yield start
    for server, queue in made:
        server.close()
        queue.close()


@pytest.mark.slow
def test_a_video_made_over_http_is_served_with_range_requests(serve, fake_settings):
    api = serve()
    answer = api.post("/create-video", json={"topic": "Why cats purr", "scenes": 3, **SMALL})
    assert answer.status_code == 202 and answer.headers["location"] == answer.json()["status_url"]
    status_url = answer.json()["status_url"]
    job = wait_until(lambda: (j := api.get(status_url).json())["state"] in ("succeeded", "failed") and j, 60)
    assert job["state"] == "succeeded", job["error"]
    assert job["progress"]["percent"] == 100 and job["result"]["scenes_count"] == 3
    url = job["result"]["video_url"]
    path = Path(fake_settings.output_dir) / url.rsplit("/", 1)[1]
    body = path.read_bytes()
    whole = api.get(url)
    assert whole.status_code == 200 and whole.content == body and whole.headers["accept-ranges"] == "bytes"
    part = api.get(url, headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206 and part.content == body[100:1100]
    assert part.headers["content-range"] == f"bytes 100-1099/{len(body)}"
    tail = api.get(url, headers={"Range": "bytes=-500"})
    assert tail.status_code == 206 and tail.content == body[-500:]
    assert api.get(url, headers={"Range": f"bytes={len(body) + 10}-"}).status_code == 416
    assert probe(path).video_codec == "h264"
    for bad in ("/videos/..%2Fjobs.db", "/videos/nothing.mp4", "/videos/viralreel_missing.mp4"):
        assert api.get(bad).status_code == 404


@pytest.mark.slow
def test_wait_answers_with_the_original_design_json(serve):
    api = serve()
    answer = api.post("/create-video", json={"topic": "Why owls hoot", "scenes": 3, "wait": True, **SMALL})
    data = answer.json()
    assert answer.status_code == 200 and data["success"] is True
    assert set(data) >= {"success", "video_url", "video_id", "scenes_count", "message", "skipped_scenes", "cost_usd"}
    assert data["video_url"].startswith("/videos/viralreel_") and data["scenes_count"] == 3
    assert api.get(data["video_url"]).status_code == 200


@pytest.mark.slow
def test_create_video_takes_an_aspect(serve, fake_settings):
    api = serve()
    data = api.post("/create-video", json={"topic": "Why owls hoot", "scenes": 3, "wait": True,
                                           "aspect": "16:9", "width": 320}).json()
    assert data["success"] is True, data
    info = probe(Path(fake_settings.output_dir) / data["video_url"].rsplit("/", 1)[1])
    assert (info.width, info.height) == (320, 180)


@pytest.mark.slow
def test_an_edited_script_is_made_as_sent(serve):
    api = serve()
    script = api.post("/generate-script", json={"topic": "Why bees dance", "scenes": 3}).json()
    assert [s["scene_number"] for s in script["scenes"]] == [1, 2, 3]
    assert script.pop("warnings") == []  # the fake writer's lines are whole
    local = api.post("/generate-script", json={"topic": "Why bees dance", "scenes": 3, "script_provider": "local"})
    assert any("[square brackets] wait for your own" in w for w in local.json()["warnings"])  # a draft without facts
    assert all(s["visuals"] and s["narration"] for s in script["scenes"])
    script["scenes"] = script["scenes"][:2]
    script["scenes"][1]["narration"] = "Bees dance to tell the hive where the flowers are."
    data = api.post("/create-video", json={"script": script, "wait": True, **SMALL}).json()
    assert data["success"] is True and data["scenes_count"] == 2
    job = api.get(f"/jobs/{data['job_id']}").json()
    assert job["params"]["script"]["scenes"][1]["narration"].startswith("Bees dance to tell")


def test_bad_input_gets_the_cli_s_one_line_message(serve):
    api = serve(workers=0)
    try:
        validate_topic("")
    except Exception as exc:  # the CLI prints exactly this line after "error: "
        cli_line = str(exc)
    cases = [({"topic": ""}, 400, cli_line), ({"topic": "x" * 501}, 400, "the limit is 500"),
             ({"topic": "x", "scenes": 21}, 400, "3 to 20 scenes"),
             ({"topic": "x", "voice_provider": "nope"}, 400, "Unknown voice provider"),
             ({"topic": "x", "width": 181}, 400, "cannot be encoded"),
             ({"topic": "x", "aspect": "21:9"}, 400, "There is no aspect ratio '21:9'. Use one of 9:16, 1:1"),
             ({"topic": "x", "aspect": "16:9", **SMALL}, 400, "A 180×320 frame is not 16:9"),
             ({"topic": "x", "aspect": 16}, 422, "aspect:"),
             ({"script": {"scenes": []}}, 400, "1 to 20 scenes"),
             ({"topic": "x", "options": {"image_model": "gpt-9"}}, 400,
              "image_model cannot be 'gpt-9'. Choose one of: gpt-image-1, gpt-image-1-mini"),
             ({"topic": "x", "options": {"piper_voice_path": "/etc/passwd"}}, 400, "Unknown provider option"),
             ({"topic": "x", "options": "fast"}, 422, "options:"),
             ({"topic": "x", "scenes": "many"}, 422, "scenes:"), ({"topic": "x", "colour": "red"}, 422, "colour")]
    for body, status, words in cases:
        answer = api.post("/create-video", json=body)
        data = answer.json()
        assert answer.status_code == status and data["success"] is False, (body, data)
        assert words in data["message"] and "\n" not in data["message"], (body, data)
    assert api.post("/create-video", data="not json", headers={"content-type": "application/json"}).status_code == 422
    assert api.post("/generate-script", json={"topic": " "}).json()["message"] == cli_line
    bad_model = api.post("/generate-script", json={"topic": "x", "options": {"openai_model": ""}})
    assert bad_model.status_code == 400 and "openai_model must be a short text" in bad_model.json()["message"]
    assert api.get("/jobs").json()["jobs"] == []  # nothing was queued
    assert api.get("/jobs/nope").status_code == 404 and api.delete("/jobs/nope").status_code == 404


def test_a_full_queue_answers_429_with_retry_after(serve):
    api = serve(workers=0, limit=2)
    ids = [api.post("/create-video", json={"topic": f"Topic {n}"}).json()["job_id"] for n in range(2)]
    full = api.post("/create-video", json={"topic": "One too many"})
    assert full.status_code == 429 and int(full.headers["retry-after"]) >= 5
    assert "2 waiting jobs" in full.json()["message"]
    listed = api.get("/jobs?limit=5").json()["jobs"]
    assert [j["id"] for j in listed] == ids[::-1] and all(j["state"] == "queued" for j in listed)
    assert api.get("/jobs?limit=0").status_code == 422
    cancelled = api.delete(f"/jobs/{ids[0]}")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert api.delete(f"/jobs/{ids[0]}").status_code == 409  # already ended
    assert api.post("/create-video", json={"topic": "Room again"}).status_code == 202


def test_a_token_guards_every_route_but_health(serve):
    token = uuid.uuid4().hex
    api = serve(workers=0, token=token)
    assert api.get("/health").status_code == 200
    for method, path in [("get", "/jobs"), ("get", "/jobs/x"), ("delete", "/jobs/x"), ("get", "/videos/x.mp4"),
                         ("post", "/create-video"), ("post", "/generate-script")]:
        answer = getattr(requests, method)(api.url + path, timeout=10)
        assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer", path
        wrong = getattr(requests, method)(api.url + path, headers={"Authorization": "Bearer nope"}, timeout=10)
        assert wrong.status_code == 401, path
    assert api.get("/jobs", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_health_says_which_services_have_keys_never_the_keys(tmp_path, monkeypatch, fake_settings):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("PIXABAY_API_KEY", "27182818-pxbHEALTHsecret")

    keyed = fake_settings.with_(keys=settings_from_env().keys)
    queue = JobQueue(QueueConfig(url=f"sqlite:///{tmp_path / 'h.db'}"), keyed)
    api = ApiServer(create_app(queue, workers=1))
    try:
        answer = api.get("/health")
        report = answer.json()
        assert answer.status_code == 200
        assert report["services"]["openai"] is True and report["services"]["runway"] is False
        assert report["services"]["pixabay"] is True and "pxbHEALTHsecret" not in answer.text
        assert report["ffmpeg"]["ok"] and report["cache_dir"]["ok"] and report["offline_voice"]["ok"]
        assert report["workers"] == 1 and report["queue"]["jobs"]["queued"] == 0
        assert SECRET not in answer.text and "swagger" in api.get("/docs").text.lower()
        assert api.get("/openapi.json").json()["paths"].keys() >= {"/health", "/create-video", "/jobs/{job_id}"}
    finally:
        api.close()
        queue.close()


def _server_env(tmp_path) -> dict[str, str]:
    return {"VIRALREEL_QUEUE_URL": f"sqlite:///{tmp_path / 'jobs.db'}", "VIRALREEL_OUTPUT_DIR": str(tmp_path / "out"),
            "VIRALREEL_CACHE_DIR": str(tmp_path / "cache"), "VIRALREEL_JOB_HEARTBEAT": "0.3"}


def _serve_cli(tmp_path, port: int, *extra: str):
    log = tmp_path / "serve.log"
    process = start_cli(["serve", "--port", str(port), *extra], _server_env(tmp_path), log)
    try:  # up means answering at all: /health runs ffmpeg and may say 503 while a resumed job starts
        wait_until(lambda: process.poll() is not None or _listening(port), 90, 0.2, "the server to start")
    except AssertionError:
        stop_cli(process)
        raise AssertionError(f"the server did not start; its log ends:\n{log.read_text()[-3000:]}") from None
    assert process.poll() is None, f"the server exited; its log ends:\n{log.read_text()[-3000:]}"
    return process


def _listening(port: int) -> bool:
    try:
        requests.get(f"http://127.0.0.1:{port}/openapi.json", timeout=10)
        return True
    except requests.RequestException:
        return False


def _ended(url: str, job_id: str, timeout: float = 120) -> dict:
    return wait_until(lambda: (j := requests.get(f"{url}/jobs/{job_id}", timeout=10).json())["state"]
                      in ("succeeded", "failed", "cancelled") and j, timeout, 0.5, "the job to end")


@pytest.mark.slow
def test_the_embedded_queue_survives_a_server_restart_with_a_queued_job(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    first = _serve_cli(tmp_path, port, "--workers", "0")  # nobody to run it yet: the job stays queued
    job_id = requests.post(f"{url}/create-video", json={"topic": "Why the sky is blue", "scenes": 3, **SMALL},
                           timeout=30).json()["job_id"]
    stop_cli(first)
    second = _serve_cli(tmp_path, port)  # the default: one job thread in the server
    try:
        job = _ended(url, job_id)
        assert job["state"] == "succeeded" and job["attempts"] == 1, job["error"]
        video = requests.get(url + job["result"]["video_url"], timeout=30)
        assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
        assert probe(job["result"]["video_path"]).duration > 1
    finally:
        stop_cli(second)


@pytest.mark.slow  # two server processes and an offline render
def test_a_job_running_when_the_server_stops_runs_again_after_the_restart(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    first = _serve_cli(tmp_path, port)
    job_id = requests.post(f"{url}/create-video", json={"topic": "How glaciers move", "scenes": 3, **SMALL},
                           timeout=30).json()["job_id"]
    wait_until(lambda: requests.get(f"{url}/jobs/{job_id}", timeout=10).json()["progress"]["step"]
               in ("voice", "clips", "assemble"), 120, 0.05, "the job to be working")
    stop_cli(first)  # SIGTERM: uvicorn shuts down, the job goes back to the queue
    second = _serve_cli(tmp_path, port)
    try:
        job = _ended(url, job_id)
        assert job["state"] == "succeeded" and job["attempts"] == 1, job["error"]  # a clean stop costs no attempt
        assert any("worker was stopped" in note for note in job["notes"])
        assert probe(job["result"]["video_path"]).duration > 1
    finally:
        stop_cli(second)


def test_a_nul_or_a_path_in_a_video_name_is_404_not_500(serve):
    api = serve(workers=0)
    for bad in ("/videos/viralreel_a%00.mp4", "/videos/%00", "/videos/viralreel_x.mp4%0A", "/videos/viralreel_%2F.mp4",
                "/videos/viralreel_..%2F..%2Fjobs.mp4"):
        answer = api.get(bad)
        assert answer.status_code == 404 and answer.json()["success"] is False, (bad, answer.text)


def test_wrong_types_are_refused_not_coerced(serve):
    api = serve(workers=0)
    for body in ({"topic": "x", "wait": 0}, {"topic": "x", "seed": False}, {"topic": "x", "scenes": "3"},
                 {"topic": "x", "scenes": 3.0}, {"topic": "x", "width": True}, {"topic": "x", "transitions": "yes"},
                 {"topic": "x", "music_volume": True}, {"topic": "x", "music_volume": "0.5"}, {"topic": 5}):
        answer = api.post("/create-video", json=body)
        field = next(k for k in body if k != "topic") if len(body) > 1 else "topic"
        assert answer.status_code == 422 and answer.json()["message"].startswith(f"{field}:"), (body, answer.text)
    for body in ({"topic": "x", "seed": False}, {"topic": "x", "scenes": "4"}):
        assert api.post("/generate-script", json=body).status_code == 422, body
    assert api.get("/jobs").json()["jobs"] == []  # nothing was queued
    fine = api.post("/create-video", json={"topic": "x", "music_volume": 1, "seed": 7, "transitions": False})
    assert fine.status_code == 202, fine.text  # a whole number is a number


def test_the_openapi_document_lists_every_status_and_the_shared_limits(serve):
    from viralreel_core.config import MAX_FRAME_SIDE, MIN_FRAME_SIDE
    from viralreel_core.limits import MAX_SCENES, MAX_TOPIC_CHARS, MIN_SCENES

    document = serve(workers=0).get("/openapi.json").json()
    paths = document["paths"]
    expected = {("/health", "get"): {"200", "503"},
                ("/generate-script", "post"): {"200", "400", "401", "422", "502"},
                ("/create-video", "post"): {"200", "202", "400", "401", "409", "422", "429", "503"},
                ("/music", "post"): {"201", "400", "401", "422"},
                ("/jobs", "get"): {"200", "401", "422", "503"},
                ("/jobs/{job_id}", "get"): {"200", "401", "404", "503"},
                ("/jobs/{job_id}", "delete"): {"200", "202", "401", "404", "409", "503"},
                ("/videos/{file}", "get"): {"200", "206", "401", "404", "416"}}
    for (path, method), statuses in expected.items():
        assert set(paths[path][method]["responses"]) >= statuses, (path, method, paths[path][method]["responses"])
    assert paths["/jobs/{job_id}"]["get"]["responses"]["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"}
    assert "video/mp4" in paths["/videos/{file}"]["get"]["responses"]["206"]["content"]
    schemas = document["components"]["schemas"]
    for body in ("VideoBody", "ScriptBody"):
        fields = schemas[body]["properties"]
        assert (fields["scenes"]["minimum"], fields["scenes"]["maximum"]) == (MIN_SCENES, MAX_SCENES)
        assert fields["topic"]["maxLength"] == MAX_TOPIC_CHARS and fields["topic"]["minLength"] == 1
    video = schemas["VideoBody"]["properties"]
    for side in ("width", "height"):
        assert (video[side]["minimum"], video[side]["maximum"], video[side]["multipleOf"]) == (
            MIN_FRAME_SIDE, MAX_FRAME_SIDE, 2)
    assert (video["music_volume"]["minimum"], video["music_volume"]["maximum"]) == (0, 1)
    assert video["wait"]["type"] == "boolean" and paths["/jobs"]["get"]["security"]


def test_options_lists_each_route_s_real_methods(serve):
    api = serve(workers=0, token=uuid.uuid4().hex)  # OPTIONS tells nothing /openapi.json does not: no token needed
    for path, methods in (("/jobs/0123abcd", "DELETE, GET, OPTIONS"), ("/jobs", "GET, OPTIONS"),
                          ("/create-video", "OPTIONS, POST"), ("/videos/viralreel_a.mp4", "GET, OPTIONS"),
                          ("/health", "GET, OPTIONS")):
        answer = requests.options(api.url + path, timeout=10)
        assert answer.status_code == 204 and answer.headers["allow"] == methods, (path, answer.headers)
    assert requests.options(api.url + "/nothing", timeout=10).status_code == 404
