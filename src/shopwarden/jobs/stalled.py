"""Jobs a dead worker left `doing`: found by its missing heartbeat and put back in the queue.

procrastinate records which worker runs each job and each worker's heartbeat (every 10 s), but it
never re-runs a job by itself: after a `kill -9` (or an out-of-memory kill, or a lost machine) the
job stays `doing` forever and, for a growth cycle, its lock keeps the slot from ever running again.
`shopwarden worker` runs `keep_retrying_stalled` beside its jobs: every few seconds, each job held by
a worker whose heartbeat is older than `STALLED_AFTER_SECONDS` goes back to `todo`.

The retry is a compare-and-set on (status `doing`, the same worker): two workers that find the same
stalled job retry it once, and a job that another worker has fetched since is never reset under it.
What the retried job then finds is the job's own business (a cycle continues from its checkpoint, an
approved execution meets the gate's compare-and-set and recovery).
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from procrastinate import App
from procrastinate.exceptions import ProcrastinateException

from shopwarden.jobs.worker import QUEUE

log = logging.getLogger(__name__)

STALLED_AFTER_SECONDS = 30.0  # procrastinate's own stalled-worker timeout: three missed heartbeats
EVERY_SECONDS = 5.0

# A twin already queued under the same queueing lock (the periodic schedule deferred the slot again
# while this job ran) does the work instead: this one is marked failed, else the two would wait on
# each other (the twin on this job's lock, this job on the twin's queueing lock).
_RETRY = """
UPDATE procrastinate_jobs AS job
   SET status = CASE WHEN EXISTS (SELECT 1 FROM procrastinate_jobs AS twin
                                   WHERE twin.queueing_lock = job.queueing_lock AND twin.status = 'todo')
                     THEN 'failed'::procrastinate_job_status ELSE 'todo'::procrastinate_job_status END,
       attempts = job.attempts + 1, scheduled_at = NOW()
 WHERE job.id = %(job_id)s AND job.status = 'doing' AND job.worker_id IS NOT DISTINCT FROM %(worker_id)s
RETURNING job.id, job.status
"""


async def retry_stalled(app: App, *, stalled_after: float = STALLED_AFTER_SECONDS) -> list[int]:
    """Put every job of a silent worker back in the queue; returns the ids this call settled."""
    stalled = await app.job_manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=stalled_after)
    retried = []
    for job in stalled:
        rows = await app.connector.execute_query_all_async(_RETRY, job_id=job.id, worker_id=job.worker_id)
        if rows:  # else another worker retried it first, or it finished meanwhile
            log.warning("job %s (%s) was left running by a worker that stopped: %s", job.id, job.task_name,
                        "queued again" if rows[0]["status"] == "todo" else "superseded by the same job queued since")
            retried.append(int(rows[0]["id"]))
    return retried


async def keep_retrying_stalled(app: App, stop: asyncio.Event, *, every_seconds: float = EVERY_SECONDS,
                                stalled_after: float = STALLED_AFTER_SECONDS) -> None:
    """`retry_stalled` every `every_seconds` until `stop` is set; a failed round never ends the loop."""
    while not stop.is_set():
        try:
            await retry_stalled(app, stalled_after=stalled_after)
        except (ProcrastinateException, OSError) as exc:  # database trouble: the next round tries again
            log.error("looking for stalled jobs failed: %s", exc)
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every_seconds)
