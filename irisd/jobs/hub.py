"""Live job states fanned out to WebSocket subscribers, without head-of-line blocking.

`publish()` never sends anything: it records the state in a small per-job history (only
for jobs someone is watching, so memory follows sockets, not the queue) and wakes the
subscribers. Each socket has its own handler task (api/ws.py) that then sends, in order,
every state it has not sent yet (so no seq is skipped), with a send timeout. A client that
stops reading therefore delays nobody else, and costs one flag and one integer however far
it falls behind. The hub knows nothing of sockets or frames: keepalives are api/keepalive.py's.
A resuming client (`?since=SEQ`) whose states are older than the history reads them from the
`job_events` table, which the engine writes in the same transaction as the job row.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from irisd.db import Database
from irisd.jobs import store
from irisd.jobs.model import LiveState
from irisd.metrics import Metrics

HISTORY = 64  # states kept per live job; a job has a few dozen


class Subscription:
    """One socket's interest in one job or in all of a user's jobs: a wake-up flag."""

    def __init__(self, hub: Hub, job_id: str | None, user_id: str | None) -> None:
        self.hub = hub
        self.job_id = job_id
        self.user_id = user_id
        self.changed = asyncio.Event()

    async def wait(self, timeout_s: float) -> bool:
        """True when woken (a change, or `wake()`), False after `timeout_s` without one."""
        try:
            # asyncio.timeout, not wait_for: on 3.11 wait_for wraps the wait in a new Task,
            # which at 2 keepalives/s per socket was the largest cost of idle watchers.
            async with asyncio.timeout(timeout_s):
                await self.changed.wait()
        except TimeoutError:
            return False
        finally:
            self.changed.clear()
        return True

    def wake(self) -> None:
        """End the socket's current `wait()` now (a change, shutdown, a keepalive it owes)."""
        self.changed.set()

    def close(self) -> None:
        self.hub.unsubscribe(self)


class Hub:
    """Subscriptions by job and by user, plus each live job's recent states."""

    def __init__(self, db: Database, metrics: Metrics) -> None:
        self.db = db
        self._history: dict[str, list[LiveState]] = {}
        self._by_job: dict[str, set[Subscription]] = defaultdict(set)
        self._by_user: dict[str, set[Subscription]] = defaultdict(set)
        self._count = 0
        self.closing = False
        metrics.gauge("irisd_websocket_connections", lambda: {(): float(self._count)})

    def publish(self, state: LiveState) -> None:
        """Record `state` and wake its subscribers (called right after the row is written)."""
        watchers = self._by_job.get(state.job_id, ())
        if watchers:
            history = self._history.setdefault(state.job_id, [])
            if history and state.seq <= history[-1].seq:
                return  # already published: the engine's catch-up re-reads the server's own
            if history and state.seq != history[-1].seq + 1:
                history.clear()  # a gap (another process wrote it): states_after reads the table
            history.append(state)
            del history[:-HISTORY]
        # Unwatched jobs (a queue of 1,000s) keep nothing here: job_events has every state.
        for sub in watchers:
            sub.wake()
        for sub in self._by_user.get(state.user_id, ()):
            sub.wake()

    def subscribe(self, *, job_id: str | None = None, user_id: str | None = None) -> Subscription:
        sub = Subscription(self, job_id, user_id)
        if job_id is not None:
            self._by_job[job_id].add(sub)
        if user_id is not None:
            self._by_user[user_id].add(sub)
        self._count += 1
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._count -= 1
        for index, key in ((self._by_job, sub.job_id), (self._by_user, sub.user_id)):
            if key is not None:
                index[key].discard(sub)
                if not index[key]:
                    del index[key]
        if sub.job_id is not None and sub.job_id not in self._by_job:
            self._history.pop(sub.job_id, None)  # its last watcher left

    async def states_after(self, job_id: str, seq: int) -> list[LiveState]:
        """Every state of `job_id` with a seq above `seq`, in order."""
        history = self._history.get(job_id, [])
        if history and history[0].seq <= seq + 1:
            return [state for state in history if state.seq > seq]
        return await store.states_after(self.db, job_id, seq)

    async def user_events_after(
        self, user_id: str, cursor: int, limit: int = 200
    ) -> list[tuple[int, LiveState]]:
        """(cursor, state) of every change to the user's jobs after `cursor` (job_events.id)."""
        return await store.user_events_after(self.db, user_id, cursor, limit)

    async def user_cursor(self) -> int:
        """The newest job_events id: where a fresh stream of a user's jobs starts."""
        return await store.last_event_id(self.db)

    @property
    def connections(self) -> int:
        return self._count

    @property
    def tracked_jobs(self) -> int:
        """Jobs whose recent states are held in memory: those with a socket watching them."""
        return len(self._history)

    def close(self) -> None:
        """Tell every socket to end (server shutdown): they close with 1001, clients reconnect."""
        self.closing = True
        for subs in (*self._by_job.values(), *self._by_user.values()):
            for sub in subs:
                sub.wake()
