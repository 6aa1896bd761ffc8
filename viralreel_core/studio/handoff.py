"""How a ``Studio`` hands its voices, clips and renders to the job queue and takes them back.

``QueuedSteps`` is the part of ``Studio`` that knows the engine: whether a step's work may go to the
queue (it may unless it needs a key the visitor typed: such work stays in this process), the job's
params, following it (also after a reload or a restart: the job ids are saved with the project), and
turning its JSON result back into what the step applies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from viralreel_core.models import Clip, VoiceTrack
from viralreel_core.run.pipeline import Pipeline
from viralreel_core.run.tally import RunTally
from viralreel_core.studio.assets import Made
from viralreel_core.studio.live import workspace_key
from viralreel_core.studio.step_jobs import StepJob
from viralreel_core.text.placeholders import is_draft_warning

if TYPE_CHECKING:
    from viralreel_core.studio.engine import StudioEngine

__all__ = ["QueuedSteps"]

_INTERNAL = ("tally", "notices", "warnings")  # result fields the studio takes itself, not the step's apply


class QueuedSteps:
    """Mixed into ``Studio``: its queued jobs (``queued``: step → job id, saved with the project)."""

    engine: StudioEngine | None
    key_sources: dict[str, str]  # per service: "typed", "owner" or "" (set at the edge; never the keys)
    queued: dict[str, str]

    # provided by Studio
    id: str
    jobs: Any
    tally: RunTally
    notices: list[str]
    errors: dict[str, list[str]]
    config: Any
    wallet: Any
    _redact: Callable[[str], str]

    @property
    def workspace(self) -> str:
        return workspace_key(self.config.projects_dir)

    def key_source(self, pipeline: Pipeline, step: str) -> str | None:
        """Whose keys a queued job of ``step`` would use: "owner", "none", or None when the work needs a
        key the visitor typed (it then runs in this process: a typed key never leaves its memory)."""
        if self.engine is None:
            return None
        if step == "assemble":
            return "none"  # a render uses the files made already; it calls no service
        provider = pipeline.provider(step)
        if provider.offline or not provider.service:
            return "none"
        source = self.key_sources.get(provider.service, "")
        return None if source == "typed" else "owner" if source == "owner" else "none"

    def _who(self, job: StepJob, source: str) -> dict[str, str]:
        """What a queued job says about whose it is: project, label, workspace, and whose keys it uses."""
        return {"project_id": self.id, "label": job.label, "workspace": self.workspace, "keys": source}

    def _start_queued(self, job: StepJob, kind: str, params: Mapping[str, Any], apply: Callable[[Any], None],
                      uids: Iterable[str], reserved: float | None) -> StepJob:
        assert self.engine is not None
        try:
            record = self.engine.submit(kind, params)
        except BaseException:  # e.g. the queue is full: nothing was spent, so nothing stays reserved
            if reserved is not None and self.wallet.budget is not None:
                self.wallet.budget.settle(reserved, 0.0)
            raise
        self.queued[job.step] = record.id
        return self._follow(job, record.id, apply, uids, reserved)

    def _follow(self, job: StepJob, job_id: str, apply: Callable[[Any], None], uids: Iterable[str],
                reserved: float | None = None) -> StepJob:
        engine, workspace = self.engine, self.workspace
        assert engine is not None
        watch = engine.follow(job_id, workspace)
        budget = self.wallet.budget if reserved is not None else None
        job._cancel = lambda: engine.cancel(job_id, workspace)

        def run(job: StepJob) -> Any:
            data = None
            try:
                data = watch(job)
                return data
            finally:  # settle what the job spent; unknown (it failed) counts as the whole reservation
                if budget is not None:
                    spent = ((data or {}).get("tally") or {}).get("spent_usd")
                    budget.settle(reserved or 0.0, (reserved or 0.0) if spent is None else float(spent))

        def applied(data: dict[str, Any]) -> None:
            self.tally.add(RunTally.from_dict(data.get("tally") or {}))
            self.notices.extend(self._redact(line) for line in data.get("notices") or []
                                if not is_draft_warning(line))  # the Script page counts a draft's places itself
            apply(_loaded(job.step, data))

        self.errors.pop(job.step, None)
        return self.jobs.start(job, run, applied, uids)

    def _reattach(self, jobs: Mapping[str, str]) -> None:
        """Follow the project's queued jobs again (a reload, or a studio restarted while they ran)."""
        self.queued = {}
        if self.engine is None:
            return
        for step, job_id in jobs.items():
            record = self.engine.record(str(job_id), self.workspace)  # another workspace's id: nothing
            if record is None:
                continue
            if record.state == "cancelled":  # stopped earlier (and said so then): what it made is kept, quietly
                if isinstance(record.result, Mapping) and record.result:
                    self.tally.add(RunTally.from_dict(record.result.get("tally") or {}))
                    self._applier(step)(_loaded(step, record.result))
                    self.errors.pop(step, None)  # the scenes the stop left unmade are no failures
                continue
            params = record.params
            if step == "assemble":
                job = StepJob(step, str(params.get("label") or "Rendering"),
                              range(1, len(params.get("media") or []) + 1), per_scene=True)
            else:
                job = StepJob(step, str(params.get("label") or "Working"),
                          [int(scene["number"]) for _, scene in params.get("scenes") or []])
            self.queued[step] = record.id
            self._follow(job, record.id, self._applier(step), params.get("uids") or [])

    def _applier(self, step: str) -> Callable[[Any], None]:
        raise NotImplementedError  # Studio: the step's apply


def _loaded(step: str, data: Mapping[str, Any]) -> Any:
    """A queued job's JSON result as the step's apply takes it (the in-process work's return value)."""
    if step == "assemble":
        return {k: v for k, v in data.items() if k not in _INTERNAL}
    kind = VoiceTrack if step == "voice" else Clip
    made = {str(uid): Made.from_dict(m, kind) for uid, m in (data.get("made") or {}).items()}
    return made, list(data.get("skipped_scenes") or [])
