"""CPU quota and memory budget read from cgroup files (v2 and v1 layouts built in a temporary folder)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from viralreel_core.environment import machine_limits, use_machine_limits
from viralreel_core.media import resources

ROOT = Path(__file__).resolve().parents[1]


def tree(tmp_path, proc_lines: str, files: dict[str, str]):
    root = tmp_path / "cgroup"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    root.mkdir(exist_ok=True)
    proc = tmp_path / "proc_self_cgroup"
    proc.write_text(proc_lines)
    return root, proc


def test_cgroup_v2_quota_and_memory_limit(tmp_path):
    root, proc = tree(tmp_path, "0::/app.slice/streamlit\n", {
        "app.slice/streamlit/cpu.max": "50000 100000\n",
        "app.slice/streamlit/memory.max": f"{690 * 2**20}\n",
    })
    assert resources.cgroup_cpus(root, proc) == pytest.approx(0.5)
    assert resources.cgroup_memory_mb(root, proc) == pytest.approx(690)


def test_cgroup_v2_unlimited_is_none(tmp_path):
    root, proc = tree(tmp_path, "0::/\n", {"cpu.max": "max 100000\n", "memory.max": "max\n"})
    assert resources.cgroup_cpus(root, proc) is None
    assert resources.cgroup_memory_mb(root, proc) is None


def test_cgroup_v1_cfs_quota_and_limit_in_bytes(tmp_path):
    root, proc = tree(tmp_path, "4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n0::/\n", {
        "cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "150000\n",
        "cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000\n",
        "memory/docker/abc/memory.limit_in_bytes": f"{2700 * 2**20}\n",
    })
    assert resources.cgroup_cpus(root, proc) == pytest.approx(1.5)
    assert resources.cgroup_memory_mb(root, proc) == pytest.approx(2700)


def test_cgroup_v1_no_limit_values_are_none(tmp_path):
    root, proc = tree(tmp_path, "4:memory:/\n3:cpu:/\n", {
        "cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n",
        "memory/memory.limit_in_bytes": "9223372036854771712\n",
    })
    assert resources.cgroup_cpus(root, proc) is None
    assert resources.cgroup_memory_mb(root, proc) is None


def test_settings_override_and_plans_follow_the_budget(machine):
    machine(cpus=8, memory_mb=690)  # Community Cloud's floor
    assert resources.cpu_quota() == 8 and resources.memory_limit_mb() == 690
    workers, threads = resources.segment_plan(6)
    assert workers == 1 and threads == 8  # one full-HD segment at a time fits; it gets every core
    machine(cpus=8, memory_mb=16000)
    assert resources.segment_plan(6) == (2, 4)  # enough memory: one segment per 4 cores
    assert resources.segment_plan(1) == (1, 8)
    machine(cpus=0.5, memory_mb=16000)
    assert resources.segment_plan(6) == (1, 1) and resources.local_jobs() == 1 and resources.ffmpeg_threads() == 1


def test_the_sound_is_made_beside_a_render_only_where_the_memory_budget_holds_both(machine):
    machine(memory_mb=690)  # Community Cloud's floor: one full-HD segment, no more
    assert not resources.sound_beside_segments(1)
    assert resources.sound_beside_segments(1, 180, 320)  # a small frame's segment leaves room
    machine(memory_mb=2700)  # its ceiling
    assert resources.sound_beside_segments(1) and not resources.sound_beside_segments(7)


def test_the_limits_are_read_at_the_edge_and_nonsense_leaves_what_the_machine_says(monkeypatch):
    monkeypatch.setenv("VIRALREEL_CPUS", "3.25")
    monkeypatch.setenv("VIRALREEL_MEMORY_MB", "690")
    assert resources.cpu_quota() != 3.25 and resources.memory_limit_mb() != 690  # not read deep down
    assert use_machine_limits() == resources.Limits(3.25, 690.0) == resources.told()  # but at the edge
    assert resources.cpu_quota() == 3.25 and resources.memory_limit_mb() == 690
    assert machine_limits({"VIRALREEL_CPUS": "0", "VIRALREEL_MEMORY_MB": "1"}) == resources.Limits(0.1, 64.0)
    assert use_machine_limits({"VIRALREEL_CPUS": "lots", "VIRALREEL_MEMORY_MB": "", "X": "nan"}) == resources.Limits()
    assert machine_limits({"VIRALREEL_CPUS": "nan", "VIRALREEL_MEMORY_MB": "inf"}) == resources.Limits()
    assert resources.cpu_quota() >= 0.1
    assert resources.memory_limit_mb() is None or resources.memory_limit_mb() > 64


def test_a_process_freezes_what_it_started_with_once_and_nothing_after():
    """``freeze_startup``: what exists when a server or worker has imported everything is skipped by every later
    collection; a second call (a second visitor) freezes nothing more, so nothing made later is kept forever."""
    code = ("import gc, sys\n"
            "from viralreel_core.media import resources\n"
            "resources.freeze_startup()\n"
            "first = gc.get_freeze_count()\n"
            "made_later = [[i] for i in range(10000)]\n"
            "resources.freeze_startup()\n"
            "print(first, gc.get_freeze_count())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    first, second = map(int, out.stdout.split())
    assert first > 10000 and second == first, out.stdout  # the imports frozen; the later list not
