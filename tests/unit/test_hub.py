"""The hub's per-job history (what `?since=` resumes from)."""

from __future__ import annotations

import json
from pathlib import Path

from irisd.db import open_database
from irisd.jobs.hub import Hub
from irisd.jobs.model import JobStatus, LiveState
from irisd.metrics import Metrics


def state(seq: int) -> LiveState:
    return LiveState("job", "user", "photo", JobStatus.PENDING, seq=seq, queue_position=seq)


async def test_republished_states_wake_nobody_and_gaps_fall_back_to_the_table(
    tmp_path: Path,
) -> None:
    db = await open_database(tmp_path / "irisd.db")
    try:
        await db.fetchall("PRAGMA foreign_keys = OFF")  # events without user/photo/job rows
        hub = Hub(db, Metrics())
        sub = hub.subscribe(job_id="job")
        for seq in (1, 2):
            hub.publish(state(seq))
        sub.changed.clear()

        hub.publish(state(2))  # the engine's catch-up brings the server's own state again
        assert not sub.changed.is_set()
        assert [s.seq for s in await hub.states_after("job", 0)] == [1, 2]

        hub.publish(state(4))  # 3 came from another process: only the table has it
        assert sub.changed.is_set()
        await db.execute(
            "INSERT INTO job_events (job_id, seq, state) VALUES (?, ?, ?)",
            ("job", 3, json.dumps(state(3).to_json())),
        )
        await db.execute(
            "INSERT INTO job_events (job_id, seq, state) VALUES (?, ?, ?)",
            ("job", 4, json.dumps(state(4).to_json())),
        )
        assert [s.seq for s in await hub.states_after("job", 2)] == [3, 4]
    finally:
        await db.close()
