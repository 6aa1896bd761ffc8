"""A contact sheet of one offline video's scenes: two frames per scene, as a person would see them.

    python tools/contact_sheet.py ["How volcanoes work"] [--scenes 4] [--out docs/screenshots/offline-contact-sheet.png]
    python tools/contact_sheet.py --script tools/volcanoes_filled.json \
        --out docs/screenshots/offline-contact-sheet-filled.png

Makes the video fully offline (local script, voice and clips, captions on) into a temporary folder and
its cache, then takes its first frame (the title card: the poster and thumbnails), the frame just after
its first cut (no dip to black), and each scene's frames at 30 % and 85 % of the scene.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402

from tests.media import frame_at  # noqa: E402
from viralreel_core import Pipeline  # noqa: E402
from viralreel_core.environment import settings_from_env  # noqa: E402
from viralreel_core.models import Script  # noqa: E402
from viralreel_core.render.assembler import frames_for  # noqa: E402
from viralreel_core.render.fonts import load_font  # noqa: E402

THUMB_W, THUMB_H = 270, 480


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("topic", nargs="?", default="How volcanoes work")
    parser.add_argument("--scenes", type=int, default=4)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots" / "offline-contact-sheet.png"))
    parser.add_argument("--script", help="a script's JSON (topic, title, scenes) to make instead of the writer's "
                                         "draft: what the offline clips show once the places are filled in")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="contact_sheet_") as tmp:
        settings = settings_from_env(environ={}, cache_dir=Path(tmp) / "cache", output_dir=Path(tmp) / "out",
                                     scenes=args.scenes)
        pipeline = Pipeline(settings)
        script = (Script.from_dict(json.loads(Path(args.script).read_text(encoding="utf-8"))).renumbered()
                  if args.script else pipeline.write_script(args.topic))
        voices, clips, skipped = pipeline.make_media(script)
        if skipped:
            raise SystemExit(f"scenes failed: {skipped}")
        video = pipeline.assemble(script, voices, clips)
        fps = settings.fps
        columns = []
        start = 0.0
        for scene in script.scenes:
            length = frames_for(voices[scene.number].duration, fps) / fps
            shots = [frame_at(video, start + length * f, settings.width, settings.height) for f in (0.3, 0.85)]
            columns.append((f"scene {scene.number}", shots))
            start += length
        first_cut = frames_for(voices[script.scenes[0].number].duration, fps) / fps
        opening = [frame_at(video, 0.0, settings.width, settings.height),  # the poster: the title card
                   frame_at(video, first_cut + 2 / fps, settings.width, settings.height)]  # a cut: no black
        columns.insert(0, ("frame 0 · a cut", opening))
        columns = [(label, [Image.fromarray(s).resize((THUMB_W, THUMB_H), Image.LANCZOS) for s in shots])
                   for label, shots in columns]
    label_h, gap = 64, 8
    sheet = Image.new("RGB", (len(columns) * (THUMB_W + gap) + gap, 2 * (THUMB_H + gap) + gap + label_h),
                      (18, 18, 24))
    draw = ImageDraw.Draw(sheet)
    font = load_font(22, script.title)
    draw.text((gap, 8), f"{script.title}  (offline: local script, voice and clips)", font=font, fill=(235, 235, 235))
    small = load_font(16)
    for c, (label, shots) in enumerate(columns):
        x = gap + c * (THUMB_W + gap)
        draw.text((x, 38), label, font=small, fill=(170, 170, 180))
        for r, shot in enumerate(shots):
            sheet.paste(shot, (x, label_h + gap + r * (THUMB_H + gap)))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, optimize=True)
    print(out)
    for scene in script.scenes:
        print(f"scene {scene.number}: {scene.narration}")


if __name__ == "__main__":
    main()
