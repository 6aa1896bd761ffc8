"""The environment is read at the edge, and tests inject what they need instead of patching our code.

Two scans of the source (no imports run): a product module reading ``os.environ`` outside the edge, and a
test setting an attribute of a ``viralreel_core`` module or class (``monkeypatch.setattr(retry, "BACKOFF",
0)``, ``symbols._font_files = …``). A test needing another wait, font, style or process runner passes it to
a constructor or through the settings (``settings_from_env`` reads ``VIRALREEL_*``: ``monkeypatch.setenv``
is the edge and fine).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "viralreel_core"

#: product modules that may read the environment, each with the reason
ENVIRONMENT_EDGE = {
    "viralreel_core/environment.py": "the edge: settings, machine limits, queue and YouTube config for all below",
    "viralreel_core/cli/service.py": "the API server's startup reads its client tokens (``ApiTokens`` sits above "
                                     "``environment``, so the CLI passes the variables in)",
    "viralreel_core/render/fonts.py": "WINDIR says where Windows keeps its fonts: a fact of the OS, like "
                                      "/usr/share/fonts, not a setting",
}
#: test files that may set an attribute of our code, each with the reason (none)
PATCH_ALLOWED: dict[str, str] = {}
_PATCHERS = {"setattr", "delattr", "setitem", "delitem", "patch", "object"}


def _py(folder: Path) -> Iterator[Path]:
    yield from sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def environment_reads(source: str) -> list[int]:
    """Lines reading the environment: ``os.environ``, ``os.getenv``, or ``environ``/``getenv`` imported from os."""
    tree = ast.parse(source)
    from_os = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "os"
               for a in n.names if a.name in ("environ", "environb", "getenv", "getenvb")}
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "environb", "getenv", "getenvb") \
                and isinstance(node.value, ast.Name) and node.value.id == "os":
            lines.append(node.lineno)
        elif isinstance(node, ast.Name) and node.id in from_os:
            lines.append(node.lineno)
    return sorted(set(lines))


def _root(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def our_code_patched(source: str) -> list[int]:
    """Lines setting (or deleting) an attribute or item of something imported from ``viralreel_core``."""
    tree = ast.parse(source)
    ours: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            ours |= {a.asname or a.name.partition(".")[0] for a in node.names
                     if a.name == PACKAGE or a.name.startswith(PACKAGE + ".")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").partition(".")[0] == PACKAGE:
            ours |= {a.asname or a.name for a in node.names}
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            target = node.args[0]
            named = isinstance(target, ast.Constant) and str(target.value).startswith(PACKAGE + ".")
            if name in _PATCHERS and (named or _root(target) in ours):
                lines.append(node.lineno)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                for part in ast.walk(target):
                    if isinstance(part, (ast.Attribute, ast.Subscript)) and _root(part) in ours:
                        lines.append(node.lineno)
    return sorted(set(lines))


def test_the_scans_find_what_they_look_for():
    assert environment_reads("import os\nx = os.environ.get('A')\ny = os.getenv('B')\n") == [2, 3]
    assert environment_reads("from os import environ as e\nx = e['A']\n") == [2]
    assert environment_reads("'''os.environ in a docstring'''\nimport os\nos.path.join('a')\n") == []
    old = ("from viralreel_core.providers.http import retry\nfrom viralreel_core.providers.clips.runway import "
           "RunwayClips\nimport viralreel_core.providers.clips.symbols as symbols\n"
           "def test(monkeypatch):\n    monkeypatch.setattr(retry, 'BACKOFF', 0.0)\n"
           "    monkeypatch.setattr(RunwayClips, 'poll_interval', 0.01)\n    symbols._font_files = lambda: {}\n"
           "    monkeypatch.setattr('viralreel_core.media.resources.cpu_quota', lambda: 1)\n"
           "    monkeypatch.setitem(retry.__dict__, 'JITTER', 0)\n")
    assert our_code_patched(old) == [5, 6, 7, 8, 9]
    fine = ("import tempfile\nfrom viralreel_core.errors import BadInput\ndef test(monkeypatch, studio, api):\n"
            "    monkeypatch.setenv('VIRALREEL_CPUS', '1')\n    monkeypatch.setattr(tempfile, 'tempdir', 'x')\n"
            "    studio.keys = {}\n    api.latency = 0.3\n    error = BadInput('x')\n")
    assert our_code_patched(fine) == []


def test_only_the_edge_reads_the_environment():
    found = {str(p.relative_to(ROOT)): lines for p in _py(ROOT / PACKAGE)
             if (lines := environment_reads(p.read_text(encoding="utf-8")))}
    deep = {path: lines for path, lines in found.items() if path not in ENVIRONMENT_EDGE}
    assert not deep, f"read these at the edge (environment.py) and pass them down as settings or parameters: {deep}"
    assert set(found) == set(ENVIRONMENT_EDGE), "an edge module no longer reads the environment: drop it from the list"


def test_no_test_patches_our_code():
    found = {str(p.relative_to(ROOT)): lines for p in _py(ROOT / "tests")
             if (lines := our_code_patched(p.read_text(encoding="utf-8")))}
    patched = {path: lines for path, lines in found.items() if path not in PATCH_ALLOWED}
    assert not patched, f"inject these through a constructor or the settings instead: {patched}"
