"""``python -m viralreel_core batch topics.csv``: one job per row, a progress bar, a results CSV.

Columns: ``topic``, ``script`` (your own narration instead of a written script: the path of a text or JSON
file, relative to the CSV's folder, or the text itself, one paragraph a scene; with both, the topic names
what it is about), the job options (``scenes``, ``length``, ``tone``, ``aspect``, ``music``…) and the providers' own
options (``image_model``, ``runway_model``…; not the ones naming a file, which a worker may not have).
Rows are checked before any job starts (a bad row is reported, the others run). The results CSV has a
line per row (two equal rows make two videos) and is rewritten whole after every finished row; a rerun
skips rows whose video was made and still exists (of equal rows, as many as there are such videos).
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tqdm import tqdm

from viralreel_core import providers
from viralreel_core.errors import BadInput, QueueFull
from viralreel_core.jobs import JobQueue, check_request
from viralreel_core.media.files import atomic_path
from viralreel_core.option_names import JOB_OPTIONS
from viralreel_core.text.script_text import read_script_file

__all__ = ["run_batch", "read_rows", "RESULT_COLUMNS"]

RESULT_COLUMNS = ("row", "topic", "status", "path", "seconds", "cost_usd", "message", "warnings", "job_id", "key")
_INT_OPTIONS = ("scenes", "length", "seed", "width", "height")
_COLUMNS = ("topic", "script", *(n for n in JOB_OPTIONS if n not in ("captions", "provider_options")))
_SCRIPT_FILES = (".txt", ".json", ".md")  # a one-line cell ending so names a file, never a one-scene script
POLL = 0.5


def _option(name: str, value: str, row: int) -> Any:
    if name in _INT_OPTIONS:
        try:
            return int(value)
        except ValueError:
            raise BadInput(f"Row {row}: {name} must be a whole number, not {value!r}.") from None
    if name == "transitions":
        if value.lower() not in ("true", "false", "yes", "no", "1", "0"):
            raise BadInput(f"Row {row}: transitions must be true or false, not {value!r}.")
        return value.lower() in ("true", "yes", "1")
    return value


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The CSV's rows as job params (``topic`` and ``options``) with their row number and a stable key."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = [c.strip() for c in reader.fieldnames or []]
            records = list(reader)
    except OSError as exc:
        raise BadInput(f"Cannot read {path} ({exc.strerror}).", hint="Give the path of a CSV file.") from exc
    if "topic" not in columns and "script" not in columns:
        raise BadInput(f"{path.name} has no 'topic' column.",
                       hint="The first line names the columns, e.g. topic,scenes,tone (or script, for your own "
                            "narration).")
    known = (*_COLUMNS, *_provider_columns())
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise BadInput(f"{path.name} has unknown column(s): {', '.join(unknown)}.",
                       hint=f"Columns are: {', '.join(known)}.")
    rows = []
    for number, record in enumerate(records, 1):
        values = {k.strip(): (v or "").strip() for k, v in record.items() if k}
        options = {k: v for k, v in values.items() if k not in ("topic", "script") and v}
        rows.append({"row": number, "topic": values.get("topic", ""), "script": values.get("script", ""),
                     "raw_options": options})
    return rows


def _script_text(cell: str, folder: Path, row: int) -> str | None:
    """A row's ``script`` cell as the script's text: a file's (relative to the CSV's folder) or the cell's own."""
    if not cell:
        return None
    if "\n" in cell.strip():
        return cell
    for place in (folder / cell, Path(cell)):
        if place.is_file():
            return read_script_file(place)
    if cell.lower().endswith(_SCRIPT_FILES):
        raise BadInput(f"Row {row}: the script file {cell} does not exist.",
                       hint="Give its path relative to the CSV's folder, or the narration itself.")
    return cell


def _provider_columns() -> list[str]:
    """The providers' own options a row may set (as the API: none naming a file)."""
    return [name for name in providers.option_defaults() if not name.endswith("_path")]


def _job_options(raw: dict[str, str], row: int) -> dict[str, Any]:
    """A row's cells as a job's options, the providers' own under ``provider_options``."""
    own = set(_provider_columns())
    options = {k: _option(k, v, row) for k, v in raw.items() if k not in own}
    if chosen := {k: v for k, v in raw.items() if k in own}:
        options["provider_options"] = chosen
    return options


def _key(topic: str, options: dict[str, Any], script: Any = None) -> str:
    parts = [topic, options] if script is None else [topic, options, script]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def _load_results(path: Path) -> dict[str, list[dict[str, str]]]:
    """An earlier run's results by key, each key's in row order (equal rows share a key)."""
    if not path.is_file():
        return {}
    by_key: dict[str, list[dict[str, str]]] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for result in csv.DictReader(handle):
            if result.get("key"):
                by_key.setdefault(result["key"], []).append(result)
    return by_key


def _take_done(previous: dict[str, list[dict[str, str]]], key: str) -> dict[str, str] | None:
    """An earlier result for ``key`` whose video still exists, each used once: two equal rows need two videos."""
    earlier = previous.get(key, [])
    while earlier:
        done = earlier.pop(0)
        if done.get("status") == "succeeded" and done.get("path") and Path(done["path"]).is_file():
            return done
    return None


def _write_results(path: Path, results: list[dict[str, Any]]) -> None:
    with atomic_path(path) as temp, open(temp, "w", newline="", encoding="utf-8") as handle:  # never half a file
        writer = csv.DictWriter(handle, fieldnames=RESULT_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(sorted(results, key=lambda r: int(r["row"])))


def _submit(queue: JobQueue, params: dict[str, Any], sleep: Callable[[float], None]) -> str:
    while True:
        try:
            return queue.submit("make", params).id
        except QueueFull as exc:  # wait for room rather than fail the row
            sleep(min(5.0, exc.retry_after))


def run_batch(queue: JobQueue, csv_path: Path, results_path: Path | None = None, *, show_progress: bool = True,
              sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    """Run every row not already done; the summary (counts and the results file)."""
    rows = read_rows(csv_path)
    results_path = results_path or csv_path.with_name(f"{csv_path.stem}_results.csv")
    previous = _load_results(results_path)
    results: dict[int, dict[str, Any]] = {}  # row number -> result row
    pending: dict[str, dict[str, Any]] = {}  # job id -> result row
    todo = []
    skipped = 0
    for row in rows:
        entry = {"row": row["row"], "topic": row["topic"], "status": "", "path": "", "seconds": "", "cost_usd": "",
                 "message": "", "warnings": "", "job_id": ""}
        try:
            options = _job_options(row["raw_options"], row["row"])
            asked: dict[str, Any] = {"topic": row["topic"], "options": options}
            script = _script_text(row["script"], csv_path.parent, row["row"])
            if script is not None:
                asked["script"] = script
            params = check_request("make", asked, queue.settings)
        except BadInput as exc:
            entry.update(key=_key(row["topic"], row["raw_options"], row["script"] or None), status="invalid",
                         message=str(exc))
            results[row["row"]] = entry
            continue
        if script is None:
            entry["key"] = _key(params["topic"], options)
        else:  # the narration itself keys the row: an edited script file is a new video
            entry["topic"] = params.get("topic") or params["script"]["topic"]
            entry["key"] = _key(entry["topic"], options, params["script"])
        done = _take_done(previous, entry["key"])
        if done is not None:
            results[row["row"]] = {**done, "row": row["row"]}
            skipped += 1
            continue
        results[row["row"]] = entry
        todo.append((entry, params))
    bar = tqdm(total=len(todo), desc="Batch", unit="video", file=sys.stderr, disable=not show_progress)
    try:
        for entry, params in todo:
            entry["job_id"] = _submit(queue, params, sleep)
            entry["status"] = "queued"
            pending[entry["job_id"]] = entry
        _write_results(results_path, list(results.values()))
        while pending:
            for job_id, entry in list(pending.items()):
                job = queue.get(job_id)
                if job is None or not job.finished:
                    continue
                result = job.result or {}
                entry.update(status=job.state, path=result.get("video_path") or "",
                             seconds=job.public()["seconds"] or "", cost_usd=result.get("cost_usd", ""),
                             message=result.get("message") if job.state == "succeeded"
                             else (job.error or {}).get("message", job.state),
                             warnings=" | ".join(result.get("warnings") or []))
                del pending[job_id]
                bar.update(1)
                bar.set_postfix_str(f"row {entry['row']}: {job.state}", refresh=True)
                _write_results(results_path, list(results.values()))
            if pending:
                sleep(POLL)
    except KeyboardInterrupt:  # stop the batch's paid work; rows left undone run on the next call
        for job_id, entry in pending.items():
            queue.cancel(job_id)
            entry.update(status="cancelled", message="The batch was interrupted.")
        _write_results(results_path, list(results.values()))
        raise
    finally:
        bar.close()
    counts: dict[str, int] = {}
    for entry in results.values():
        counts[entry["status"]] = counts.get(entry["status"], 0) + 1
    return {"results": str(results_path), "rows": len(rows), "skipped_as_done": skipped, "counts": counts,
            "ok": all(e["status"] == "succeeded" for e in results.values())}

