"""The finished video's check (issue 8): a join with a scene cut short, damaged bytes, or sound and
picture apart fails naming the scene, and nothing gets the video's name. Real segments made by ffmpeg."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.test_assembler import make_clip, make_voice, settings  # noqa: F401  (the settings fixture)
from viralreel_core.errors import AssemblyError
from viralreel_core.media.ffmpeg import ffmpeg_exe
from viralreel_core.render.assembler import Assembler, SceneMedia
from viralreel_core.render.final_check import check_final, check_segment

FPS = 30


def segment(path: Path, frames: int, source: str = "testsrc2") -> Path:
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", f"{source}=size=180x320:rate={FPS}",
                    "-frames:v", str(frames), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                    str(path)], check=True)
    return path


def join(tmp_path: Path, segments: list[Path], audio_seconds: float) -> Path:
    listing = tmp_path / "list.txt"
    listing.write_text("".join(f"file '{p}'\n" for p in segments))
    out = tmp_path / "joined.mp4"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),
                    "-f", "lavfi", "-i", f"sine=f=300:sample_rate=44100:duration={audio_seconds}",
                    "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", str(out)], check=True)
    return out


@pytest.fixture
def three(tmp_path) -> list[tuple[int, Path, int]]:
    return [(n, segment(tmp_path / f"s{n}.mp4", 45), 45) for n in (1, 2, 3)]


def test_a_sound_join_passes(tmp_path, three):
    check_final(join(tmp_path, [p for _, p, _ in three], 135 / FPS), three, FPS)


def test_a_scene_cut_short_is_named(tmp_path, three):
    short = segment(tmp_path / "short.mp4", 15)
    joined = join(tmp_path, [three[0][1], short, three[2][1]], 105 / FPS)
    with pytest.raises(AssemblyError, match="scene 2's segment has 15 of its 45 frames"):
        check_final(joined, [three[0], (2, short, 45), three[2]], FPS)


def test_damaged_bytes_in_the_join_are_found(tmp_path, three):
    joined = join(tmp_path, [p for _, p, _ in three], 135 / FPS)
    with open(joined, "r+b") as handle:
        handle.seek(joined.stat().st_size // 2)
        handle.write(os.urandom(4096))
    with pytest.raises(AssemblyError, match="failed its check"):
        check_final(joined, three, FPS)


def test_a_join_of_other_pictures_with_the_right_count_is_refused(tmp_path, three):
    # every frame there and decodable, but not the scene's pictures: only a byte comparison can tell
    other = segment(tmp_path / "other.mp4", 45, source="smptebars")
    joined = join(tmp_path, [three[0][1], other, three[2][1]], 135 / FPS)
    with pytest.raises(AssemblyError, match="the joined video differs from its scenes' segments"):
        check_final(joined, three, FPS)


def test_sound_longer_than_picture_by_over_a_frame_is_refused(tmp_path, three):
    joined = join(tmp_path, [p for _, p, _ in three], 135 / FPS + 0.5)
    with pytest.raises(AssemblyError, match="its sound lasts 5.00 s but its picture 4.50 s"):
        check_final(joined, three, FPS)


def test_a_cached_segment_stored_whole_but_short_is_rendered_again(tmp_path, settings, cache):  # noqa: F811
    scene = SceneMedia(1, "Hello world.", make_clip(tmp_path / "c.mp4", 2.0), make_voice(tmp_path / "v.wav", 1.5))
    assembler = Assembler(settings, cache)
    # an older version's render, whole as stored but a scene short: the hash check cannot know, the count does
    cache.put(assembler.segment_key(scene), "segment", {}, {"video": segment(tmp_path / "old.mp4", 10)})
    out = assembler.assemble([scene], tmp_path / "out" / "v.mp4")
    assert assembler.segment_misses == 1 and out.exists()
    assert check_segment(cache.get(assembler.segment_key(scene)).files["video"], 1, 45) is None
