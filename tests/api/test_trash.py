"""Deletes that do what they say: one result or the photo with all its results, into a trash
its owner alone sees and restores from, purged for good (storage and rows) after trash_days."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from irisd.storage import keys
from tests.conftest import Irisd
from tests.support import images
from tests.support.cli import purge_beside
from tests.support.clients import ApiClient
from tests.support.pipelines import Gates, at_gate, final, gates, pipeline
from tests.support.studio_jobs import ART_KINDS, job_id_of, processed, submit_art

__all__ = ["gates"]

UserFactory = Callable[..., Awaitable[ApiClient]]
Start = Callable[..., Awaitable[Irisd]]


async def completed_job(api: ApiClient, photo_id: str) -> str:
    job_id: str = (await api.post("/api/v1/processing/submit", {"photo_id": photo_id})).body[
        "job_id"
    ]
    assert (await final(api, job_id))["status"] == "completed"
    return job_id


async def stored(irisd: Irisd, user_id: str) -> list[str]:
    """Every object of the user, in storage itself."""
    return [k for p in keys.user_prefixes(user_id) for k in await irisd.storage.list(p)]


async def listed_jobs(api: ApiClient) -> list[str]:
    return [j["job_id"] for j in (await api.get("/api/v1/processing/jobs")).body["items"]]


async def test_deleting_a_result_keeps_the_photo_and_its_other_results_and_can_be_undone(
    start_server: Start, user_factory: UserFactory
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    api = await user_factory(irisd)
    photo = await api.upload(images.jpeg())
    first, second = [await completed_job(api, photo["id"]) for _ in range(2)]

    assert (await api.delete(f"/api/v1/processing/jobs/{first}")).status == 204
    assert (await api.get(f"/api/v1/processing/jobs/{first}")).status == 404
    assert await listed_jobs(api) == [second]
    assert (await api.get(f"/api/v1/photos/{photo['id']}")).status == 200
    in_trash = (await api.get("/api/v1/trash")).expect(200)
    assert in_trash["photos"] == []
    assert [r["job_id"] for r in in_trash["results"]] == [first]
    assert in_trash["results"][0]["purge_at"] > in_trash["results"][0]["deleted_at"]
    assert [k for k in await stored(irisd, photo["user_id"]) if first in k]  # restorable

    restored = (await api.post(f"/api/v1/processing/jobs/{first}/restore")).expect(200)
    assert (restored["job_id"], restored["status"]) == (first, "completed")
    assert sorted(await listed_jobs(api)) == sorted([first, second])
    assert (await api.get("/api/v1/trash")).body["results"] == []


async def test_deleting_a_photo_takes_all_its_results_and_restore_brings_them_back(
    start_server: Start, user_factory: UserFactory
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    api = await user_factory(irisd)
    photo = await api.upload(images.jpeg())
    other = await api.upload(images.jpeg())
    jobs = [await completed_job(api, photo["id"]) for _ in range(2)]
    kept = await completed_job(api, other["id"])
    alone = jobs[0]
    await api.delete(f"/api/v1/processing/jobs/{alone}")  # trashed before, on its own

    assert (await api.delete(f"/api/v1/photos/{photo['id']}")).status == 204
    assert (await api.get(f"/api/v1/photos/{photo['id']}")).status == 404
    assert await listed_jobs(api) == [kept]
    assert [p["id"] for p in (await api.get("/api/v1/photos")).body["items"]] == [other["id"]]
    in_trash = (await api.get("/api/v1/trash")).expect(200)
    assert [(p["id"], p["results"]) for p in in_trash["photos"]] == [(photo["id"], 1)]
    assert in_trash["results"] == []  # the lone result's photo is in the trash now
    refused = await api.post(f"/api/v1/processing/jobs/{alone}/restore")
    assert refused.status == 409
    assert refused.detail

    back = (await api.post(f"/api/v1/photos/{photo['id']}/restore")).expect(200)
    assert back["id"] == photo["id"]
    assert sorted(await listed_jobs(api)) == sorted([jobs[1], kept])  # the lone one stays out
    assert [r["job_id"] for r in (await api.get("/api/v1/trash")).body["results"]] == [alone]


async def test_no_one_else_sees_deletes_or_restores_anothers_trash(
    start_server: Start, user_factory: UserFactory
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    owner, other = await user_factory(irisd), await user_factory(irisd)
    photo = await owner.upload(images.jpeg())
    job_id = await completed_job(owner, photo["id"])
    assert (await other.delete(f"/api/v1/processing/jobs/{job_id}")).status == 404
    await owner.delete(f"/api/v1/photos/{photo['id']}")

    assert (await other.get("/api/v1/trash")).body == {
        "trash_days": 1.0,
        "photos": [],
        "results": [],
    }
    assert (await other.post(f"/api/v1/photos/{photo['id']}/restore")).status == 404
    assert (await other.post(f"/api/v1/processing/jobs/{job_id}/restore")).status == 404
    assert (await owner.get("/api/v1/trash")).body["photos"][0]["id"] == photo["id"]


async def test_a_running_jobs_result_cannot_be_deleted_until_it_stops(
    start_server: Start, user_factory: UserFactory, gates: Gates
) -> None:
    irisd = await start_server(jobs=pipeline("gated"))
    api = await user_factory(irisd)
    photo = await api.upload(images.jpeg())
    gates.hold(photo["id"])
    job_id = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).body["job_id"]
    await at_gate(api, job_id)
    refused = await api.delete(f"/api/v1/processing/jobs/{job_id}")
    assert refused.status == 409
    assert "cancel" in (refused.detail or "")
    await gates.release(job_id)
    assert (await final(api, job_id))["status"] == "completed"
    assert (await api.delete(f"/api/v1/processing/jobs/{job_id}")).status == 204


async def until(check: Callable[[], Awaitable[bool]]) -> None:
    """Wait for a state (the server's periodic purge runs on its own clock), 30 s at most."""
    async with asyncio.timeout(30):
        while True:
            if await check():
                return
            await asyncio.sleep(0.05)  # a poll of storage, not a guess at timing


ART_JOB = {
    "style": "/api/v1/styles/jobs/{}",
    "export": "/api/v1/exports/jobs/{}",
    "fusion": "/api/v1/fusion/{}",
    "composition": "/api/v1/fusion/{}",
}


@pytest.mark.parametrize("kind", ART_KINDS)
async def test_an_art_job_goes_with_any_photo_it_works_from_and_comes_back_or_is_purged(
    start_server: Start, user_factory: UserFactory, tmp_path: Path, kind: str
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    api = await user_factory(irisd)
    first, second = [(await api.upload(images.jpeg()))["id"] for _ in range(2)]
    sources = [await processed(api, first)]
    if kind in ("fusion", "composition"):  # its second print is of another photo
        sources.append(await processed(api, second))
    job_id = job_id_of(kind, (await submit_art(api, kind, sources, first)).body)
    assert (await final(api, job_id))["status"] == "completed"
    shown = ART_JOB[kind].format(job_id)
    deleted = second if len(sources) > 1 else first

    assert (await api.delete(f"/api/v1/photos/{deleted}")).status == 204
    assert (await api.get(shown)).status == 404
    assert (await api.post(f"/api/v1/photos/{deleted}/restore")).status == 200
    assert (await api.get(shown)).expect(200)["status"] == "completed"

    await api.delete(f"/api/v1/photos/{deleted}")
    await irisd.db.execute("UPDATE photos SET deleted_at = '2020-01-01T00:00:00.000Z'")
    await irisd.db.execute(
        "UPDATE jobs SET deleted_at = '2020-01-01T00:00:00.000Z' WHERE deleted_at IS NOT NULL"
    )
    assert (await purge_beside(irisd.settings.data_dir, tmp_path)).exit_code == 0
    assert await irisd.db.fetchone("SELECT 1 FROM jobs WHERE id = ?", (job_id,)) is None
    owner = str((await api.get("/api/v1/users/me")).body["id"])
    assert not [key for key in await stored(irisd, owner) if job_id in key]


async def test_the_server_purges_expired_trash_from_storage_and_database(
    start_server: Start, user_factory: UserFactory
) -> None:
    trash_days = 2 / 86400  # two seconds
    irisd = await start_server(jobs=pipeline("ok"), storage={"trash_days": trash_days})
    api = await user_factory(irisd)
    photo = await api.upload(images.jpeg())
    other = await api.upload(images.jpeg())
    await completed_job(api, photo["id"])
    lone = await completed_job(api, other["id"])
    owner = photo["user_id"]
    await api.delete(f"/api/v1/photos/{photo['id']}")
    await api.delete(f"/api/v1/processing/jobs/{lone}")
    assert [k for k in await stored(irisd, owner) if photo["id"] in k]  # kept while restorable

    async def gone() -> bool:
        return not [k for k in await stored(irisd, owner) if photo["id"] in k or lone in k]

    await until(gone)
    assert await stored(irisd, owner) == [
        keys.original(owner, other["id"]),
        keys.thumbnail(owner, other["id"]),
    ]
    db = irisd.db
    assert await db.fetchone("SELECT 1 FROM photos WHERE id = ?", (photo["id"],)) is None
    assert await db.fetchone("SELECT 1 FROM jobs WHERE photo_id = ?", (photo["id"],)) is None
    assert await db.fetchone("SELECT 1 FROM jobs WHERE id = ?", (lone,)) is None
    assert (await api.post(f"/api/v1/photos/{photo['id']}/restore")).status == 404


async def test_irisd_purge_empties_only_the_expired_trash(
    start_server: Start, user_factory: UserFactory, tmp_path: Path
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    api = await user_factory(irisd)
    old, recent = await api.upload(images.jpeg()), await api.upload(images.jpeg())
    await completed_job(api, old["id"])
    for photo in (old, recent):
        await api.delete(f"/api/v1/photos/{photo['id']}")
    # `old` went two days ago: past the default trash_days (1); `recent` just now.
    await irisd.db.execute(
        "UPDATE photos SET deleted_at = '2020-01-01T00:00:00.000Z' WHERE id = ?", (old["id"],)
    )
    await irisd.db.execute(
        "UPDATE jobs SET deleted_at = '2020-01-01T00:00:00.000Z' WHERE photo_id = ?", (old["id"],)
    )
    result = await purge_beside(irisd.settings.data_dir, tmp_path)
    assert result.exit_code == 0, result.output
    assert "1 photos" in result.output
    owner = old["user_id"]
    left = await stored(irisd, owner)
    assert not [k for k in left if old["id"] in k]
    assert keys.original(owner, recent["id"]) in left
    assert [p["id"] for p in (await api.get("/api/v1/trash")).body["photos"]] == [recent["id"]]
