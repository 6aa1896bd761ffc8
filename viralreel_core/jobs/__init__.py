"""Jobs: long work (a script, voices, clips, a render, a whole make) with an id, a state, live progress,
a result or an error that says what to do — kept in a SQLite file or in Redis, run by worker threads here
or by worker processes anywhere.

    queue = JobQueue(queue_config(), settings_from_env())  # read at the edge: VIRALREEL_QUEUE_URL picks the backend
    queue.start(concurrency=1)    # worker threads in this process (the embedded default)
    job = queue.submit("make", {"topic": "Why cats purr", "options": {"scenes": 3}})
    queue.wait(job.id).result["video_path"]
"""

from viralreel_core.errors import JobCancelled, QueueFull
from viralreel_core.jobs.options import (
           check_provider_options,
           check_request,
           script_from,
           script_to_api,
           settings_for,
)
from viralreel_core.jobs.queue import DEFAULT_DB, JobQueue, QueueConfig
from viralreel_core.jobs.records import FINISHED, KINDS, MAX_ATTEMPTS, STATES, Job

__all__ = ["DEFAULT_DB", "FINISHED", "KINDS", "MAX_ATTEMPTS", "STATES", "Job", "JobCancelled",
           "JobQueue", "QueueConfig", "QueueFull", "check_provider_options", "check_request", "script_from",
           "script_to_api", "settings_for"]
