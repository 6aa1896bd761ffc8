"""One frame per caption preset, taken with ffmpeg from real small offline renders, and a sheet of them all.

    python tools/caption_screenshots.py [--size 360x640] [--out docs/screenshots]

Writes the same one-scene script fully offline (local voice and clips) once per preset into a temporary
folder and cache (the voice and clip are made once, then come from the cache), and takes each video's frame
while its second word is spoken: ``captions-<preset>.png``, and ``captions-presets.png`` with all six.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402

from tests.media import frame_at  # noqa: E402
from viralreel_core import Pipeline  # noqa: E402
from viralreel_core.environment import settings_from_env  # noqa: E402
from viralreel_core.models import Scene, Script  # noqa: E402
from viralreel_core.render.caption_chunks import timings_for  # noqa: E402
from viralreel_core.render.caption_styles import PRESET_LABELS, PRESETS, caption_style  # noqa: E402
from viralreel_core.render.fonts import load_font  # noqa: E402

NARRATION = "Why do cats love boxes so much? A box feels like a safe place to hide and watch."
VISUALS = "a curious cat peeking out of a cardboard box"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="360x640")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    script = Script(topic=NARRATION, title="Why cats love boxes", scenes=(Scene(1, VISUALS, NARRATION),))
    shots = []
    with tempfile.TemporaryDirectory(prefix="caption_shots_") as tmp:
        for name in PRESETS:
            settings = settings_from_env(environ={}, cache_dir=Path(tmp) / "cache", output_dir=Path(tmp) / name,
                                         width=width, height=height, voice_provider="local", clip_provider="local",
                                         captions=caption_style(name))
            with Pipeline(settings) as pipeline:
                voices, clips, skipped = pipeline.make_media(script)
                if skipped:
                    raise SystemExit(f"the scene failed: {skipped}")
                video = pipeline.assemble(script, voices, clips)
            words = timings_for(voices[1], NARRATION)
            t = words[1].start + 0.6 * (words[1].end - words[1].start)  # mid-word: a pop settled, a fill under way
            shot = Image.fromarray(frame_at(video, t, width, height))
            shot.save(out / f"captions-{name}.png", optimize=True)
            shots.append((name, shot))
            print(out / f"captions-{name}.png", f"at {t:.2f} s")
    label_h, gap = 36, 8
    sheet = Image.new("RGB", (len(shots) * (width + gap) + gap, height + label_h + gap), (18, 18, 24))
    draw = ImageDraw.Draw(sheet)
    font = load_font(18)
    for i, (name, shot) in enumerate(shots):
        x = gap + i * (width + gap)
        draw.text((x, 8), f"{PRESET_LABELS[name]}  ({name})", font=font, fill=(235, 235, 235))
        sheet.paste(shot, (x, label_h))
    sheet.save(out / "captions-presets.png", optimize=True)
    print(out / "captions-presets.png")


if __name__ == "__main__":
    main()
