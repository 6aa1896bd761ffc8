"""One-off: move viralreel_core's modules into folders by concern and rewrite every import and dotted path.

Idempotent: modules already moved are skipped. Run from the repository root: ``python tools/restructure.py``.
Relative imports inside the package become absolute first, so a moved module's imports keep pointing right.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

PKG = "viralreel_core"
# old dotted module (without the package) -> new one
MOVES = {
    "cache": "cache.store",
    "cache_upkeep": "cache.upkeep",
    "assembler": "render.assembler",
    "segment": "render.segment",
    "early_render": "render.early",
    "final_check": "render.final_check",
    "captions": "render.captions",
    "fonts": "render.fonts",
    "colors": "render.colors",
    "ffmpeg": "media.ffmpeg",
    "resources": "media.resources",
    "files": "media.files",
    "aspect": "media.aspect",
    "music": "media.music",
    "text": "text.clean",
    "languages": "text.languages",
    "timing": "text.timing",
    "workspaces": "workspace.workspaces",
    "access": "workspace.access",
    "spending": "workspace.spending",
    "projects": "workspace.projects",
    "uploads": "workspace.uploads",
    "music_uploads": "workspace.music_uploads",
    "cli": "cli.main",
    "service": "cli.service",
    "batch": "cli.batch",
    "pipeline": "run.pipeline",
    "checks": "run.checks",
    "providers.transport": "providers.http.transport",
    "providers.retry": "providers.http.retry",
    "providers.openai_common": "providers.http.openai_common",
    "providers.openai_script": "providers.script.openai_script",
    "providers.local_script": "providers.script.local_script",
    "providers.local_script_data": "providers.script.local_script_data",
    "providers.topic_fit": "providers.script.topic_fit",
    "providers.topic_kinds": "providers.script.topic_kinds",
    "providers.elevenlabs": "providers.voice.elevenlabs",
    "providers.openai_voice": "providers.voice.openai_voice",
    "providers.local_voice": "providers.voice.local_voice",
    "providers.piper_voices": "providers.voice.piper_voices",
    "providers.runway": "providers.clips.runway",
    "providers.runway_images": "providers.clips.runway_images",
    "providers.image_clips": "providers.clips.image_clips",
    "providers.ken_burns": "providers.clips.ken_burns",
    "providers.kinetic": "providers.clips.kinetic",
    "providers.layout": "providers.clips.layout",
    "providers.local_backdrop": "providers.clips.local_backdrop",
    "providers.local_clips": "providers.clips.local_clips",
    "providers.pexels": "providers.clips.pexels",
    "providers.pixabay": "providers.clips.pixabay",
    "providers.stock": "providers.clips.stock",
    "providers.symbols": "providers.clips.symbols",
    "providers.openai_images": "providers.clips.openai_images",
    "studio.jobs": "studio.step_jobs",
    "studio.queue": "studio.lines",
    "studio.queued": "studio.handoff",
}
PACKAGE_DOCS = {
    "cache": "The asset cache: paid results kept on disk by a hash of what made them, and the folder's upkeep.",
    "render": "Turning scenes into a video: segments, captions, fonts and colours, the join and its final check.",
    "media": "Files and processes under the renders: ffmpeg, frame shapes, the memory budget, music, atomic writes.",
    "text": "Text as people and services give it: cleaning, languages and their words, word timings.",
    "workspace": "Where a person's things live and who may spend: workspaces, access, spending, projects, uploads.",
    "cli": "The headless ways in: ``python -m viralreel_core`` make/script/doctor/cache, serve, worker, batch.",
    "run": "One run from topic to video: the pipeline and the checks made before anything is spent.",
    "providers.http": "HTTP plumbing the providers share: transport, the retry policy, the OpenAI SDK client.",
    "providers.script": "Script writers: OpenAI (or any compatible server) and the offline writer with its data.",
    "providers.voice": "Voices: ElevenLabs, OpenAI speech and the offline Piper voice.",
    "providers.clips": "Clip makers: Runway, stock video, images plus motion, and the offline kinetic clips.",
}
DATA_MOVES = {"viralreel_core/media/music": "viralreel_core/media/tracks"}
FULL = {f"{PKG}.{old}": f"{PKG}.{new}" for old, new in MOVES.items()}
ROOTS = ["viralreel_core", "pages", "tests", "bench", "tools", "streamlit_app.py", "docs", "README.md"]


def git(*args: str) -> None:
    subprocess.run(["git", *args], check=True)


def module_path(dotted: str) -> Path:
    return Path(*dotted.split(".")).with_suffix(".py")


def absolutize(path: Path) -> None:
    """Relative imports in ``path`` (inside the package) become absolute ones."""
    text = path.read_text()
    tree = ast.parse(text)
    parts = list(path.with_suffix("").parts)
    package = parts[:-1]  # a module's package; for __init__.py, its own
    lines = text.splitlines(keepends=True)
    for node in sorted((n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level),
                       key=lambda n: -n.lineno):
        base = package[: len(package) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
        line = lines[node.lineno - 1]
        lines[node.lineno - 1] = re.sub(r"from\s+\.+[\w.]*\s+import", f"from {target} import", line, count=1)
    path.write_text("".join(lines))


def split_from_imports(text: str) -> str:
    """``from viralreel_core[.pkg] import a, b`` where a names a moved module: import it from its new home."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    for node in sorted((n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module), key=lambda n: -n.lineno):
        moved = [a for a in node.names if f"{node.module}.{a.name}" in FULL]
        if not moved:
            continue
        indent = re.match(r"\s*", lines[node.lineno - 1]).group(0)
        new = []
        rest = [a for a in node.names if a not in moved]
        if rest:
            names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in rest)
            new.append(f"{indent}from {node.module} import {names}\n")
        for a in moved:
            parent, _, name = FULL[f"{node.module}.{a.name}"].rpartition(".")
            alias = a.asname or a.name
            new.append(f"{indent}from {parent} import {name}" + (f" as {alias}" if alias != name else "") + "\n")
        lines[node.lineno - 1: node.end_lineno] = new
    return "".join(lines)


DOTTED = re.compile(r"\bviralreel_core(?:\.\w+)+")


def rename_dotted(text: str) -> str:
    def one(m: re.Match) -> str:
        name = m.group(0)
        pieces = name.split(".")
        for i in range(len(pieces), 1, -1):
            head = ".".join(pieces[:i])
            if head in FULL:
                return ".".join([FULL[head], *pieces[i:]])
        return name
    return DOTTED.sub(one, text)


SLASHED = re.compile(r"\bviralreel_core(?:/\w+)+(?:\.py)?")


def rename_paths(text: str) -> str:
    """``viralreel_core/providers/clips/runway.py`` in docs and comments."""
    def one(m: re.Match) -> str:
        name = m.group(0)
        dotted = name.removesuffix(".py").replace("/", ".")
        new = rename_dotted(dotted)
        if new == dotted:
            return name
        return new.replace(".", "/") + (".py" if name.endswith(".py") else "")
    return SLASHED.sub(one, text)


def main() -> int:
    if Path(PKG, "cache", "store.py").exists():
        print("already restructured", file=sys.stderr)
        return 1
    for p in Path(PKG).rglob("*.py"):
        absolutize(p)
    for new_pkg, doc in PACKAGE_DOCS.items():
        init = Path(PKG, *new_pkg.split("."), "__init__.py")
        init.parent.mkdir(parents=True, exist_ok=True)
        if not init.exists():
            init.write_text(f'"""{doc}"""\n')
    for old, new in MOVES.items():
        src, dst = Path(PKG) / module_path(old), Path(PKG) / module_path(new)
        if src.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            git("mv", str(src), str(dst))
    for src, dst in DATA_MOVES.items():
        if Path(src).is_dir() and not Path(dst).exists():
            git("mv", src, dst)
    py_files = [p for r in ROOTS for p in (Path(r).rglob("*.py") if Path(r).is_dir() else [Path(r)])
                if p.suffix == ".py" and p.exists()]
    for p in py_files:
        text = p.read_text()
        new = rename_paths(split_from_imports(rename_dotted(text)))
        if new != text:
            p.write_text(new)
    for p in [Path("README.md"), *Path("docs").glob("*.md")]:
        text = p.read_text()
        new = rename_paths(rename_dotted(text))
        if new != text:
            p.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
