"""Users take turns inside a priority, each has a limit on waiting jobs, and a repeated
reprocess of a waiting photo is that job. Real SQLite files in tmp_path; no server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from irisd.db import Database
from irisd.errors import TooManyRequests
from irisd.jobs import store
from irisd.jobs.store import BATCH_PRIORITY, SINGLE_PRIORITY
from irisd.jobs.store.fairness import UserQueueFull
from tests.support.queue_db import seeded

USERS = ("a", "b", "c")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    photos = {user: [f"{user}{n}" for n in range(40)] for user in USERS}
    database = await seeded(tmp_path / "irisd.db", photos)
    yield database
    await database.close()


async def queue(db: Database, user: str, photos: list[str], priority: int = SINGLE_PRIORITY,
                limit: int = 1000, user_limit: int = 0) -> None:  # fmt: skip
    await store.insert(db, user, photos, priority, limit, user_limit)


async def claim(db: Database) -> str:
    state, _ = await store.claim_next(db)
    assert state is not None
    return state.photo_id


async def test_one_users_thirty_reprocesses_do_not_hold_back_anothers_first_submit(
    db: Database,
) -> None:
    for n in range(30):
        await queue(db, "a", [f"a{n}"])
    await queue(db, "b", ["b0"])
    assert [await claim(db), await claim(db)] == ["a0", "b0"]


async def test_users_take_turns_in_arrival_order_within_each_round(db: Database) -> None:
    await queue(db, "a", ["a0", "a1", "a2"])
    await queue(db, "b", ["b0", "b1"])
    await queue(db, "c", ["c0"])
    claimed = [await claim(db) for _ in range(6)]
    assert claimed == ["a0", "b0", "c0", "a1", "b1", "a2"]


async def test_a_user_submitting_one_at_a_time_alternates_with_a_backlog(db: Database) -> None:
    await queue(db, "a", [f"a{n}" for n in range(6)])
    claimed = []
    for n in range(4):
        await queue(db, "b", [f"b{n}"])  # b submits its next photo as soon as one is taken
        claimed += [await claim(db), await claim(db)]
    assert claimed == ["a0", "b0", "a1", "b1", "a2", "b2", "a3", "b3"]


async def test_a_newcomer_joins_the_round_being_served_not_the_front(db: Database) -> None:
    await queue(db, "a", [f"a{n}" for n in range(4)])
    await queue(db, "b", [f"b{n}" for n in range(4)])
    assert [await claim(db) for _ in range(3)] == ["a0", "b0", "a1"]
    await queue(db, "c", ["c0"])  # after b1, which waits in the round being served
    assert [await claim(db) for _ in range(4)] == ["b1", "c0", "a2", "b2"]


async def test_single_still_goes_before_batch_and_a_batch_keeps_its_order(db: Database) -> None:
    await queue(db, "a", ["a3", "a1", "a2"], BATCH_PRIORITY)
    await queue(db, "b", ["b9"], BATCH_PRIORITY)
    await queue(db, "c", ["c5"])
    assert [await claim(db) for _ in range(5)] == ["c5", "a3", "b9", "a1", "a2"]


async def test_queue_positions_follow_the_turns(db: Database) -> None:
    await queue(db, "a", ["a0", "a1"])
    records, _ = await store.insert(db, "b", ["b0"], SINGLE_PRIORITY, 1000)
    assert records[0].state.queue_position == 2


async def test_a_user_past_their_limit_gets_429_and_others_still_get_in(db: Database) -> None:
    await queue(db, "a", ["a0", "a1", "a2"], user_limit=3)
    with pytest.raises(UserQueueFull) as refused:
        await queue(db, "a", ["a3"], user_limit=3)
    assert isinstance(refused.value, TooManyRequests)
    assert refused.value.status == 429
    assert "wait for some of them to finish" in refused.value.text
    await queue(db, "b", ["b0"], user_limit=3)
    assert await store.pending_count(db) == 4


async def test_a_repeated_reprocess_of_a_waiting_photo_is_that_job(db: Database) -> None:
    first, new, _ = await store.insert_unless_pending(db, "a", "a0", SINGLE_PRIORITY, 1000)
    again, new_again, _ = await store.insert_unless_pending(db, "a", "a0", SINGLE_PRIORITY, 1000)
    assert new
    assert not new_again
    assert again.state.job_id == first.state.job_id
    assert await store.pending_count(db) == 1
    await claim(db)  # running now: asking again queues a new run
    later, new_later, _ = await store.insert_unless_pending(db, "a", "a0", SINGLE_PRIORITY, 1000)
    assert new_later
    assert later.state.job_id != first.state.job_id


async def test_a_batch_takes_turns_with_another_users_singles(db: Database) -> None:
    for n in range(30):
        await queue(db, "a", [f"a{n}"])
    records, _ = await store.insert(db, "b", ["b0", "b1"], BATCH_PRIORITY, 1000)
    assert [r.state.queue_position for r in records] == [2, 4]
    assert [await claim(db) for _ in range(5)] == ["a0", "b0", "a1", "b1", "a2"]


async def test_singles_take_turns_with_another_users_batch(db: Database) -> None:
    await queue(db, "a", [f"a{n}" for n in range(10)], BATCH_PRIORITY)
    for n in range(3):
        await queue(db, "b", [f"b{n}"])
    assert [await claim(db) for _ in range(6)] == ["b0", "a0", "b1", "a1", "b2", "a2"]


async def test_a_users_singles_still_go_before_their_own_batch(db: Database) -> None:
    await queue(db, "a", ["a0", "a1", "a2"], BATCH_PRIORITY)
    await queue(db, "b", ["b0", "b1", "b2"], BATCH_PRIORITY)
    await queue(db, "a", ["a8"])
    await queue(db, "a", ["a9"])
    claimed = [await claim(db) for _ in range(8)]
    # a's singles first among a's own; b keeps its turns.
    assert claimed == ["a8", "b0", "a9", "b1", "a0", "b2", "a1", "a2"]
