"""A studio server process for restart tests: the real app (``streamlit_app.py`` through AppTest, so its
engine, worker threads and autosave run in *this* process), one visitor who starts clips that wait.

    python -m tests.fakes.studio_process     # prints {"token", "job_id"} once the clips job runs, then waits

The test kills it (``kill -9``) mid-job and starts the studio again in its own process.
"""

from __future__ import annotations

import json
import sys
import time

import tests.conftest  # noqa: F401 - registers the fake providers, as in the tests
from tests.fakes.providers import FakeClipMaker, FakeScriptWriter, FakeVoice, SlowClipMaker
from tests.test_studio_app import page, use_fakes, write_and_accept
from tests.test_studio_sharing import visit


def main() -> None:
    for fake in (FakeScriptWriter, FakeVoice, FakeClipMaker, SlowClipMaker):
        fake.reset()
    at = use_fakes(visit())
    write_and_accept(at)
    at.selectbox(key="sidebar_clip_provider").select("slow").run()  # scenes 2 and 3 wait until released
    page(at, "clips").button(key="make_clips").click().run()
    studio = at.session_state["studio"]
    job_id = studio.queued["clips"]
    queue = studio.engine.queue
    while queue.get(job_id).state != "running":
        time.sleep(0.05)
    page(at, "clips")  # one more run: the autosave at its end holds the job id
    print(json.dumps({"token": at.query_params["ws"], "job_id": job_id, "project_id": studio.id}), flush=True)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    sys.exit(main())
