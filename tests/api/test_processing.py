"""/api/v1/processing: submit, batch, get, list, reprocess, cancel; retries and failures.

Real server on loopback, real worker processes running the test pipelines of
tests/support/pipelines.py (chosen by config), real SQLite and local storage.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from irisd.api.wire import print_ready
from irisd.jobs.model import JobStatus, LiveState
from irisd.options import PRINT_SIDE
from irisd.storage import keys
from tests.conftest import Irisd
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.executors import executor
from tests.support.pipelines import (
    NOTES,
    QUALITY_TEXT,
    Gates,
    at_gate,
    final,
    gates,
    pipeline,
)
from tests.support.studio_jobs import KINDS, submit_kind

__all__ = ["executor", "gates"]

Start = Callable[..., Awaitable[Irisd]]
UserFactory = Callable[..., Awaitable[ApiClient]]

JOB_FIELDS = {
    "job_id", "photo_id", "status", "current_step", "progress", "error_type", "error_message",
    "suggestion", "attempt_count", "result_url", "mask_url", "original_url",
    "processing_time_ms", "result_width", "result_height", "quality_score", "quality_notes",
    "queue_position", "websocket_url", "created_at", "updated_at",
    "note",  # additive to API.md: "Getting ready..." on a cold worker
    "filename", "label",  # additive to API.md: the photo's name
    "thumbnail_url", "preview_url", "original_preview_url",  # additive: light tiles
    "print_ready",  # additive: large enough to print
    "warnings", "needs_check",  # additive: the notes that are flaws, and whether to check
}  # fmt: skip


async def photo(api: ApiClient) -> str:
    uploaded = await api.upload(images.jpeg(64, 48))
    return str(uploaded["id"])


async def submit(api: ApiClient, photo_id: str) -> dict[str, Any]:
    reply = await api.post("/api/v1/processing/submit", {"photo_id": photo_id})
    assert reply.status == 201, reply.body
    job: dict[str, Any] = reply.body
    return job


async def job(api: ApiClient, job_id: str) -> dict[str, Any]:
    reply = await api.get(f"/api/v1/processing/jobs/{job_id}")
    assert reply.status == 200, reply.body
    found: dict[str, Any] = reply.body
    return found


async def user_id(api: ApiClient) -> str:
    return str((await api.get("/api/v1/users/me")).body["id"])


async def serve(start_server: Start, user_factory: UserFactory, name: str, **jobs: Any) -> Any:
    irisd = await start_server(jobs={**pipeline(name), **jobs})
    return irisd, await user_factory(irisd)


# --- the happy path --------------------------------------------------------------------------


async def test_submitted_job_completes_with_downloadable_result(
    start_server: Start, user_factory: UserFactory, session: aiohttp.ClientSession
) -> None:
    irisd, api = await serve(start_server, user_factory, "ok")
    photo_id = await photo(api)
    created = await submit(api, photo_id)
    assert set(created) == JOB_FIELDS
    assert created["photo_id"] == photo_id
    assert created["websocket_url"] == f"/ws/jobs/{created['job_id']}"
    assert created["status"] in ("pending", "processing")
    assert (created["print_ready"], created["needs_check"]) == (None, None)  # nothing yet

    last = await final(api, created["job_id"])
    assert last["status"] == "completed"
    done = await job(api, created["job_id"])
    assert done["status"] == "completed"
    assert (done["progress"], done["current_step"], done["attempt_count"]) == (100, "Complete!", 1)
    assert (done["result_width"], done["result_height"]) == (8, 8)
    assert done["queue_position"] is None
    assert done["error_type"] is None
    assert (done["quality_notes"], done["warnings"], done["needs_check"]) == ([], [], False)
    assert done["print_ready"] is False  # 8 px across: a screen's, not a print's
    for name in ("result_url", "mask_url", "original_url"):
        assert done[name].startswith(irisd.url + "/"), name
    async with session.get(done["result_url"]) as resp:
        assert resp.status == 200
        assert (await resp.read()).startswith(b"\x89PNG")
    async with session.get(done["mask_url"]) as resp:
        assert resp.status == 200

    metrics = (await api.get("/metrics", auth=False)).body.decode()
    assert 'irisd_jobs_finished_total{error_type="",status="completed"} 1' in metrics
    assert "irisd_queue_depth 0" in metrics
    assert 'irisd_job_step_seconds_count{step="enhancing"} 1' in metrics


async def test_reprocess_with_empty_json_body_creates_a_new_job(
    start_server: Start, user_factory: UserFactory
) -> None:
    _, api = await serve(start_server, user_factory, "ok")
    first = await submit(api, await photo(api))
    await final(api, first["job_id"])
    reply = await api.post(
        f"/api/v1/processing/jobs/{first['job_id']}/reprocess",
        data=b"",
        headers={"Content-Type": "application/json"},
    )
    assert reply.status == 201, reply.body
    assert reply.body["job_id"] != first["job_id"]
    assert reply.body["photo_id"] == first["photo_id"]
    assert (await final(api, reply.body["job_id"]))["status"] == "completed"


async def test_quality_notes_arrive_with_the_result_and_a_reprocess_has_its_own(
    start_server: Start, user_factory: UserFactory, gates: Gates
) -> None:
    _, api = await serve(start_server, user_factory, "ok")
    photo_id = await photo(api)
    gates.note(photo_id, *NOTES)
    first = await submit(api, photo_id)
    assert first["quality_notes"] == []  # nothing to say before the result exists
    assert (await final(api, first["job_id"]))["quality_notes"] == list(NOTES)
    assert (await job(api, first["job_id"]))["quality_notes"] == list(NOTES)

    gates.note(photo_id)  # the same photo, run again, now gives a clean result
    reply = await api.post(f"/api/v1/processing/jobs/{first['job_id']}/reprocess")
    assert reply.status == 201, reply.body
    assert (await final(api, reply.body["job_id"]))["quality_notes"] == []
    listed = (await api.get("/api/v1/processing/jobs")).body["items"]
    notes = {j["job_id"]: j["quality_notes"] for j in listed}
    assert notes == {reply.body["job_id"]: [], first["job_id"]: list(NOTES)}


async def test_workers_run_the_pipeline_with_the_configured_options(
    start_server: Start, user_factory: UserFactory
) -> None:
    irisd = await start_server(
        jobs=pipeline("echo_options"),
        pipeline={"occlusion": "transparent", "output_format": "jpeg", "output_size": 512},
    )
    api = await user_factory(irisd)
    created = await submit(api, await photo(api))
    assert (await final(api, created["job_id"]))["quality_notes"] == ["transparent jpeg 512"]


async def test_openapi_job_schema_lists_every_job_field(api: ApiClient) -> None:
    schema = (await api.get("/api/openapi.json", auth=False)).body["components"]["schemas"]
    job_schema = schema["Job"]
    assert set(job_schema["properties"]) == JOB_FIELDS
    assert set(job_schema["required"]) == JOB_FIELDS
    notes = job_schema["properties"]["quality_notes"]
    assert (notes["type"], notes["items"]) == ("array", {"type": "string"})
    assert notes["description"]


async def test_job_list_is_newest_first_with_default_page_size(
    start_server: Start, user_factory: UserFactory
) -> None:
    _, api = await serve(start_server, user_factory, "ok")
    photo_id = await photo(api)
    created = [await submit(api, photo_id) for _ in range(3)]
    reply = await api.get("/api/v1/processing/jobs?page=1")
    assert reply.status == 200
    assert (reply.body["total"], reply.body["page"], reply.body["page_size"]) == (3, 1, 20)
    assert [j["job_id"] for j in reply.body["items"]] == [c["job_id"] for c in reversed(created)]
    assert (await api.get("/api/v1/processing/jobs?page_size=0")).status == 422


# --- who may see and submit what --------------------------------------------------------------


async def test_foreign_and_unknown_jobs_get_the_same_404(
    start_server: Start, user_factory: UserFactory
) -> None:
    irisd, owner = await serve(start_server, user_factory, "ok")
    other = await user_factory(irisd)
    mine = await submit(owner, await photo(owner))
    for path in ("", "/cancel", "/reprocess"):
        method = other.get if not path else other.post
        foreign = await method(f"/api/v1/processing/jobs/{mine['job_id']}{path}")
        unknown = await method(f"/api/v1/processing/jobs/{'0' * 8}-0000-0000-0000-{'0' * 12}{path}")
        assert (
            (foreign.status, foreign.body)
            == (unknown.status, unknown.body)
            == (
                404,
                {"detail": "Not found."},
            )
        )
    listed = await other.get("/api/v1/processing/jobs")
    assert listed.body["total"] == 0


async def test_submit_checks_the_photo(start_server: Start, user_factory: UserFactory) -> None:
    irisd, api = await serve(start_server, user_factory, "ok")
    other = await user_factory(irisd)
    foreign = await photo(other)
    assert (await api.post("/api/v1/processing/submit", {"photo_id": foreign})).status == 404
    assert (await api.post("/api/v1/processing/submit", {})).status == 422
    assert (await api.post("/api/v1/processing/submit", {"photo_id": 5})).status == 422
    pending = await api.post("/api/v1/photos/upload", {"content_type": "image/jpeg"})
    not_uploaded = await api.post(
        "/api/v1/processing/submit", {"photo_id": pending.body["photo_id"]}
    )
    assert not_uploaded.status == 409
    assert not_uploaded.body["detail"]


async def test_batch_skips_unknown_and_foreign_photos(
    start_server: Start, user_factory: UserFactory
) -> None:
    irisd, api = await serve(start_server, user_factory, "ok")
    other = await user_factory(irisd)
    mine = [await photo(api), await photo(api)]
    foreign = await photo(other)
    reply = await api.post(
        "/api/v1/processing/batch", {"photo_ids": [mine[0], foreign, "nope", mine[1]]}
    )
    assert reply.status == 201, reply.body
    assert [j["photo_id"] for j in reply.body["jobs"]] == mine
    none_valid = await api.post("/api/v1/processing/batch", {"photo_ids": [foreign, "nope"]})
    assert none_valid.status == 400
    for bad in ([], ["a"] * 11, "p1", [1], None):
        assert (await api.post("/api/v1/processing/batch", {"photo_ids": bad})).status == 422


async def test_full_queue_answers_429_and_queues_nothing(
    start_server: Start, user_factory: UserFactory, gates: Gates
) -> None:
    _, api = await serve(start_server, user_factory, "gated", queue_limit=1)
    held = await photo(api)
    gates.hold(held)
    running = await submit(api, held)
    await at_gate(api, running["job_id"])
    await submit(api, await photo(api))  # the queue's one place
    reply = await api.post("/api/v1/processing/submit", {"photo_id": await photo(api)})
    assert reply.status == 429
    assert reply.body["detail"]
    assert (await api.get("/api/v1/processing/jobs")).body["total"] == 2
    await gates.release(running["job_id"])


# --- failures and retries (API.md "Errors of a job") -----------------------------------------


@pytest.mark.parametrize(
    ("name", "attempts", "error_type", "message", "suggestion"),
    [
        (
            "always_transient",
            2,
            "transient_error",
            "Processing timed out. Please try again.",
            'Tap "Reprocess" to try again.',
        ),
        (
            "always_runtime",
            2,
            "server_error",
            "Something went wrong. Please try again later.",
            'Tap "Reprocess" to try again, or try with a different photo.',
        ),
        (
            "quality_issue",
            1,
            "quality_issue",
            QUALITY_TEXT,
            "Try capturing a new photo in better lighting with your eye centered.",
        ),
        (
            "unexpected",
            1,
            "server_error",
            "An unexpected error occurred.",
            "Please try again later.",
        ),
    ],
)
async def test_failure_is_classified_and_retried_per_contract(
    start_server: Start,
    user_factory: UserFactory,
    name: str,
    attempts: int,
    error_type: str,
    message: str,
    suggestion: str,
) -> None:
    _, api = await serve(start_server, user_factory, name)
    created = await submit(api, await photo(api))
    last = await final(api, created["job_id"])
    assert (last["status"], last["error_type"]) == ("failed", error_type)
    assert (last["message"], last["suggestion"]) == (message, suggestion)
    failed = await job(api, created["job_id"])
    assert failed["attempt_count"] == attempts
    assert (failed["error_type"], failed["error_message"], failed["suggestion"]) == (
        error_type,
        message,
        suggestion,
    )
    assert failed["result_url"] is None


@pytest.mark.parametrize("kind", KINDS)
async def test_transient_error_once_is_retried_and_succeeds(
    start_server: Start, user_factory: UserFactory, kind: str
) -> None:
    irisd, api = await serve(start_server, user_factory, "flaky_once")
    created = {"job_id": await submit_kind(api, kind, await photo(api))}
    done = await final(api, created["job_id"])
    assert (done["status"], done["attempt"]) == ("completed", 2)
    jobs = await irisd.db.fetchall("SELECT attempt_count FROM jobs")
    assert [row[0] for row in jobs] == [2] * len(jobs)  # the art job's sources retried too
    metrics = (await api.get("/metrics", auth=False)).body.decode()
    assert f'irisd_job_retries_total{{error_type="transient_error"}} {len(jobs)}' in metrics
    log = await _log(irisd, created)
    assert [entry["attempt"] for entry in log] == [1, 2]
    assert "ConnectionError" in log[0]["cause"]
    assert log[1]["cause"] == "completed"


async def _log(irisd: Irisd, created: dict[str, Any]) -> list[dict[str, Any]]:
    row = await irisd.db.fetchone("SELECT attempt_log FROM jobs WHERE id = ?", (created["job_id"],))
    assert row is not None
    return list(json.loads(row[0]))


async def test_job_over_its_time_limit_is_killed_and_fails_as_transient(
    start_server: Start, user_factory: UserFactory
) -> None:
    # 2 s: enough for a fresh worker to start, far below the pipeline's hour-long sleep.
    _, api = await serve(start_server, user_factory, "sleepy", time_limit_s=2.0)
    created = await submit(api, await photo(api))
    last = await final(api, created["job_id"])
    assert (last["status"], last["error_type"]) == ("failed", "transient_error")
    assert (await job(api, created["job_id"]))["attempt_count"] == 2


async def test_final_failure_deletes_every_partial_result(
    start_server: Start, user_factory: UserFactory, gates: Gates
) -> None:
    irisd, api = await serve(start_server, user_factory, "gated")
    owner = await user_id(api)
    finished = await submit(api, await photo(api))
    await final(api, finished["job_id"])
    held = await photo(api)
    gates.hold(held)
    created = await submit(api, held)
    await at_gate(api, created["job_id"])
    # What an attempt may have written before failing: the result and the mask.
    partial = [
        keys.processed(owner, created["job_id"], "png"),
        keys.mask(owner, created["job_id"]),
    ]
    for key in partial:
        await irisd.storage.put(key, b"partial", "image/png")
    await gates.release(created["job_id"], "fail")
    assert (await final(api, created["job_id"]))["error_type"] == "server_error"
    left = await irisd.storage.list(f"processed/{owner}/")
    assert not set(partial) & set(left)
    assert keys.processed(owner, finished["job_id"], "png") in left  # another job's result stays


# --- cancel ------------------------------------------------------------------------------------


async def test_cancel_pending_job_drops_it_at_once(
    start_server: Start, user_factory: UserFactory, gates: Gates
) -> None:
    _, api = await serve(start_server, user_factory, "gated")
    held = await photo(api)
    gates.hold(held)
    running = await submit(api, held)
    await at_gate(api, running["job_id"])
    waiting = await submit(api, await photo(api))
    assert waiting["queue_position"] == 1

    reply = await api.post(f"/api/v1/processing/jobs/{waiting['job_id']}/cancel")
    assert reply.status == 200
    assert (reply.body["status"], reply.body["error_type"]) == ("failed", "cancelled")
    assert reply.body["error_message"] == "Processing was cancelled."
    assert reply.body["suggestion"] == 'Tap "Reprocess" to start again.'
    assert reply.body["attempt_count"] == 0  # it never ran
    again = await api.post(f"/api/v1/processing/jobs/{waiting['job_id']}/cancel")
    assert again.status == 200

    await gates.release(running["job_id"])
    assert (await final(api, running["job_id"]))["status"] == "completed"
    assert (await job(api, waiting["job_id"]))["attempt_count"] == 0
    finished = await api.post(f"/api/v1/processing/jobs/{running['job_id']}/cancel")
    assert finished.status == 409


async def test_cancel_running_job_stops_it_at_the_next_step(
    start_server: Start, user_factory: UserFactory, gates: Gates
) -> None:
    irisd, api = await serve(start_server, user_factory, "gated")
    held = await photo(api)
    gates.hold(held)
    created = await submit(api, held)
    await at_gate(api, created["job_id"])
    reply = await api.post(f"/api/v1/processing/jobs/{created['job_id']}/cancel")
    assert reply.status == 200
    assert reply.body["status"] == "processing"  # it stops at its next step boundary

    await gates.release(created["job_id"])
    last = await final(api, created["job_id"])
    assert (last["status"], last["error_type"]) == ("failed", "cancelled")
    stopped = await job(api, created["job_id"])
    assert stopped["progress"] == 20  # no step after the cancel was taken
    assert stopped["attempt_count"] == 1
    assert (
        await irisd.storage.list(keys.processed_prefix(await user_id(api), created["job_id"])) == []
    )


# --- queue order ---------------------------------------------------------------------------------


async def test_single_submits_go_before_batches_and_batches_keep_photo_order(
    start_server: Start, user_factory: UserFactory, gates: Gates
) -> None:
    irisd, api = await serve(start_server, user_factory, "gated")
    held = await photo(api)
    gates.hold(held)
    running = await submit(api, held)
    await at_gate(api, running["job_id"])
    batch_photos = [await photo(api) for _ in range(3)]
    batch = (await api.post("/api/v1/processing/batch", {"photo_ids": batch_photos})).body["jobs"]
    single = await submit(api, await photo(api))
    expected = [single["job_id"], *(j["job_id"] for j in batch)]
    positions = [(await job(api, job_id))["queue_position"] for job_id in expected]
    assert positions == [1, 2, 3, 4]

    await gates.release(running["job_id"])
    for job_id in expected:
        assert (await final(api, job_id))["status"] == "completed"
    rows = await irisd.db.fetchall(
        "SELECT id FROM jobs WHERE id != ? ORDER BY started_at, rowid", (running["job_id"],)
    )
    assert [r["id"] for r in rows] == expected


async def test_queue_position_decreases_as_jobs_ahead_are_claimed(
    start_server: Start, user_factory: UserFactory, gates: Gates
) -> None:
    irisd, api = await serve(start_server, user_factory, "gated")
    held = await photo(api)
    gates.hold(held)
    running = await submit(api, held)
    await at_gate(api, running["job_id"])
    queued = [await submit(api, await photo(api)) for _ in range(3)]
    last = queued[-1]["job_id"]
    assert (await job(api, last))["queue_position"] == 3

    await gates.release(running["job_id"])
    assert (await final(api, last))["status"] == "completed"
    rows = await irisd.db.fetchall(
        "SELECT state FROM job_events WHERE job_id = ? ORDER BY seq", (last,)
    )
    states = [json.loads(r["state"]) for r in rows]
    pending = [s["queue_position"] for s in states if s["status"] == "pending"]
    assert pending == [3, 2, 1]
    assert [s["seq"] for s in states] == list(range(1, len(states) + 1))


async def test_deleting_a_photo_with_a_running_job_leaves_nothing_behind(
    start_server: Start, user_factory: UserFactory, gates: Gates
) -> None:
    # With no trash ([storage] trash_days = 0) a delete is final at once; a trashed photo's
    # objects go at its purge (tests/api/test_trash.py).
    irisd = await start_server(jobs=pipeline("gated"), storage={"trash_days": 0})
    api = await user_factory(irisd)
    owner = await user_id(api)
    held = await photo(api)
    gates.hold(held)
    running = await submit(api, held)
    await at_gate(api, running["job_id"])
    queued = await submit(api, held)

    # The delete waits for the running job to stop at its next step, so that no result
    # can be written after the photo's objects are gone.
    deleting = asyncio.create_task(api.delete(f"/api/v1/photos/{held}"))
    await gates.release(running["job_id"])
    assert (await deleting).status == 204
    for created in (running, queued):
        gone = await api.get(f"/api/v1/processing/jobs/{created['job_id']}")
        assert gone.status == 404
    assert await irisd.storage.list(f"processed/{owner}/") == []
    assert await irisd.storage.list(f"originals/{owner}/") == []


def test_a_result_is_print_ready_from_the_smallest_print_side_up() -> None:
    def state(width: int, height: int) -> LiveState:
        return LiveState(
            "j", "u", "p", JobStatus.COMPLETED, 1, result_width=width, result_height=height
        )

    assert print_ready(state(PRINT_SIDE, PRINT_SIDE))
    assert not print_ready(state(PRINT_SIDE - 1, PRINT_SIDE - 1))
    assert not print_ready(LiveState("j", "u", "p", JobStatus.COMPLETED, 1))
