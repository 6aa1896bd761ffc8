"""What this process may use: CPU quota and memory budget, and the parallelism that follows from them.

Containers (Streamlit Community Cloud, Docker, Kubernetes) show the host's cores and memory to
``os.cpu_count()`` and ``/proc/meminfo``; the real limits are in the cgroup. Read, in order:
- CPUs: cgroup v2 ``cpu.max``, cgroup v1 ``cpu.cfs_quota_us``/``cpu.cfs_period_us``, the CPU affinity mask,
  ``os.cpu_count()``; what the process was told (``Limits.cpus``) overrides.
- Memory: what the process was told (``Limits.memory_mb``), cgroup v2 ``memory.max``, cgroup v1
  ``memory.limit_in_bytes``, physical RAM.

What it is told comes from the edge (``environment.use_machine_limits``: ``VIRALREEL_CPUS`` and
``VIRALREEL_MEMORY_MB``, read once by the CLI, the studio's setup, the API and the workers) through
``use_limits``: the limits are the whole process's, like the memory line all its visitors share.

Every worker count and ffmpeg thread count in the package comes from here (one place for the policy), and
the megabytes each kind of work is admitted with in the server's memory line (``admission.GATE``).
"""

from __future__ import annotations

import functools
import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Limits", "use_limits", "told", "cgroup_cpus", "cgroup_memory_mb", "cpu_quota", "memory_limit_mb",
           "memory_budget_mb",
           "work_budget_mb", "ffmpeg_threads", "segment_plan", "segment_mb", "local_clip_mb",
           "sound_beside_segments", "local_jobs", "describe", "trim_memory", "freeze_startup", "background_thread",
           "SEGMENT_MB_FULL_HD", "BASE_MB", "SOUND_MB", "LOCAL_JOB_MB", "VOICE_MODEL_MB"]

CGROUP = Path("/sys/fs/cgroup")
PROC_CGROUP = Path("/proc/self/cgroup")
NO_LIMIT = 1 << 60  # cgroup v1 reports "no limit" as a huge page-aligned number
BASE_MB = 250  # the Python process itself during assembly (MoviePy, numpy, Pillow, caption images)
SEGMENT_MB_FULL_HD = 320  # one segment's ffmpeg (decode, filters, x264, 2 threads) at 1080×1920 (bench/memory.py)
CPUS_PER_SEGMENT = 4  # cores one segment's ffmpeg keeps busy (x264 at 1080×1920 scales to about 4 threads)
SOUND_MB = 40  # the video's sound being made: one small audio-only ffmpeg at a time (bench/memory.py)
LOCAL_JOB_MB = 220  # one offline clip's ffmpeg at 1080×1920 (bench/memory.py)
CPUS_PER_LOCAL_JOB = 2
VOICE_MODEL_MB = 300  # the offline Piper voice model while it is loaded
BACKGROUND_NICE = 10  # side work beside a render: it takes the cycles the render leaves idle
HEADROOM = 0.85  # share of the budget the assembly plans to use: the rest is for the studio and the OS


@dataclass(frozen=True)
class Limits:
    """What this process was told about its machine; None: what the cgroup or the machine says."""

    cpus: float | None = None  # VIRALREEL_CPUS at the edge; at least 0.1
    memory_mb: float | None = None  # VIRALREEL_MEMORY_MB at the edge; at least 64


_told = Limits()
_told_lock = threading.Lock()


def use_limits(limits: Limits) -> Limits:
    """Plan with ``limits`` in this whole process from now on (the edge tells them once); the previous ones."""
    global _told
    with _told_lock:
        previous, _told = _told, limits
    return previous


def told() -> Limits:
    """The limits this process was told (``use_limits``)."""
    return _told


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


def _own_cgroup_dirs(controller: str, root: Path, proc: Path) -> list[Path]:
    """The cgroup folders that apply to this process for ``controller``, innermost first (v2, then v1)."""
    dirs: list[Path] = []
    text = _read(proc) or ""
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, rel = parts
        rel = rel.lstrip("/")
        if controllers == "":  # cgroup v2 unified hierarchy
            dirs += [root / rel, root]
        elif controller in controllers.split(","):
            base = root / controllers
            if not base.exists():
                base = root / controller
            dirs += [base / rel, base]
    return [d for d in dict.fromkeys(dirs) if d.is_dir()]


@functools.cache
def cgroup_cpus(root: Path = CGROUP, proc: Path = PROC_CGROUP) -> float | None:
    """CPUs the cgroup's quota allows (cgroup v2 ``cpu.max`` or v1 CFS quota); None when unlimited."""
    for folder in _own_cgroup_dirs("cpu", root, proc):
        v2 = _read(folder / "cpu.max")
        if v2:
            quota, _, period = v2.partition(" ")
            if quota != "max":
                try:
                    return int(quota) / int(period or 100000)
                except ValueError:
                    pass
            continue
        quota_us, period_us = _read(folder / "cpu.cfs_quota_us"), _read(folder / "cpu.cfs_period_us")
        if quota_us and period_us:
            try:
                if int(quota_us) > 0:
                    return int(quota_us) / int(period_us)
            except ValueError:
                pass
    return None


def cpu_quota() -> float:
    """The CPUs this process may really use (may be fractional, e.g. 0.5 of a core), at least 0.1."""
    if _told.cpus is not None:
        return max(0.1, float(_told.cpus))
    try:
        visible = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        visible = os.cpu_count() or 1
    quota = cgroup_cpus()
    return max(0.1, min(float(visible), quota) if quota else float(visible))


@functools.cache
def cgroup_memory_mb(root: Path = CGROUP, proc: Path = PROC_CGROUP) -> float | None:
    """The cgroup's memory limit in MB (v2 ``memory.max`` or v1 ``memory.limit_in_bytes``); None when unlimited."""
    for folder in _own_cgroup_dirs("memory", root, proc):
        for name in ("memory.max", "memory.limit_in_bytes"):
            value = _read(folder / name)
            if value and value != "max":
                try:
                    limit = int(value)
                except ValueError:
                    continue
                if 0 < limit < NO_LIMIT:
                    return limit / 2**20
    return None


def _physical_mb() -> float | None:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (ValueError, OSError, AttributeError):
        return None


def memory_limit_mb() -> float | None:
    """The memory this process tree may use in MB: what it was told, else the cgroup's limit, else RAM."""
    if _told.memory_mb is not None:
        return max(64.0, float(_told.memory_mb))
    limits = [m for m in (cgroup_memory_mb(), _physical_mb()) if m]
    return min(limits) if limits else None


def memory_budget_mb() -> float:
    """MB the assembly plans with: a share of the limit (the rest is the OS's and the studio's)."""
    limit = memory_limit_mb()
    return HEADROOM * limit if limit else 1024.0


def work_budget_mb() -> float:
    """MB for the work admitted by ``admission.GATE`` (renders, clip encoders, the sound, the voice model):
    the budget less the Python process itself."""
    return max(0.0, memory_budget_mb() - BASE_MB)


def ffmpeg_threads() -> int:
    """Threads to give one ffmpeg encoder or decoder: the CPU quota rounded up, at least 1.

    ffmpeg's own default counts the host's cores, and x264 keeps frames per thread: on a 64-core host
    inside a 1-CPU container that is hundreds of MB for nothing.
    """
    return max(1, math.ceil(cpu_quota()))


def segment_plan(scenes: int, width: int = 1080, height: int = 1920) -> tuple[int, int]:
    """(segments rendered at once, ffmpeg threads each), from the scenes, the CPU quota and the memory budget.

    One ffmpeg already keeps about ``CPUS_PER_SEGMENT`` cores busy (decode, filters and x264 run in their
    own threads), and each costs ``SEGMENT_MB_FULL_HD`` scaled by the frame: more at once only where
    both the cores and the memory are there.
    """
    cpus = cpu_quota()
    by_memory = int(work_budget_mb() // segment_mb(width, height))
    by_cpu = math.floor(cpus / CPUS_PER_SEGMENT)
    workers = max(1, min(scenes, by_cpu, by_memory))
    return workers, max(1, math.ceil(cpus / workers))


def sound_beside_segments(workers: int, width: int = 1080, height: int = 1920) -> bool:
    """Whether the video's sound may be made while ``workers`` segments render: when the memory budget holds
    its ffmpeg beside them. Where it does not (Community Cloud's 690 MB), it is made before the renders."""
    return work_budget_mb() - workers * segment_mb(width, height) >= SOUND_MB


def _by_frame(full_hd_mb: float, width: int, height: int) -> float:
    return full_hd_mb * max(0.05, width * height / (1080 * 1920))


def segment_mb(width: int, height: int) -> float:
    """One segment's ffmpeg at this frame size: ``SEGMENT_MB_FULL_HD`` scaled by the pixels."""
    return _by_frame(SEGMENT_MB_FULL_HD, width, height)


def local_clip_mb(width: int, height: int) -> float:
    """One clip encoder drawn on this machine (offline clips, an image's Ken Burns move) at this frame size."""
    return _by_frame(LOCAL_JOB_MB, width, height)


def local_jobs(per_job_mb: float = LOCAL_JOB_MB) -> int:
    """How many CPU-bound offline jobs (local clips) to run at once: one per 2 CPUs, as memory allows.

    Each is an ffmpeg that already runs on two threads; a second one beside it on 2 cores gained little
    and cost ~210 MB (bench/memory.py).
    """
    by_memory = int((memory_budget_mb() - BASE_MB - VOICE_MODEL_MB) // max(1.0, per_job_mb))
    return max(1, min(math.floor(cpu_quota() / CPUS_PER_LOCAL_JOB), by_memory))


def describe() -> dict[str, object]:
    """The limits as seen here (for benchmarks and `doctor`)."""
    limit = memory_limit_mb()
    return {"cpus_visible": os.cpu_count(), "cpu_quota": round(cpu_quota(), 2),
            "cgroup_cpus": cgroup_cpus(), "memory_limit_mb": round(limit) if limit else None,
            "cgroup_memory_mb": round(m) if (m := cgroup_memory_mb()) else None,
            "memory_budget_mb": round(memory_budget_mb()), "work_budget_mb": round(work_budget_mb()),
            "ffmpeg_threads": ffmpeg_threads(),
            "segment_plan_full_hd_6": segment_plan(6), "local_jobs": local_jobs()}


_frozen = False
_frozen_lock = threading.Lock()


def freeze_startup() -> None:
    """Once per process, once it has imported what it serves with: every object alive now (modules, classes,
    the framework's tables: ~175,000 for the studio) goes to the collector's permanent generation, so each
    later full collection (a finished step's, Python's own) walks only what was made since: ~60 ms → ~1 ms
    here. Call it before any visitor's or job's objects exist: what it freezes is never freed."""
    global _frozen
    import gc

    with _frozen_lock:
        if _frozen:
            return
        _frozen = True
    gc.collect()
    gc.freeze()


def trim_memory() -> None:
    """Hand memory freed by Python and native libraries back to the OS (glibc keeps it otherwise)."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def background_thread() -> None:
    """Lower the calling thread's CPU priority, and so that of every process it starts (ffmpeg inherits it).

    For work beside a render that the render does not wait for yet (the video's sound, the next scene's
    captions): it fills the cycles the render's ffmpeg leaves idle instead of slowing it. Linux sets
    niceness per thread; the thread cannot raise it back, so use it as a pool's ``initializer``.
    """
    try:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, thread) + BACKGROUND_NICE)
    except (OSError, AttributeError):  # not permitted, or not Linux: run at the normal priority
        pass
