"""The server-wide memory line (admission.py): work admitted by megabytes against one budget, first come first
served, each waiter told its place; idle memory (a loaded voice model) given up for the first in line; and two
visitors' real renders (real ffmpeg) that take turns instead of running beside each other."""

from __future__ import annotations

import threading
import time

import pytest

from viralreel_core import providers
from viralreel_core.errors import Stopped
from viralreel_core.media import admission, resources
from viralreel_core.media.admission import GATE, MemoryGate
from viralreel_core.run.pipeline import Pipeline


class Visitor:
    """A waiter as the studio's job is one: the places it was told, and a stop switch."""

    def __init__(self, name: str = "") -> None:
        self.name = name
        self.stopping = False
        self.places: list[int | None] = []

    def waiting(self, place: int | None) -> None:
        self.places.append(place)


def wait_until(check, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def start(gate: MemoryGate, kind: str, mb: float, waiter: Visitor, admitted: list, hold: threading.Event):
    """A thread that waits for ``mb``, notes its turn, and holds it until ``hold`` is set."""
    def run() -> None:
        with gate.admit(kind, mb, waiter):
            admitted.append(waiter.name)
            hold.wait(5)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_first_come_first_served_with_places_told():
    gate = MemoryGate(lambda: 100, poll=0.01)
    first = gate.acquire("render", 80)
    admitted: list[str] = []
    go = threading.Event()
    a, b, c = Visitor("a"), Visitor("b"), Visitor("c")
    threads = []
    for n, (visitor, mb) in enumerate(((a, 50), (b, 10), (c, 50)), 1):  # b would fit, but a came first
        threads.append(start(gate, "clip", mb, visitor, admitted, go))
        wait_until(lambda n=n: len(gate.snapshot()["waiting"]) == n)
    assert admitted == []
    assert (a.places, b.places, c.places) == ([1], [2], [3])
    first.release()
    wait_until(lambda: admitted == ["a", "b"])  # 50 + 10 fit together; c's 50 does not fit beside them
    time.sleep(0.05)
    assert admitted == ["a", "b"] and gate.in_use_mb() == 60
    assert c.places[-1] == 1  # now first in line
    go.set()
    for thread in threads:
        thread.join(5)
    assert admitted == ["a", "b", "c"] and a.places[-1] is None and c.places[-1] is None
    assert gate.in_use_mb() == 0


def test_two_visitors_never_exceed_the_budget():
    gate = MemoryGate(lambda: 300, poll=0.01)
    in_use, peak, lock = [0.0], [0.0], threading.Lock()
    sizes = {"render": 250, "clip": 120, "sound": 40}

    def visitor(kinds: list[str], who: Visitor) -> None:
        for kind in kinds:
            with gate.admit(kind, sizes[kind], who):
                with lock:
                    in_use[0] += sizes[kind]
                    peak[0] = max(peak[0], in_use[0])
                time.sleep(0.01)
                with lock:
                    in_use[0] -= sizes[kind]

    one, two = Visitor("one"), Visitor("two")
    threads = [threading.Thread(target=visitor, args=(["clip", "clip", "sound", "render"] * 3, one)),
               threading.Thread(target=visitor, args=(["sound", "render", "clip"] * 4, two))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert 0 < peak[0] <= 300  # never over the budget
    assert any(p for p in one.places + two.places)  # each was told its place when it had to wait


def test_work_bigger_than_the_budget_runs_alone():
    gate = MemoryGate(lambda: 100, poll=0.01)
    with gate.admit("render", 400):  # nothing else runs: it runs rather than waiting forever
        assert gate.in_use_mb() == 400
        assert gate.try_acquire("voice model", 10) is None
    small = gate.acquire("sound", 40)
    admitted: list[str] = []
    go = threading.Event()
    big = Visitor("big")
    thread = start(gate, "render", 400, big, admitted, go)
    wait_until(lambda: big.places == [1])
    assert admitted == []  # never beside anything
    small.release()
    wait_until(lambda: admitted == ["big"])
    go.set()
    thread.join(5)


def test_a_stopped_waiter_leaves_the_line():
    gate = MemoryGate(lambda: 100, poll=0.01)
    held = gate.acquire("render", 90)
    who, raised = Visitor("stopped"), []

    def run() -> None:
        try:
            gate.acquire("clip", 50, who)
        except Stopped as exc:
            raised.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    wait_until(lambda: who.places == [1])
    who.stopping = True
    thread.join(5)
    assert raised and gate.snapshot()["waiting"] == []
    held.release()


def test_idle_memory_is_given_up_for_the_first_in_line():
    gate = MemoryGate(lambda: 100, poll=0.01)
    model = gate.try_acquire("voice model", 70)
    assert model is not None and gate.try_acquire("voice model", 70) is None  # on spec only where it fits
    unloaded = []
    model.evictable(lambda: (unloaded.append(True), model.release()))
    with gate.admit("render", 60):  # does not fit beside the idle model: the gate asks it to unload
        assert unloaded == [True] and gate.snapshot()["running"] == [("render", 60)]


def test_a_pool_thread_waits_as_the_run_it_works_for():
    gate = MemoryGate(lambda: 100, poll=0.01)
    held = gate.acquire("render", 90)
    run = Visitor("run")
    admitted: list[str] = []

    def provider_work() -> None:  # e.g. an offline clip's encoder, inside a provider: no waiter passed
        admission.work_for(run)
        with gate.admit("clip", 50):
            admitted.append("clip")

    thread = threading.Thread(target=provider_work)
    thread.start()
    wait_until(lambda: run.places == [1])
    held.release()
    thread.join(5)
    assert admitted == ["clip"] and run.places == [1, None]


@pytest.fixture
def one_segment_at_a_time(machine, fake_settings):
    """A memory limit whose budget holds one of these small segments and nothing beside it."""
    segment = resources.segment_mb(fake_settings.width, fake_settings.height)
    limit = (resources.BASE_MB + 1.3 * segment) / resources.HEADROOM
    machine(memory_mb=round(limit, 1))
    assert segment < resources.work_budget_mb() < 2 * segment
    return resources.work_budget_mb()


@pytest.mark.slow
def test_two_visitors_renders_take_turns_in_the_servers_memory(fake_settings, cache, tmp_path,
                                                               one_segment_at_a_time):
    budget = one_segment_at_a_time
    providers.release_resident()  # an offline voice model another test left loaded holds its place in the gate
    assert GATE.in_use_mb() == 0
    runs = []
    for name in ("a", "b"):
        pipeline = Pipeline(fake_settings, cache, sleep=lambda s: None)
        script = pipeline.write_script(f"Why visitor {name} likes cats")
        voices, clips, _ = pipeline.make_media(script)
        places: list[int | None] = []
        pipeline.on_waiting = places.append
        runs.append((pipeline, script, voices, clips, places))
    seen: list[dict] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.append(GATE.snapshot())
            time.sleep(0.002)

    videos: dict[int, object] = {}
    barrier = threading.Barrier(2)

    def render(i: int) -> None:
        pipeline, script, voices, clips, _ = runs[i]
        barrier.wait()
        videos[i] = pipeline.assemble(script, voices, clips, tmp_path / f"out_{i}")

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    threads = [threading.Thread(target=render, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    done.set()
    watcher.join(5)
    assert len(videos) == 2 and all(v.is_file() for v in videos.values())
    busy = [s for s in seen if s["running"]]
    assert busy, "the watcher saw no admitted work"
    assert all(len(s["running"]) == 1 or s["in_use_mb"] <= budget for s in busy)
    assert max(len(s["running"]) for s in busy) == 1  # a segment or the sound, never two side by side
    assert {kind for s in busy for kind, _ in s["running"]} == {"render", "sound"}
    assert any(place == 1 for *_, places in runs for place in places)  # one of them waited, and was told
    assert GATE.in_use_mb() == 0


@pytest.mark.slow
def test_the_voice_model_holds_its_memory_while_loaded_and_gives_it_up_when_idle(machine, tmp_path):
    from viralreel_core.providers.voice.local_voice import LocalVoice

    room = resources.VOICE_MODEL_MB + 50  # the model and 50 MB more
    machine(memory_mb=round((resources.BASE_MB + room) / resources.HEADROOM, 1))
    LocalVoice.release_all()
    voice, spoken = LocalVoice(), []
    text = "Cats purr when they are happy, and sometimes when they are hurt. " * 3
    speaking = threading.Thread(target=lambda: spoken.append(voice.speak(text, tmp_path)))
    speaking.start()
    wait_until(lambda: ("voice model", resources.VOICE_MODEL_MB) in GATE.snapshot()["running"], timeout=60)
    render = Visitor("render")
    with GATE.admit("render", 100, render):  # does not fit beside the model: waits while it speaks
        assert render.places[0] == 1
        assert not voice.warm()  # then the idle model was unloaded to make room
        assert GATE.snapshot()["running"] == [("render", 100)]
    speaking.join(60)
    assert spoken and spoken[0].duration > 3
    assert voice.warm_up() > 0 and voice.warm()  # room again: warmed on spec, held as idle memory
    assert ("voice model", resources.VOICE_MODEL_MB) in GATE.snapshot()["running"]
    with GATE.admit("render", 100):
        assert not voice.warm()
    assert GATE.in_use_mb() == 0
