"""Erasure where it matters: every object gone from local disk and from S3, the rows gone from
the database file itself (after a WAL checkpoint), the URLs given out before dead, running
jobs stopped, and the erased person's later jobs refused; other people's data untouched."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from irisd.errors import ConsentWithdrawn
from tests.conftest import Irisd
from tests.privacy.helpers import CONSENT, completed, consent, photo_of
from tests.support.clients import ApiClient
from tests.support.moto import MotoS3, moto_s3, s3_bucket
from tests.support.pipelines import Gates, at_gate, final, gates, pipeline

__all__ = ["gates", "moto_s3", "s3_bucket"]

UserFactory = Callable[..., Awaitable[ApiClient]]
Start = Callable[..., Awaitable[Irisd]]
URL_FIELDS = ("original_url", "result_url", "mask_url", "thumbnail_url", "preview_url")


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The storage settings of the server under test: local disk, or the moto S3 server."""
    if request.param == "local":
        return {}
    moto: MotoS3 = request.getfixturevalue("moto_s3")
    return moto.storage_changes(request.getfixturevalue("s3_bucket"))


async def held_objects(irisd: Irisd, user_id: str) -> list[str]:
    """Every object of the user as the store itself lists it: files on disk, or keys in the
    S3 bucket read with the moto server's own client."""
    settings = irisd.settings.storage
    if settings.backend == "local":
        root = irisd.settings.data_path / "objects"
        return sorted(str(p) for p in root.rglob("*") if p.is_file() and user_id in str(p))
    client = MotoS3(settings.s3_endpoint_url).client()
    listed = client.list_objects_v2(Bucket=settings.s3_bucket).get("Contents", [])
    return sorted(item["Key"] for item in listed if user_id in item["Key"])


def checkpointed_rows(db_path: Path, marker: str) -> tuple[dict[str, int], bool]:
    """Rows per table that mention `marker`, and whether its text is anywhere in the database
    file, after the WAL is written back and truncated (nothing left only in the -wal)."""
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        tables = ["photos", "jobs", "job_events"]
        counts = {
            t: conn.execute(
                f"SELECT count(*) FROM {t} WHERE instr(CAST({_cols(conn, t)} AS TEXT), ?)",
                (marker,),
            ).fetchone()[0]
            for t in tables
        }
    return counts, marker.encode() in db_path.read_bytes()


def _cols(conn: sqlite3.Connection, table: str) -> str:
    names = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    return " || ' ' || ".join(f"coalesce({name}, '')" for name in names)


async def status_of(session: aiohttp.ClientSession, url: str) -> int:
    async with session.get(url) as resp:
        return resp.status


async def test_withdrawal_erases_the_persons_data_everywhere_and_nothing_else(
    start_server: Start,
    user_factory: UserFactory,
    session: aiohttp.ClientSession,
    storage: dict[str, Any],
) -> None:
    irisd = await start_server(jobs=pipeline("ok"), **storage)
    alice, bob = await user_factory(irisd), await user_factory(irisd)
    granted = await consent(alice)
    marker = "alice-iris-left-7f3a.jpg"  # a file name only her photo's row holds
    mine = [await photo_of(alice, name=marker), await photo_of(alice)]
    jobs = [await completed(alice, photo["id"]) for photo in mine]
    theirs = await photo_of(bob)
    bob_job = await completed(bob, theirs["id"])
    urls = [job[f] for job in jobs for f in URL_FIELDS if job.get(f)]
    assert all([await status_of(session, url) == 200 for url in urls])
    alice_id = mine[0]["user_id"]
    bob_before = await held_objects(irisd, theirs["user_id"])
    assert await held_objects(irisd, alice_id)

    reply = (await alice.post(f"{CONSENT}/{granted['id']}/withdraw")).expect(200)

    assert reply["erased"]["photos"] == 2
    assert reply["erased"]["results"] == 2
    assert await held_objects(irisd, alice_id) == []
    for url in urls:
        assert await status_of(session, url) in (403, 404), url
    counts, in_file = checkpointed_rows(irisd.db.path, marker)
    assert counts == {"photos": 0, "jobs": 0, "job_events": 0}
    assert not in_file
    for job in jobs:
        counts, in_file = checkpointed_rows(irisd.db.path, job["job_id"])
        assert (sum(counts.values()), in_file) == (0, False)
    assert (await alice.get("/api/v1/photos")).expect(200)["total"] == 0
    # Bob's photo, result and rows are untouched.
    assert await held_objects(irisd, theirs["user_id"]) == bob_before
    assert (await bob.get(f"/api/v1/processing/jobs/{bob_job['job_id']}")).expect(200)
    # A later job of the erased person is refused until she consents again.
    later = await photo_of(alice)
    refused = await alice.post("/api/v1/processing/submit", {"photo_id": later["id"]})
    assert (refused.status, refused.detail) == (403, ConsentWithdrawn.message)


@pytest.mark.timeout(60)  # a safety net only: a job that never ends would hang here
async def test_a_running_job_of_the_person_is_stopped_and_leaves_nothing(
    start_server: Start, user_factory: UserFactory, gates: Gates
) -> None:
    irisd = await start_server(jobs=pipeline("gated"))
    api = await user_factory(irisd)
    granted = await consent(api)
    photo = await photo_of(api)
    gates.hold(photo["id"])
    job_id = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).body["job_id"]
    await at_gate(api, job_id)
    async with api.ws(f"/ws/jobs/{job_id}") as socket:
        withdrawing = asyncio.create_task(api.post(f"{CONSENT}/{granted['id']}/withdraw"))
        # The worker goes on to its next step boundary and stops there; the erase waits.
        await gates.release(job_id)
        assert (await withdrawing).status == 200
        messages = [json.loads(m.data) async for m in socket if m.type == aiohttp.WSMsgType.TEXT]
    assert messages[-1]["status"] == "failed"
    assert await held_objects(irisd, photo["user_id"]) == []
    assert await irisd.db.fetchone("SELECT 1 FROM photos WHERE id = ?", (photo["id"],)) is None


async def test_staff_erase_one_clients_label_and_keep_the_others(
    start_server: Start, user_factory: UserFactory, storage: dict[str, Any]
) -> None:
    irisd = await start_server(jobs=pipeline("ok"), **storage)
    staff = await user_factory(irisd)
    ada = [await photo_of(staff, label="Ada Lovelace") for _ in range(2)]
    await completed(staff, ada[0]["id"])
    grace = await photo_of(staff, label="Grace Hopper")
    kept = await completed(staff, grace["id"])
    await consent(staff, label="Ada Lovelace", source="console")
    await staff.delete(f"/api/v1/photos/{ada[1]['id']}")  # in the trash: erased too

    done = (await staff.post("/api/v1/privacy/erase", {"label": "ADA LOVELACE"})).expect(200)

    assert (done["photos"], done["results"]) == (2, 1)
    user_id = grace["user_id"]
    left = await held_objects(irisd, user_id)
    assert left
    assert all(grace["id"] in key or kept["job_id"] in key for key in left)
    listed = (await staff.get("/api/v1/photos")).expect(200)["items"]
    assert [p["id"] for p in listed] == [grace["id"]]
    assert (await staff.get("/api/v1/trash")).expect(200)["photos"] == []
    [record] = (await staff.get(CONSENT, params={"label": "Ada Lovelace"})).expect(200)["consents"]
    assert record["granted"] is False
    again = await photo_of(staff, label="Ada Lovelace")
    refused = await staff.post("/api/v1/processing/submit", {"photo_id": again["id"]})
    assert refused.status == 403
    assert (await staff.post("/api/v1/privacy/erase", {"label": None})).status == 422


async def test_deleting_the_account_erases_it_all_and_keeps_the_consent_record(
    start_server: Start, user_factory: UserFactory, session: aiohttp.ClientSession
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    api = await user_factory(irisd)
    granted = await consent(api)
    photo = await photo_of(api)
    job = await completed(api, photo["id"])
    user_id = photo["user_id"]
    assert (await api.delete("/api/v1/users/me", json_body={})).status == 422  # confirm first
    assert (await api.get("/api/v1/users/me")).status == 200

    done = (await api.delete("/api/v1/users/me", json_body={"confirm": True})).expect(200)

    assert (done["photos"], done["results"]) == (1, 1)
    assert (await api.get("/api/v1/users/me")).status == 401
    refresh = await api.post("/api/v1/auth/refresh", {"refresh_token": api.refresh_token})
    assert refresh.status == 401
    assert await held_objects(irisd, user_id) == []
    assert await status_of(session, job["result_url"]) in (403, 404)
    assert await irisd.db.fetchone("SELECT 1 FROM users WHERE id = ?", (user_id,)) is None
    kept = await irisd.db.fetchone("SELECT * FROM consents WHERE id = ?", (granted["id"],))
    assert kept is not None
    assert kept["withdrawn_at"] is not None
    erased = await irisd.db.fetchone("SELECT * FROM erasures WHERE user_id = ?", (user_id,))
    assert (erased["reason"], erased["photos"]) == ("account_deleted", 1)


async def test_a_deleted_row_leaves_no_trace_in_the_database_file(tmp_path: Path) -> None:
    """secure_delete: SQLite would otherwise keep a deleted row's bytes in the page's free
    space, where anyone reading the file finds an erased client's name."""
    from irisd.db import open_database

    db = await open_database(tmp_path / "irisd.db")
    marker = "Client Name 5d1e"
    row = ("e1", "u1", marker, "erased_by_staff", 1, 1, "u1", "2026-01-01T00:00:00.000Z")
    await db.execute("INSERT INTO erasures VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)
    await db.execute(
        "INSERT INTO erasures VALUES (?, ?, ?, ?, ?, ?, ?, ?)", ("e2", "u1", "Other", *row[3:])
    )
    await db.execute("DELETE FROM erasures WHERE id = 'e1'")
    await db.close()
    with sqlite3.connect(tmp_path / "irisd.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert marker.encode() not in (tmp_path / "irisd.db").read_bytes()


async def test_erasing_a_client_takes_every_art_job_made_from_their_iris(
    start_server: Start, user_factory: UserFactory
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    staff = await user_factory(irisd)
    grace, ada = await photo_of(staff, label="Grace Hopper"), await photo_of(staff, label="Ada")
    prints = [(await completed(staff, p["id"]))["job_id"] for p in (grace, ada)]
    # A fusion of Grace's print (its first, its own photo) with Ada's: it holds Ada's iris.
    body = {"artwork_ids": prints, "blend_mode": "alpha"}
    fusion_id = (await staff.post("/api/v1/fusion", body)).expect(201)["fusion_id"]
    assert (await final(staff, fusion_id))["status"] == "completed"

    (await staff.post("/api/v1/privacy/erase", {"label": "Ada"})).expect(200)

    assert (await staff.get(f"/api/v1/fusion/{fusion_id}")).status == 404
    counts, anywhere = await asyncio.to_thread(
        checkpointed_rows, irisd.settings.data_path / "irisd.db", fusion_id
    )
    assert counts == {"photos": 0, "jobs": 0, "job_events": 0}
    assert not anywhere
    assert not [key for key in await held_objects(irisd, grace["user_id"]) if fusion_id in key]
    assert (await staff.get(f"/api/v1/processing/jobs/{prints[0]}")).status == 200  # Grace's
