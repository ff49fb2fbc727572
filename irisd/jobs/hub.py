"""Live job states fanned out to WebSocket subscribers, without head-of-line blocking.

`publish()` never sends anything: it records the state in a small per-job history and wakes
the subscribers. Each socket has its own handler task that then sends, in order, every state
it has not sent yet (so no seq is skipped), with a send timeout. A client that stops reading
therefore delays nobody else, and costs one flag and one integer however far it falls behind.
A resuming client (`?since=SEQ`) whose states are older than the history reads them from the
`job_events` table, which the engine writes in the same transaction as the job row.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import Iterable

from irisd.config import WsSettings
from irisd.db import Database
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
        """True when woken by a change, False after `timeout_s` without one."""
        try:
            await asyncio.wait_for(self.changed.wait(), timeout_s)
        except TimeoutError:
            return False
        finally:
            self.changed.clear()
        return True

    def close(self) -> None:
        self.hub.unsubscribe(self)


class Hub:
    """Subscriptions by job and by user, plus each live job's recent states."""

    def __init__(self, settings: WsSettings, db: Database, metrics: Metrics) -> None:
        self.settings = settings
        self.db = db
        self._history: dict[str, list[LiveState]] = {}
        self._by_job: dict[str, set[Subscription]] = defaultdict(set)
        self._by_user: dict[str, set[Subscription]] = defaultdict(set)
        self._count = 0
        metrics.gauge("irisd_websocket_connections", lambda: {(): float(self._count)})

    def publish(self, state: LiveState) -> None:
        """Record `state` and wake its subscribers (called right after the row is written)."""
        history = self._history.setdefault(state.job_id, [])
        if not history or state.seq > history[-1].seq:
            history.append(state)
            del history[:-HISTORY]
        for sub in self._by_job.get(state.job_id, ()):
            sub.changed.set()
        for sub in self._by_user.get(state.user_id, ()):
            sub.changed.set()
        if state.status.final and not self._by_job.get(state.job_id):
            # Finished and nobody watching: the row and job_events hold it from now on.
            self._history.pop(state.job_id, None)

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
            history = self._history.get(sub.job_id)
            if history and history[-1].status.final:
                del self._history[sub.job_id]

    async def states_after(self, job_id: str, seq: int) -> list[LiveState]:
        """Every state of `job_id` with a seq above `seq`, in order."""
        history = self._history.get(job_id, [])
        if history and history[0].seq <= seq + 1:
            return [state for state in history if state.seq > seq]
        rows = await self.db.fetchall(
            "SELECT state FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq",
            (job_id, seq),
        )
        return _states(row["state"] for row in rows)

    async def user_events_after(
        self, user_id: str, cursor: int, limit: int = 200
    ) -> list[tuple[int, LiveState]]:
        """(cursor, state) of every change to the user's jobs after `cursor` (job_events.id)."""
        rows = await self.db.fetchall(
            "SELECT e.id, e.state FROM job_events e JOIN jobs j ON j.id = e.job_id "
            "WHERE j.user_id = ? AND e.id > ? ORDER BY e.id LIMIT ?",
            (user_id, cursor, limit),
        )
        return [(int(row["id"]), LiveState.from_json(json.loads(row["state"]))) for row in rows]

    async def user_cursor(self) -> int:
        """The newest job_events id: where a fresh stream of a user's jobs starts."""
        row = await self.db.fetchone("SELECT COALESCE(MAX(id), 0) FROM job_events")
        return int(row[0]) if row else 0

    @property
    def connections(self) -> int:
        return self._count

    async def close(self) -> None:
        # Wake every socket so its handler notices the shutdown promptly.
        for subs in (*self._by_job.values(), *self._by_user.values()):
            for sub in subs:
                sub.changed.set()


def _states(texts: Iterable[str]) -> list[LiveState]:
    return [LiveState.from_json(json.loads(text)) for text in texts]
