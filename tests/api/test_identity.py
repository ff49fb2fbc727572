"""Whose photo it is: file name and label at upload, a later label, both on jobs, search."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp

from tests.conftest import Irisd
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.pipelines import pipeline

UserFactory = Callable[..., Awaitable[ApiClient]]


def _form(filename: str, label: str | None) -> aiohttp.FormData:
    form = aiohttp.FormData()
    if label is not None:
        form.add_field("label", label)
    form.add_field("file", images.jpeg(64, 48), filename=filename, content_type="image/jpeg")
    return form


async def test_upload_keeps_the_file_name_and_label_and_jobs_carry_them(
    start_server: Callable[..., Awaitable[Irisd]],
    user_factory: UserFactory,
    session: aiohttp.ClientSession,
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    api = await user_factory(irisd)
    direct = (
        await api.request(
            "POST", "/api/v1/photos", data=_form("C:\\scans\\left eye.jpg", " Ana  Silva ")
        )
    ).expect(201)
    assert (direct["filename"], direct["label"]) == ("left eye.jpg", "Ana Silva")

    ticket = (
        await api.post(
            "/api/v1/photos/upload",
            {"content_type": "image/jpeg", "filename": "right.jpg", "label": None},
        )
    ).expect(201)
    async with session.put(ticket["upload_url"], data=images.jpeg(64, 48)) as resp:
        assert resp.status == 200
    confirmed = (await api.post(f"/api/v1/photos/{ticket['photo_id']}/confirm", {})).expect(200)
    assert (confirmed["filename"], confirmed["label"]) == ("right.jpg", None)

    named = (
        await api.request(
            "PATCH", f"/api/v1/photos/{confirmed['id']}", json_body={"label": "Bo Berg"}
        )
    ).expect(200)
    assert named["label"] == "Bo Berg"
    assert (await api.get(f"/api/v1/photos/{confirmed['id']}")).body["label"] == "Bo Berg"

    job = (await api.post("/api/v1/processing/submit", {"photo_id": confirmed["id"]})).expect(201)
    assert (job["filename"], job["label"]) == ("right.jpg", "Bo Berg")
    batch = (
        await api.post("/api/v1/processing/batch", {"photo_ids": [direct["id"], confirmed["id"]]})
    ).expect(201)
    assert [j["label"] for j in batch["jobs"]] == ["Ana Silva", "Bo Berg"]
    listed = (await api.get("/api/v1/processing/jobs")).expect(200)
    assert {j["label"] for j in listed["items"]} == {"Ana Silva", "Bo Berg"}
    one = (await api.get(f"/api/v1/processing/jobs/{job['job_id']}")).expect(200)
    assert (one["filename"], one["label"]) == ("right.jpg", "Bo Berg")

    cleared = await api.request(
        "PATCH", f"/api/v1/photos/{confirmed['id']}", json_body={"label": ""}
    )
    assert cleared.expect(200)["label"] is None


async def test_search_by_label_or_file_name_ignores_case_and_other_users(
    start_server: Callable[..., Awaitable[Irisd]], user_factory: UserFactory
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    api, other = await user_factory(irisd), await user_factory(irisd)
    ana = (await api.request("POST", "/api/v1/photos", data=_form("a.jpg", "Ana Silva"))).body
    bo = (await api.request("POST", "/api/v1/photos", data=_form("ANA-scan.jpg", None))).body
    (await api.request("POST", "/api/v1/photos", data=_form("c.jpg", "Carl"))).expect(201)
    (await other.request("POST", "/api/v1/photos", data=_form("d.jpg", "Ana Other"))).expect(201)
    await api.post("/api/v1/processing/batch", {"photo_ids": [ana["id"], bo["id"]]})

    found = (await api.get("/api/v1/photos?label=ana")).expect(200)
    assert {p["id"] for p in found["items"]} == {ana["id"], bo["id"]}
    assert found["total"] == 2
    jobs = (await api.get("/api/v1/processing/jobs?label=SILVA")).expect(200)
    assert [j["photo_id"] for j in jobs["items"]] == [ana["id"]]
    assert (await api.get("/api/v1/photos?label=%25")).expect(200)["total"] == 0  # no wildcard
    assert (await api.get("/api/v1/photos?label=")).expect(200)["total"] == 3


async def test_bad_labels_are_refused_and_foreign_photos_cannot_be_named(
    server: Irisd, user_factory: UserFactory
) -> None:
    api, other = await user_factory(server), await user_factory(server)
    photo = await api.upload(images.jpeg(64, 48))
    path = f"/api/v1/photos/{photo['id']}"
    for body in ({"label": 7}, {"label": "x" * 101}, {}):
        reply = await api.request("PATCH", path, json_body=body)
        assert reply.status == 422, body
        assert reply.detail
    assert (await other.request("PATCH", path, json_body={"label": "mine"})).status == 404
    assert (await api.get(path)).body["label"] is None
