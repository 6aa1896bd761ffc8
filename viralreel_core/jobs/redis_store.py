"""Job records in Redis: one hash per job, a set per state, a sorted set by creation time.

Every state change is one Lua script, so it is atomic across any number of worker machines.
Notes are a list beside the hash (appending needs no read-modify-write).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from viralreel_core.errors import ViralReelError
from viralreel_core.jobs.records import FINISHED, STATES, Job
from viralreel_core.jobs.store import WORKER_FORGET_SECONDS, JobStore

__all__ = ["RedisJobStore"]

_NULL = "\0null"  # a change to None deletes the field

_ADD = """
if tonumber(ARGV[1]) > 0 and redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[1]) then return 0 end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
local id = redis.call('HGET', KEYS[1], 'id')
redis.call('ZADD', KEYS[2], redis.call('HGET', KEYS[1], 'created_at'), id)
redis.call('SADD', KEYS[3], id)
return 1
"""

# KEYS: job hash, sorted set of jobs, state-set prefix, notes list; ARGV: the job's id
_DELETE = """
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'succeeded' and state ~= 'failed' and state ~= 'cancelled' then return 0 end
redis.call('DEL', KEYS[1], KEYS[4])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3] .. state, ARGV[1])
return 1
"""

# KEYS: job hash, state-set prefix, notes list; ARGV: from-states, worker, note, then field/value pairs
_TRANSITION = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return false end
if not string.find(',' .. ARGV[1] .. ',', ',' .. state .. ',', 1, true) then return false end
if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], 'worker') ~= ARGV[2] then return false end
for i = 4, #ARGV, 2 do
  if ARGV[i + 1] == '""" + _NULL + """' then redis.call('HDEL', KEYS[1], ARGV[i])
  else redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
local new = redis.call('HGET', KEYS[1], 'state')
if new ~= state then
  local id = redis.call('HGET', KEYS[1], 'id')
  redis.call('SREM', KEYS[2] .. state, id)
  redis.call('SADD', KEYS[2] .. new, id)
end
if ARGV[3] ~= '' then redis.call('RPUSH', KEYS[3], ARGV[3]) end
return redis.call('HGETALL', KEYS[1])
"""


def _flat(job_values: dict[str, Any]) -> list[str]:
    pairs: list[str] = []
    for name, value in job_values.items():
        pairs += [name, _NULL if value is None else str(value)]
    return pairs


class RedisJobStore(JobStore):
    """Records under ``viralreel:<name>:`` in the Redis at ``url``."""

    def __init__(self, url: str, name: str = "viralreel") -> None:
        import redis

        self.prefix = f"viralreel:{name}:"
        try:
            self.redis = redis.Redis.from_url(url, decode_responses=True)
            self.redis.ping()
        except (redis.RedisError, ValueError) as exc:
            raise ViralReelError(f"Cannot reach the job queue's Redis ({type(exc).__name__}).",
                                 hint="Start redis-server or fix VIRALREEL_QUEUE_URL (redis://host:port/db).") from exc
        self._add = self.redis.register_script(_ADD)
        self._move = self.redis.register_script(_TRANSITION)
        self._drop = self.redis.register_script(_DELETE)

    def _key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def _row(self, job: Job) -> dict[str, Any]:
        row = job.to_row()
        row.pop("notes")
        return {k: v for k, v in row.items() if v is not None}

    def add(self, job: Job, limit: int) -> bool:
        keys = [self._key("job", job.id), self._key("jobs"), self._key("state", "queued")]
        return bool(self._add(keys=keys, args=[limit, *_flat(self._row(job))]))

    def _jobs(self, ids: list[str]) -> list[Job]:
        pipe = self.redis.pipeline(transaction=False)
        for job_id in ids:
            pipe.hgetall(self._key("job", job_id))
            pipe.lrange(self._key("notes", job_id), 0, -1)
        replies = pipe.execute()
        return [Job.from_row({**row, "notes": notes})
                for row, notes in zip(replies[::2], replies[1::2], strict=True) if row]

    def get(self, job_id: str) -> Job | None:
        found = self._jobs([job_id])
        return found[0] if found else None

    def list(self, limit: int = 50) -> list[Job]:
        return self._jobs(self.redis.zrevrange(self._key("jobs"), 0, max(0, limit - 1)))

    def counts(self) -> dict[str, int]:
        pipe = self.redis.pipeline(transaction=False)
        for state in STATES:
            pipe.scard(self._key("state", state))
        return dict(zip(STATES, pipe.execute(), strict=True))

    def running(self) -> list[Job]:
        return self._jobs(sorted(self.redis.smembers(self._key("state", "running"))))

    def in_states(self, states: Iterable[str]) -> list[Job]:
        ids = set().union(*(self.redis.smembers(self._key("state", s)) for s in states))
        return sorted(self._jobs(sorted(ids)), key=lambda job: job.created_at)

    def _finished_times(self) -> list[tuple[str, float | None]]:
        ids = sorted(set().union(*(self.redis.smembers(self._key("state", s)) for s in FINISHED)))
        pipe = self.redis.pipeline(transaction=False)
        for job_id in ids:
            pipe.hget(self._key("job", job_id), "finished_at")
        return [(job_id, float(ended) if ended else None) for job_id, ended in zip(ids, pipe.execute(), strict=True)]

    def _delete(self, job_ids: list[str]) -> int:
        return sum(int(self._drop(keys=[self._key("job", job_id), self._key("jobs"), self._key("state", ""),
                                        self._key("notes", job_id)], args=[job_id])) for job_id in job_ids)

    def _transition(self, job_id: str, from_states: Iterable[str], worker: str | None,
                    changes: dict[str, Any], note: str | None = None) -> Job | None:
        values = {}
        for name, value in changes.items():
            if name in Job.JSON_FIELDS:
                value = json.dumps(value, ensure_ascii=False)
            elif isinstance(value, bool):
                value = int(value)
            values[name] = value
        keys = [self._key("job", job_id), self._key("state", ""), self._key("notes", job_id)]
        reply = self._move(keys=keys, args=[",".join(from_states), worker or "", note or "", *_flat(values)])
        if not reply:
            return None
        row = dict(zip(reply[::2], reply[1::2], strict=True))
        return Job.from_row({**row, "notes": self.redis.lrange(self._key("notes", job_id), 0, -1)})

    def worker_seen(self, worker_id: str, info: dict[str, Any]) -> None:
        now = time.time()
        self.redis.hset(self._key("workers"), worker_id, json.dumps({**info, "last_seen": now}))
        for other, raw in self.redis.hgetall(self._key("workers")).items():
            if json.loads(raw).get("last_seen", 0) < now - WORKER_FORGET_SECONDS:
                self.redis.hdel(self._key("workers"), other)

    def worker_gone(self, worker_id: str) -> None:
        self.redis.hdel(self._key("workers"), worker_id)

    def workers(self) -> list[dict[str, Any]]:
        found = [{**json.loads(raw), "id": wid} for wid, raw in self.redis.hgetall(self._key("workers")).items()]
        return sorted(found, key=lambda w: w["id"])

    def close(self) -> None:
        self.redis.close()
