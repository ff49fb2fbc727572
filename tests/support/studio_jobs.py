"""Submitting a job of any kind through the API, for tests parametrised over kinds.

`submit_kind(api, kind, photo_id)` queues a job of `kind` on the photo: a processing job, or
an art job on the photo's processed prints (processed first, to completion: an art job works
from stored results). Returns the new job's id, which `/ws/jobs/{id}` follows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support.clients import ApiClient
from tests.support.pipelines import final

KINDS = ("process", "style", "fusion", "composition", "export")
ART_KINDS = KINDS[1:]
PRESET = "cosmic_iris"


async def processed(api: ApiClient, photo_id: str) -> str:
    """A completed processing job of the photo (its id)."""
    reply = await api.post("/api/v1/processing/submit", {"photo_id": photo_id})
    assert reply.status == 201, reply.body
    job_id = str(reply.body["job_id"])
    done = await final(api, job_id)
    assert done["status"] == "completed", done
    return job_id


async def submit_art(api: ApiClient, kind: str, sources: list[str], photo_id: str) -> Any:
    """POST the app's call for art `kind` on the completed jobs `sources`: the reply."""
    if kind == "style":
        body = {"photoId": photo_id, "stylePresetId": PRESET, "processingJobId": sources[0]}
        return await api.post("/api/v1/styles/apply", body)
    if kind == "export":
        return await api.post(
            "/api/v1/exports/hd", {"sourceType": "processed", "sourceJobId": sources[0]}
        )
    if kind == "fusion":
        body = {"artwork_ids": sources, "circle_id": "none", "blend_mode": "alpha"}
        return await api.post("/api/v1/fusion", body)
    body = {"artwork_ids": sources, "circle_id": "none", "layout": "horizontal"}
    return await api.post("/api/v1/composition", body)


def job_id_of(kind: str, body: dict[str, Any]) -> str:
    """The new job's id in the reply to its submission."""
    key = {"process": "job_id", "fusion": "fusion_id", "composition": "fusion_id"}.get(kind, "id")
    return str(body[key])


async def sources_for(api: ApiClient, kind: str, photo_id: str) -> list[str]:
    """The completed results an art job of `kind` works from (two for a fusion or layout)."""
    count = 2 if kind in ("fusion", "composition") else 1
    return [await processed(api, photo_id) for _ in range(count)]


async def submit_kind(
    api: ApiClient, kind: str, photo_id: str, before: Callable[[], object] = lambda: None
) -> str:
    """Queue a job of `kind` on the photo (see the module doc); its id. `before` runs just
    before the job itself is submitted (after its sources are processed): hold the photo
    there, and only the job under test is held."""
    if kind == "process":
        before()
        reply = await api.post("/api/v1/processing/submit", {"photo_id": photo_id})
    else:
        sources = await sources_for(api, kind, photo_id)
        before()
        reply = await submit_art(api, kind, sources, photo_id)
    assert reply.status == 201, reply.body
    return job_id_of(kind, reply.body)
