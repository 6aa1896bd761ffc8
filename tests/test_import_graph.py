"""The house's shape, checked from the code's own imports: no circles, imports pointing down, files with one job.

Every import counts, also one inside a function or under ``TYPE_CHECKING``: a lazy import is still an arrow.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "viralreel_core"
#: the package's folders and top modules, lowest first; a module may import only from its own layer or below
LAYERS = (
    ("errors", "limits", "models", "option_names"),
    ("config",),
    ("media", "text", "cache"),
    ("render", "post"),
    ("providers",),
    ("run", "workspace"),
    ("environment", "doctor", "jobs", "publish"),
    ("studio", "api", "cli", "__main__"),
)
DATA_MODULES = {"viralreel_core/providers/script/local_script_data.py"}  # word lists, not logic
MAX_LINES = 500


def product_files() -> Iterator[Path]:
    yield ROOT / "streamlit_app.py"
    yield from sorted((ROOT / "pages").glob("*.py"))
    yield from sorted((ROOT / PACKAGE).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the project's modules it imports (a ``from pkg import name`` counts ``pkg.name`` if a module)."""
    files = {module_name(p): p for p in product_files()}

    def known(name: str) -> str | None:
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(filter(None, (known(a.name) for a in node.names)))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, *([base] if base else [])])
                for alias in node.names:
                    target = known(f"{base}.{alias.name}") if f"{base}.{alias.name}" in files else known(base)
                    if target:
                        found.add(target)
        found.discard(name)
        graph[name] = found
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def layer(module: str) -> int | None:
    """A module's layer; pages and the app sit above every layer, the package's ``__init__`` is its facade."""
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return len(LAYERS)
    if len(parts) == 1:
        return None
    return next((i for i, names in enumerate(LAYERS) if parts[1] in names), -1)


def test_the_graph_is_read_from_the_code():
    graph = import_graph()
    assert len(graph) > 80
    assert "viralreel_core.run.checks" in graph["viralreel_core.run.pipeline"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_circles_among_the_app_the_pages_and_the_core():
    assert cycles(import_graph()) == []


def test_every_module_sits_in_a_layer_and_imports_only_downwards():
    graph = import_graph()
    unplaced = sorted(m for m in graph if layer(m) == -1)
    assert not unplaced, f"add these to a layer in LAYERS: {unplaced}"
    upward = sorted(f"{m} -> {t}" for m, targets in graph.items() for t in targets
                    if layer(m) is not None and layer(t) is not None and layer(t) > layer(m))
    assert not upward


def test_no_product_file_is_over_500_lines_unless_it_is_data():
    long = {str(p.relative_to(ROOT)): n for p in product_files()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not {k: v for k, v in long.items() if k not in DATA_MODULES}
