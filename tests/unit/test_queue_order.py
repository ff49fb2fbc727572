"""The queue in the jobs table: single before batch, batch in photo order, FIFO otherwise.

Real SQLite files in tmp_path (store's SQL is the thing under test); no server, no sockets.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from irisd.db import Database, now
from irisd.errors import TooManyRequests
from irisd.jobs import progress, store
from irisd.jobs.model import JobStatus, LiveState
from irisd.jobs.store import BATCH_PRIORITY, SINGLE_PRIORITY
from tests.support.queue_db import seeded

USER = "u1"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await seeded(tmp_path / "irisd.db", {USER: [f"p{n}" for n in range(12)]})
    yield database
    await database.close()


async def submit(db: Database, photos: list[str], priority: int, limit: int = 100) -> list[str]:
    records, _ = await store.insert(db, USER, photos, priority, limit)
    return [record.state.job_id for record in records]


async def claim_all(db: Database) -> list[str]:
    claimed: list[str] = []
    while True:
        state, _ = await store.claim_next(db)
        if state is None:
            return claimed
        claimed.append(state.photo_id)


async def test_single_submit_goes_before_batch_and_batch_keeps_photo_order(db: Database) -> None:
    await submit(db, ["p3", "p1", "p2"], BATCH_PRIORITY)
    await submit(db, ["p9"], SINGLE_PRIORITY)
    await submit(db, ["p5", "p4"], BATCH_PRIORITY)
    await submit(db, ["p8"], SINGLE_PRIORITY)
    assert await claim_all(db) == ["p9", "p8", "p3", "p1", "p2", "p5", "p4"]


async def test_queue_positions_are_one_based_in_claim_order_and_decrease(db: Database) -> None:
    batch = await submit(db, ["p1", "p2", "p3"], BATCH_PRIORITY)
    [single] = await submit(db, ["p4"], SINGLE_PRIORITY)
    positions = {s.job_id: s.queue_position for s in await pending(db)}
    assert positions == {single: 1, batch[0]: 2, batch[1]: 3, batch[2]: 4}
    claimed, moved = await store.claim_next(db)
    assert claimed is not None
    assert claimed.job_id == single
    assert claimed.queue_position is None
    assert claimed.status is JobStatus.PROCESSING
    assert claimed.attempt == 1
    assert {s.job_id: s.queue_position for s in moved} == {
        batch[0]: 1,
        batch[1]: 2,
        batch[2]: 3,
    }


async def test_new_single_submit_moves_batch_jobs_back(db: Database) -> None:
    batch = await submit(db, ["p1", "p2"], BATCH_PRIORITY)
    [new], changed = await store.insert(db, USER, ["p3"], SINGLE_PRIORITY, 100)
    by_id = {s.job_id: s.queue_position for s in changed}
    assert by_id == {new.state.job_id: 1, batch[0]: 2, batch[1]: 3}


async def test_insert_returns_each_new_job_as_it_is_stored(db: Database) -> None:
    await submit(db, ["p1"], SINGLE_PRIORITY)
    records, _ = await store.insert(db, USER, ["p3", "p2"], BATCH_PRIORITY, 100)
    assert [r.state.photo_id for r in records] == ["p3", "p2"]
    for record in records:
        assert record == await store.fetch_for_user(db, USER, record.state.job_id)
    assert [r.state.queue_position for r in records] == [2, 3]


async def test_full_queue_refuses_and_inserts_nothing(db: Database) -> None:
    await submit(db, ["p1", "p2"], BATCH_PRIORITY, limit=3)
    with pytest.raises(TooManyRequests):
        await submit(db, ["p3", "p4"], BATCH_PRIORITY, limit=3)
    assert await store.pending_count(db) == 2


async def test_cancel_pending_drops_it_and_moves_the_rest_up(db: Database) -> None:
    _first, second, third = await submit(db, ["p1", "p2", "p3"], BATCH_PRIORITY)
    cancelled, moved = await store.cancel_pending(db, second)
    assert cancelled is not None
    assert cancelled.status is JobStatus.FAILED
    assert cancelled.error_type == "cancelled"
    assert {s.job_id: s.queue_position for s in moved} == {third: 2}
    assert await claim_all(db) == ["p1", "p3"]
    again, _ = await store.cancel_pending(db, second)
    assert again is None  # no longer pending: nothing to drop


async def test_every_seq_is_one_job_event_and_the_row_has_the_last(db: Database) -> None:
    [job_id] = await submit(db, ["p1"], SINGLE_PRIORITY)
    await submit(db, ["p2"], SINGLE_PRIORITY)
    state, _ = await store.claim_next(db)
    assert state is not None
    rows = await db.fetchall("SELECT seq, state FROM job_events WHERE job_id = ?", (job_id,))
    assert [r["seq"] for r in rows] == [1, 2]
    assert LiveState.from_json(json.loads(rows[-1]["state"])) == state
    assert await store.fetch(db, job_id) == state


async def test_quality_notes_are_a_json_list_in_the_row_and_null_when_none(db: Database) -> None:
    notes = ("Part of the iris was hidden by the eyelid and has been completed.",)
    [noted, clean] = await submit(db, ["p1", "p2"], SINGLE_PRIORITY)
    for job_id, given in ((noted, notes), (clean, ())):
        state, _ = await store.claim_next(db)
        assert state is not None
        assert state.job_id == job_id
        done = progress.completed(
            state,
            result_key="r",
            mask_key="m",
            size=(8, 8),
            quality_score=0.5,
            quality_notes=given,
            processing_time_ms=1,
            now=now(),
        )
        assert await store.save_state(db, done)
        assert await store.fetch(db, job_id) == done
        assert (await store.states_after(db, job_id, done.seq - 1)) == [done]
    rows = await db.fetchall("SELECT id, quality_notes FROM jobs")
    assert {r["id"]: r["quality_notes"] for r in rows} == {
        noted: json.dumps(list(notes)),
        clean: None,
    }


async def test_a_stale_state_is_not_written(db: Database) -> None:
    [_job_id] = await submit(db, ["p1"], SINGLE_PRIORITY)
    state, _ = await store.claim_next(db)
    assert state is not None
    assert await store.save_state(db, state) is False  # same seq again: stale


async def test_restart_requeues_a_first_attempt_and_fails_a_retry(db: Database) -> None:
    first, second = await submit(db, ["p1", "p2"], BATCH_PRIORITY)
    await store.claim_next(db)
    claimed, _ = await store.claim_next(db)
    assert claimed is not None
    await db.execute("UPDATE jobs SET attempt_count = 2 WHERE id = ?", (second,))
    requeued, failed = await store.recover_on_start(db)
    assert [s.job_id for s in requeued] == [first]
    assert requeued[0].status is JobStatus.PENDING
    assert requeued[0].queue_position == 1
    assert [(s.job_id, s.error_type) for s in failed] == [(second, "server_error")]
    again, _ = await store.claim_next(db)
    assert again is not None
    assert (again.job_id, again.attempt) == (first, 2)  # the retry is counted


async def pending(db: Database) -> list[LiveState]:
    rows = await db.fetchall("SELECT * FROM jobs WHERE status = 'pending'")
    return [store.state_of(r) for r in rows]
