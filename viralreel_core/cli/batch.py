"""``python -m viralreel_core batch topics.csv``: one job per row, a progress bar, a results CSV.

Columns: ``topic``, the job options (``scenes``, ``tone``, ``aspect``, ``music``…) and the providers' own
options (``image_model``, ``runway_model``…; not the ones naming a file, which a worker may not have).
Rows are checked before any job starts (a bad row is reported, the others run). The results CSV is
rewritten whole after every finished row; a rerun skips rows whose video was made and still exists.
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
from viralreel_core.jobs import OPTION_NAMES, JobQueue, check_request
from viralreel_core.media.files import atomic_path

__all__ = ["run_batch", "read_rows", "RESULT_COLUMNS"]

RESULT_COLUMNS = ("row", "topic", "status", "path", "seconds", "cost_usd", "message", "warnings", "job_id", "key")
_INT_OPTIONS = ("scenes", "seed", "width", "height")
_COLUMNS = ("topic", *(n for n in OPTION_NAMES if n not in ("captions", "provider_options")))
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
    if "topic" not in columns:
        raise BadInput(f"{path.name} has no 'topic' column.",
                       hint="The first line names the columns, e.g. topic,scenes,tone.")
    known = (*_COLUMNS, *_provider_columns())
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise BadInput(f"{path.name} has unknown column(s): {', '.join(unknown)}.",
                       hint=f"Columns are: {', '.join(known)}.")
    rows = []
    for number, record in enumerate(records, 1):
        values = {k.strip(): (v or "").strip() for k, v in record.items() if k}
        options = {k: v for k, v in values.items() if k != "topic" and v}
        rows.append({"row": number, "topic": values.get("topic", ""), "raw_options": options})
    return rows


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


def _key(topic: str, options: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps([topic, options], sort_keys=True).encode()).hexdigest()[:16]


def _load_results(path: Path) -> dict[str, dict[str, str]]:
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8") as handle:
        return {r["key"]: r for r in csv.DictReader(handle) if r.get("key")}


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
    results: dict[str, dict[str, Any]] = {}
    pending: dict[str, dict[str, Any]] = {}  # job id -> result row
    todo = []
    for row in rows:
        entry = {"row": row["row"], "topic": row["topic"], "status": "", "path": "", "seconds": "", "cost_usd": "",
                 "message": "", "warnings": "", "job_id": ""}
        try:
            options = _job_options(row["raw_options"], row["row"])
            params = check_request("make", {"topic": row["topic"], "options": options}, queue.settings)
        except BadInput as exc:
            entry.update(key=_key(row["topic"], row["raw_options"]), status="invalid", message=str(exc))
            results[entry["key"]] = entry
            continue
        entry["key"] = _key(params["topic"], options)
        done = previous.get(entry["key"])
        if done and done.get("status") == "succeeded" and done.get("path") and Path(done["path"]).is_file():
            results[entry["key"]] = {**done, "row": row["row"]}
            continue
        results[entry["key"]] = entry
        todo.append((entry, params))
    skipped = len(rows) - len(todo)
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

