import sqlite3
import threading

import pytest

from viralreel_core.cache.store import LIFETIMES, AssetCache, cache_key
from viralreel_core.errors import BadConfiguration, CacheError


def test_same_content_same_key_and_order_does_not_matter():
    a = cache_key("voice", "local", {"model": "joe", "speed": 1.0}, "Hello")
    b = cache_key("voice", "local", {"speed": 1.0, "model": "joe"}, "Hello")
    assert a == b and len(a) == 64


@pytest.mark.parametrize("change", [
    dict(step="clips"), dict(provider="elevenlabs"), dict(params={"model": "joe", "speed": 1.1}),
    dict(params={"model": "amy", "speed": 1.0}), dict(input="Hello!"), dict(params={"model": "joe"}),
])
def test_any_changed_part_gives_a_new_key(change):
    base = dict(step="voice", provider="local", params={"model": "joe", "speed": 1.0}, input="Hello")
    assert cache_key(**base) != cache_key(**{**base, **change})


def test_put_get_round_trip_keeps_file_bytes_and_meta(cache, tmp_path):
    src = tmp_path / "a.wav"
    src.write_bytes(b"RIFF" + bytes(range(256)) * 100)
    stored = cache.put("k1", "voice", {"duration": 1.5}, {"audio": src}, cost_usd=0.25)
    src.unlink()  # the cache keeps its own copy
    got = cache.get("k1")
    assert got.meta == {"duration": 1.5}
    assert got.files["audio"].read_bytes() == b"RIFF" + bytes(range(256)) * 100
    assert got.files == stored.files and got.cost_usd == 0.25


def test_identical_files_are_stored_once(cache, tmp_path):
    src = tmp_path / "a.bin"
    src.write_bytes(b"x" * 50_000)
    one = cache.put("k1", "clips", {}, {"video": src})
    two = cache.put("k2", "clips", {"other": True}, {"video": src})
    assert one.files["video"] == two.files["video"]


def test_get_or_make_counts_hits_misses_money_and_runs_make_once(cache):
    calls = []

    def make(work_dir):
        calls.append(work_dir)
        path = work_dir / "out.bin"
        path.write_bytes(b"data")
        return {"n": 1}, {"f": path}, 0.5

    first, hit1 = cache.get_or_make("k", "voice", make)
    second, hit2 = cache.get_or_make("k", "voice", make)
    assert (hit1, hit2) == (False, True)
    assert len(calls) == 1 and not calls[0].exists()  # the work dir is cleaned up
    assert second.files["f"].read_bytes() == b"data"
    stats = cache.stats()
    assert (stats["hits"], stats["misses"], stats["entries"]) == (1, 1, 1)
    assert stats["money_saved_usd"] == pytest.approx(0.5) and stats["money_spent_usd"] == pytest.approx(0.5)


def test_failed_make_stores_nothing(cache):
    def make(work_dir):
        (work_dir / "half.bin").write_bytes(b"half")
        raise RuntimeError("provider died")

    with pytest.raises(RuntimeError):
        cache.get_or_make("k", "clips", make)
    assert cache.get("k") is None and cache.stats()["entries"] == 0


def test_entries_expire_after_their_step_lifetime(cache_dir, tmp_path):
    cache = AssetCache(cache_dir)
    cache.put("s", "script", {"scenes": []})
    assert cache.get("s") is not None
    # diskcache expires by wall clock: check the lifetime it was given instead of sleeping a day
    expire_time = cache._store.get(("entry", "s"), expire_time=True)[1]
    import time
    assert expire_time - time.time() == pytest.approx(LIFETIMES["script"], abs=60)
    assert LIFETIMES["script"] < LIFETIMES["voice"] < LIFETIMES["clips"]


def test_size_limit_evicts_least_recently_used(cache_dir, tmp_path):
    cache = AssetCache(cache_dir, size_limit=300_000)
    for i in range(8):
        f = tmp_path / f"{i}.bin"
        f.write_bytes(bytes([i]) * 100_000)
        cache.put(f"k{i}", "clips", {}, {"video": f})
    assert cache.get("k7") is not None  # the newest survives
    assert cache.get("k0") is None  # the oldest was evicted
    assert cache.stats()["entries"] >= 1 and cache.stats()["bytes"] <= 300_000


def test_recently_read_entries_survive_eviction(cache_dir, tmp_path):
    cache = AssetCache(cache_dir, size_limit=350_000)
    for i in range(2):
        f = tmp_path / f"{i}.bin"
        f.write_bytes(bytes([i]) * 100_000)
        cache.put(f"k{i}", "clips", {}, {"video": f})
    assert cache.get("k0") is not None  # k0 is now more recently used than k1
    f = tmp_path / "2.bin"
    f.write_bytes(b"z" * 150_000)
    cache.put("k2", "clips", {}, {"video": f})
    assert cache.get("k0") is not None and cache.get("k2") is not None and cache.get("k1") is None


def test_entry_whose_file_was_evicted_is_a_miss(cache, tmp_path):
    f = tmp_path / "a.bin"
    f.write_bytes(b"abc" * 20_000)
    stored = cache.put("k", "clips", {}, {"video": f})
    digest = next(iter(cache._store.get(("entry", "k"))["files"].values()))
    cache._store.delete(("blob", digest))
    assert cache.get("k") is None
    del stored


def test_threads_share_one_cache_safely(cache):
    errors = []

    def work(i):
        try:
            for j in range(20):
                cache.get_or_make(f"k{j % 5}", "script", lambda d, j=j: ({"j": j}, {}, 0.0))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and cache.stats()["entries"] == 5


def test_unwritable_directory_is_bad_configuration(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(BadConfiguration, match="cache"):
        AssetCache(blocker / "cache")


def test_clear_removes_everything(cache, tmp_path):
    f = tmp_path / "a.bin"
    f.write_bytes(b"abc")
    cache.put("k", "voice", {}, {"a": f})
    cache.clear()
    assert cache.get("k") is None and cache.stats()["entries"] == 0


def test_interrupted_write_leaves_a_consistent_cache(cache, cache_dir, tmp_path):
    """A crash mid-put (simulated by an unreadable source) never leaves a half entry behind."""
    good = tmp_path / "good.bin"
    good.write_bytes(b"g" * 10_000)
    with pytest.raises(CacheError):
        cache.put("k", "clips", {}, {"a": good, "b": tmp_path / "missing.bin"})
    assert cache.get("k") is None
    conn = sqlite3.connect(str(cache_dir / "assets" / "cache.db"))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_same_content_stored_by_many_threads_at_once_stays_readable(cache, tmp_path):
    """Two providers can produce identical bytes at the same moment; neither may lose its file."""
    barrier = threading.Barrier(6)
    results, errors = [], []

    def work(i):
        src = tmp_path / f"same{i}.wav"
        src.write_bytes(b"identical audio" * 5000)
        barrier.wait()
        try:
            results.append(cache.put(f"k{i}", "voice", {}, {"audio": src}))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for asset in results:
        assert asset.files["audio"].read_bytes() == b"identical audio" * 5000


def test_the_same_miss_in_many_threads_is_made_once(cache):
    """Two sessions asking for the same paid asset at once pay for it once."""
    import time
    calls, results = [], []
    barrier = threading.Barrier(4)

    def make(work_dir):
        calls.append(1)
        time.sleep(0.2)
        (work_dir / "a.bin").write_bytes(b"paid for once")
        return {}, {"a": work_dir / "a.bin"}, 1.0

    def work():
        barrier.wait()
        results.append(cache.get_or_make("same", "clips", make)[1])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and sorted(results) == [False, True, True, True]


def test_a_young_unreferenced_blob_survives_eviction(cache_dir, tmp_path):
    """A blob whose entry another thread is about to write must not be swept as an orphan."""
    cache = AssetCache(cache_dir, size_limit=150_000)
    f = tmp_path / "mid-put.bin"
    f.write_bytes(b"m" * 60_000)
    with open(f, "rb") as handle:  # the first half of a put: blob added, entry not yet written
        cache._store.add(("blob", "d" * 64), handle, read=True)
    for i in range(3):
        g = tmp_path / f"{i}.bin"
        g.write_bytes(bytes([i]) * 60_000)
        cache.put(f"k{i}", "clips", {}, {"v": g})
    assert cache._store.get(("blob", "d" * 64)) is not None


def test_threads_storing_the_same_bytes_at_once_all_keep_their_entries_and_files(cache, tmp_path):
    # two scenes with identical audio: their puts race on one blob, and no put may delete another's file
    errors: list[BaseException] = []
    handed_out = []
    start = threading.Barrier(8)

    def put(n: int) -> None:
        start.wait()
        try:
            for round_ in range(20):
                src = tmp_path / f"same{round_}.bin"
                stored = cache.put(f"k{n}-{round_}", "voice", {"n": n}, {"audio": src})
                handed_out.append(stored.files["audio"])
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    for round_ in range(20):
        (tmp_path / f"same{round_}.bin").write_bytes(b"identical narration audio %d" % round_ * 4000)
    threads = [threading.Thread(target=put, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert all(path.exists() for path in handed_out)
    assert all(cache.get(f"k{n}-{r}") is not None for n in range(8) for r in range(20))


def test_a_stored_file_deleted_behind_the_caches_back_is_stored_again(cache, tmp_path):
    src = tmp_path / "a.bin"
    src.write_bytes(b"abc" * 1000)
    cache.put("k1", "segment", {}, {"video": src}).files["video"].unlink()
    assert cache.get("k1") is None
    again = cache.put("k2", "segment", {}, {"video": src})  # was: "raise the cache size limit"
    assert again.files["video"].read_bytes() == b"abc" * 1000
