"""Which product modules the quick loop (``pytest -m "not slow"``) leaves unexercised.

A module counts as exercised when the tests run at least one of the lines importing it leaves unrun (a function's
body): those are measured first, in a process that only imports every module; a module with none (a package's
``__init__``, a table of data) is not listed. So a
test marked ``slow`` that was the last to reach some module shows up here, by name::

    python tools/quick_coverage.py                      # the whole quick loop (minutes: run it on a quiet machine)
    python tools/quick_coverage.py tests/test_cache.py  # what these files reach (quick tests only)

Exits 1 and names the modules when any is left unexercised; ``__main__`` is never imported, so it is left out.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import coverage

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "viralreel_core"
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: the package is the checkout's


def product_modules() -> dict[str, Path]:
    """Every module of the package but ``__main__``, by dotted name."""
    modules = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__main__":
            continue
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _lines(data: coverage.CoverageData, path: Path) -> set[int]:
    return set(data.lines(str(path)) or ())


def after_import(modules: dict[str, Path], data_file: Path) -> dict[str, set[int]]:
    """Each module's lines that importing it leaves unrun (function bodies…), measured in this process, which
    imports nothing of ours before. A module with none (a package's ``__init__``, a table) has nothing more
    for a test to run."""
    cov = coverage.Coverage(data_file=str(data_file), source=[str(ROOT / PACKAGE)])
    cov.start()
    for name in modules:
        importlib.import_module(name)
    cov.stop()
    return {name: set(cov.analysis2(str(path))[3]) for name, path in modules.items()}


def test_lines(args: list[str], data_file: Path) -> coverage.CoverageData:
    """The lines the quick tests in ``args`` (default: all of them) run, threads and subprocesses of ours too."""
    rc = Path(data_file).with_suffix(".rc")
    rc.write_text(f"[run]\nsource = {ROOT / PACKAGE}\nconcurrency = thread\nparallel = true\n"
                  f"data_file = {data_file}\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "coverage", "run", f"--rcfile={rc}", "-m", "pytest", "-q",
                    "-m", "not slow", "-p", "no:randomly", "-p", "no:cacheprovider", *(args or ["tests"])],
                   cwd=ROOT, check=False)
    subprocess.run([sys.executable, "-m", "coverage", "combine", f"--rcfile={rc}"], cwd=ROOT, check=True,
                   capture_output=True)
    data = coverage.CoverageData(basename=str(data_file))
    data.read()
    return data


def main(argv: list[str]) -> int:
    modules = product_modules()
    with tempfile.TemporaryDirectory() as tmp:
        left = after_import(modules, Path(tmp) / "import.cov")
        ran = test_lines(argv, Path(tmp) / "tests.cov")
        idle = [name for name, path in modules.items() if left[name] and not left[name] & _lines(ran, path)]
    print(json.dumps({"modules": len(modules), "unexercised": idle}, indent=2))
    return 1 if idle else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
