"""Videos published for streaming from disk (studio/published.py): a hard link under a name nobody can guess,
the same name while the file is unchanged, and a folder swept by age and by size."""

from __future__ import annotations

import os
import time

from viralreel_core.studio import published
from viralreel_core.studio.published import URL_PREFIX, publish, sweep


def video(path, content: bytes = b"\x00\x00\x00\x18ftypmp42 not really a video") -> object:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_a_video_is_linked_under_an_unguessable_name_kept_while_it_is_unchanged(tmp_path):
    made = video(tmp_path / "out" / "viralreel_20261206_cafe.mp4")
    static = tmp_path / "static"
    url = publish(made, static)
    assert url is not None and url.startswith(URL_PREFIX) and url.endswith(".mp4")
    name = url.removeprefix(URL_PREFIX)
    assert len(name) == 32 + 4 and "cafe" not in name and "viralreel" not in name
    served = static / "v" / name
    assert os.path.samestat(served.stat(), made.stat())  # a hard link: no copy in memory or on disk
    assert publish(made, static) == url  # every rerun of the page: the same name
    other = video(tmp_path / "out" / "viralreel_20261206_beef.mp4", b"other bytes")
    assert publish(other, static) != url
    time.sleep(0.01)
    made.write_bytes(b"rendered again")  # a new file under the old name gets a new name
    assert publish(made, static) not in (url, None)


def test_a_folder_that_cannot_be_written_falls_back(tmp_path):
    made = video(tmp_path / "a.mp4")
    blocker = tmp_path / "static"
    blocker.write_text("a file where the folder should be")
    assert publish(made, blocker) is None
    assert publish(tmp_path / "missing.mp4", tmp_path / "ok") is None


def test_the_sweep_removes_old_names_and_keeps_the_folder_under_its_size(tmp_path):
    static = tmp_path / "static"
    urls = [publish(video(tmp_path / f"v{i}.mp4", bytes(1000 * (i + 1))), static) for i in range(3)]
    folder = static / "v"
    names = [u.removeprefix(URL_PREFIX) for u in urls]
    stray = folder / "0123456789abcdef0123456789abcdef.mp4"  # another process's, or a crashed copy
    stray.write_bytes(b"x")
    sweep(folder, now=time.time())
    assert sorted(p.name for p in folder.iterdir()) == sorted([*names, stray.name])  # all recent
    sweep(folder, keep=names[0], now=time.time() + published.MAX_AGE + 1)
    assert [p.name for p in folder.iterdir()] == [names[0]]  # unseen for too long: gone, but the one shown
    urls = [publish(video(tmp_path / f"w{i}.mp4", bytes(1000 * (i + 1))), static) for i in range(3)]
    sweep(folder, keep=urls[0].removeprefix(URL_PREFIX), max_bytes=4500)  # 7000 bytes there
    left = sorted(p.name for p in folder.iterdir())
    assert urls[0].removeprefix(URL_PREFIX) in left and sum((folder / n).stat().st_size for n in left) <= 4500
