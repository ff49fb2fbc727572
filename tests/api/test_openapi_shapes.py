"""Every shape the server sends matches the OpenAPI document, field for field (datasette's
"every setting is documented", for replies): each REST reply of a real server on loopback
against its operation's schema (or Error), each WebSocket message against its component.

The document's object schemas are made strict here (no field beyond those documented, times
only as `...Z`), so a field added to api/wire.py without the document fails this test.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from irisd.api import wire
from irisd.api.openapi import document
from irisd.art.export import PRINT_SIZES
from tests.conftest import PASSWORD, Irisd
from tests.support import images
from tests.support.clients import ApiClient, Reply
from tests.support.pipelines import Gates, at_gate, gates, pipeline

__all__ = ["gates"]

PRESET, SIZE = "ink_wash", PRINT_SIZES[0].id
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time")
def _is_time(value: object) -> bool:
    return not isinstance(value, str) or TIME.fullmatch(value) is not None


@FORMATS.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(uuid.UUID(value))


def strict(schema: Any) -> Any:
    """A copy in which every object schema allows only its documented properties."""
    if isinstance(schema, dict):
        schema = {key: strict(value) for key, value in schema.items()}
        if "properties" in schema:
            schema.setdefault("additionalProperties", False)
    elif isinstance(schema, list):
        schema = [strict(item) for item in schema]
    return schema


DOCUMENT = document()
COMPONENTS = {"components": {"schemas": strict(copy.deepcopy(DOCUMENT["components"]["schemas"]))}}


def check(name: str, instance: Any) -> None:
    """`instance` is a valid, fully documented `name` (a component of the document)."""
    schema = {**COMPONENTS, "$ref": f"#/components/schemas/{name}"}
    Draft202012Validator(schema, format_checker=FORMATS).validate(instance)


def operation(method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    """The documented (path template, operation) a request went to, if any."""
    for template, methods in DOCUMENT["paths"].items():
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", template)
        if re.fullmatch(pattern, path) and method.lower() in methods:
            return template, methods[method.lower()]
    return None


class CheckedClient(ApiClient):
    """Validates every REST reply against the document and notes which answers it saw."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        super().__init__(session, base_url)
        self.seen: set[tuple[str, str, str]] = set()  # (method, path template, status)

    async def request(self, method: str, path: str, **kw: Any) -> Reply:
        reply = await super().request(method, path, **kw)
        found = operation(method, path.split("?")[0])
        if found is None:
            return reply
        template, op = found
        status = str(reply.status)
        assert status in op["responses"], f"{method} {template} answered undocumented {status}"
        content = op["responses"][status].get("content")
        if content is None:
            assert reply.body == b"", f"{method} {template} {status} has no documented body"
        elif "application/json" not in content:  # a file (the privacy export's ZIP)
            assert reply.headers["Content-Type"] in content, f"{method} {template} {status}"
        else:
            name = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            check(name, reply.body)
        self.seen.add((method.lower(), template, status))
        return reply


def check_message(message: dict[str, Any]) -> None:
    if "keepalive" in message:
        check("Keepalive", message)
    elif "status" not in message:
        check("SocketError", message)
    else:
        check("StreamMessage" if "cursor" in message else "JobMessage", message)


async def socket_messages(api: ApiClient, path: str, count: int, **kw: Any) -> list[Any]:
    """The first `count` messages of a WebSocket (or all of them, if it closes first)."""
    received = []
    async with api.ws(path, **kw) as socket:
        async for msg in socket:
            if msg.type == aiohttp.WSMsgType.TEXT:
                received.append(json.loads(msg.data))
            if len(received) == count:
                break
    for message in received:
        check_message(message)
    return received


async def exercise_auth(api: CheckedClient) -> str:
    """Every auth route and its refusals; the email of the account left logged in."""
    email = f"{uuid.uuid4()}@example.test"
    credentials = {"email": email, "password": PASSWORD}
    await api.post("/api/v1/auth/register", credentials, auth=False)
    form = {"username": email, "password": PASSWORD}
    await api.request("POST", "/api/v1/auth/login", data=form, auth=False)
    await api.login(email, PASSWORD)
    await api.post("/api/v1/auth/refresh", {"refresh_token": api.refresh_token}, auth=False)
    await api.login(email, PASSWORD)
    await api.get("/api/v1/users/me")
    await api.post("/api/v1/auth/login/json", {**credentials, "password": "wrong"}, auth=False)
    await api.post("/api/v1/auth/refresh", {"refresh_token": "nonsense"}, auth=False)
    return email


async def exercise_photos(api: CheckedClient, session: aiohttp.ClientSession) -> list[str]:
    """Both ways in, the listings and the refusals; the ids of two uploaded photos."""
    upload = {"content_type": "image/jpeg", "filename": "eye.jpg", "label": "Ana"}
    ticket = (await api.post("/api/v1/photos/upload", upload)).body
    await api.post(f"/api/v1/photos/{ticket['photo_id']}/confirm", {})  # 409: nothing there yet
    async with session.put(ticket["upload_url"], data=images.jpeg(64, 48)) as resp:
        assert resp.status == 200
    confirmed = await api.post(f"/api/v1/photos/{ticket['photo_id']}/confirm", {})
    direct = await api.upload(images.jpeg(64, 48))
    await api.get("/api/v1/photos")
    await api.get("/api/v1/photos?label=ana")
    await api.get(f"/api/v1/photos/{direct['id']}")
    await api.request("PATCH", f"/api/v1/photos/{direct['id']}", json_body={"label": "Bo"})
    await api.request("PATCH", f"/api/v1/photos/{direct['id']}", json_body={"label": 7})  # 422
    await api.get(f"/api/v1/photos/{uuid.uuid4()}")  # 404
    await api.post("/api/v1/photos", data=b"not a form")  # 415
    await api.request("POST", "/api/v1/photos", data=_form(b"not an image"))  # 415
    await api.post("/api/v1/photos/upload", {"content_type": 7})  # 422
    return [confirmed.body["id"], direct["id"]]


def _form(content: bytes) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("file", content, filename="eye.jpg", content_type="image/jpeg")
    return form


async def exercise_jobs(api: CheckedClient, gates: Gates, photo_ids: list[str]) -> None:
    """Submit, batch, list, watch (progress, keepalive, completion, error), cancel, reprocess."""
    done, held = photo_ids
    gates.hold(held)
    first = (await api.post("/api/v1/processing/submit", {"photo_id": done})).body["job_id"]
    batch = (await api.post("/api/v1/processing/batch", {"photo_ids": [held, "unknown"]})).body
    running = batch["jobs"][0]["job_id"]
    await at_gate(api, running)  # the one worker ran `first` before it: completed by now
    again = (await api.post(f"/api/v1/processing/jobs/{first}/reprocess")).body["job_id"]
    await api.get("/api/v1/processing/jobs")
    await api.get(f"/api/v1/processing/jobs/{again}")  # pending, with its queue position
    await socket_messages(api, f"/ws/jobs/{running}", 3)  # the state, then keepalives
    await socket_messages(api, "/ws/jobs", 3)  # active jobs with cursors, then keepalives
    await socket_messages(api, "/ws/jobs", 20, since=0)  # every change so far
    (completion,) = await socket_messages(api, f"/ws/jobs/{first}", 100)
    assert completion["status"] == "completed"
    await api.post(f"/api/v1/processing/jobs/{again}/cancel")  # pending: dropped at once
    (error,) = await socket_messages(api, f"/ws/jobs/{again}", 100)
    assert (error["status"], error["error_type"]) == ("failed", "cancelled")
    await api.post(f"/api/v1/processing/jobs/{running}/cancel")  # stops at its next step
    await gates.release(running)
    stopped = (await socket_messages(api, f"/ws/jobs/{running}", 100))[-1]
    assert (stopped["status"], stopped["error_type"]) == ("failed", "cancelled")
    await api.post(f"/api/v1/processing/jobs/{first}/cancel")  # 409: finished
    await api.post("/api/v1/processing/batch", {"photo_ids": ["unknown"]})  # 400
    await api.post("/api/v1/processing/submit", {})  # 422
    await api.get(f"/api/v1/processing/jobs/{uuid.uuid4()}")  # 404
    (refusal,) = await socket_messages(api, f"/ws/jobs/{running}", 100, token="not-a-jwt")
    assert refusal["error"] == "Authentication failed"


async def until_final(api: CheckedClient, job_id: str) -> dict[str, Any]:
    """Every message of the job's socket checked; its final one."""
    final: dict[str, Any] = (await socket_messages(api, f"/ws/jobs/{job_id}", 100))[-1]
    assert final["status"] in ("completed", "failed"), final
    return final


async def exercise_studio(api: CheckedClient, gates: Gates, photo_ids: list[str]) -> None:
    """Styles, exports, fusions and compositions: each call, its job's messages, refusals."""
    done, held = photo_ids
    jobs = (await api.get(f"/api/v1/processing/jobs?photo_id={done}")).body["items"]
    result = next(job["job_id"] for job in jobs if job["status"] == "completed")
    await api.get("/api/v1/styles/presets")
    style = await api.post("/api/v1/styles/apply", {"photoId": done, "stylePresetId": PRESET})
    await until_final(api, style.body["id"])
    await api.get(f"/api/v1/styles/jobs/{style.body['id']}")
    await api.get(f"/api/v1/styles/jobs?photo_id={done}")
    await api.post(f"/api/v1/styles/generate?photo_id={done}&processing_job_id={result}")  # 403
    await api.post("/api/v1/styles/apply", {"photoId": done, "stylePresetId": "nope"})  # 404
    asked = {"sourceType": "styled", "sourceJobId": style.body["id"], "printSize": SIZE}
    exported = (await api.post("/api/v1/exports/hd", asked)).body["id"]
    await until_final(api, exported)
    await api.get(f"/api/v1/exports/jobs/{exported}")
    await api.get(f"/api/v1/exports/jobs/{exported}/payment-status")
    await api.get("/api/v1/exports/jobs")
    await api.post("/api/v1/exports/hd", {**asked, "sourceType": "ai_generated"})  # 422
    artworks = {"artwork_ids": [result, style.body["id"]], "circle_id": None}
    fused = (await api.post("/api/v1/fusion", {**artworks, "blend_mode": "poisson"})).body
    laid = (await api.post("/api/v1/composition", {**artworks, "layout": "grid_2x2"})).body
    for submitted in (fused, laid):
        await until_final(api, submitted["fusion_id"])
        await api.get(f"/api/v1/fusion/{submitted['fusion_id']}")
    await api.get("/api/v1/fusion?offset=0&limit=10")
    await api.post("/api/v1/fusion", {"artwork_ids": [result]})  # 422
    await exercise_studio_cancels(api, gates, held, result, style.body["id"])


async def exercise_studio_cancels(
    api: CheckedClient, gates: Gates, held: str, result: str, styled: str
) -> None:
    """Each art kind's cancel: pending ones dropped, a running one stopped at its gate."""
    gates.unhold(held)
    source = (await api.post("/api/v1/processing/submit", {"photo_id": held})).body["job_id"]
    await until_final(api, source)
    gates.hold(held)
    style = await api.post("/api/v1/styles/apply", {"photoId": held, "stylePresetId": PRESET})
    running = style.body["id"]
    await at_gate(api, running)  # the one worker is held: the next two wait behind it
    asked = {"sourceType": "processed", "sourceJobId": source}
    exported = (await api.post("/api/v1/exports/hd", asked)).body["id"]
    artworks = {"artwork_ids": [source, result], "blend_mode": "alpha"}
    fused = (await api.post("/api/v1/fusion", artworks)).body["fusion_id"]
    await api.post(f"/api/v1/exports/jobs/{exported}/cancel")
    await api.post(f"/api/v1/fusion/{fused}/cancel")
    await api.post(f"/api/v1/styles/jobs/{running}/cancel")
    await gates.release(running)
    for job_id in (exported, fused, running):
        stopped = await until_final(api, job_id)
        assert (stopped["status"], stopped["error_type"]) == ("failed", "cancelled")
    await api.post(f"/api/v1/styles/jobs/{styled}/cancel")  # 409: finished
    gates.unhold(held)


async def exercise_trash(api: CheckedClient, photo_ids: list[str]) -> None:
    """Delete one result and a photo, list the trash (with both kinds), restore each."""
    done, held = photo_ids
    jobs = (await api.get(f"/api/v1/processing/jobs?photo_id={done}")).body["items"]
    result = jobs[-1]["job_id"]  # the first job: completed
    await api.delete(f"/api/v1/processing/jobs/{result}")
    await api.delete(f"/api/v1/photos/{held}")
    trash = (await api.get("/api/v1/trash")).body
    assert trash["photos"]
    assert trash["results"]
    await api.post(f"/api/v1/processing/jobs/{result}/restore")
    await api.post(f"/api/v1/photos/{held}/restore")
    await api.delete(f"/api/v1/photos/{done}")


async def exercise_privacy(api: CheckedClient, email: str) -> None:
    """The consent flow, erasure, export; then a second account deleted."""
    shown = (await api.get("/api/v1/privacy/jurisdiction", auth=False)).body
    await api.get("/api/v1/privacy/consent/biometric-status")
    version = shown["consent_requirements"]["consent_text_version"]
    asked = {"consent_type": "biometric_capture", "jurisdiction": shown["jurisdiction"]}
    granted = await api.post("/api/v1/privacy/consent", {**asked, "consent_text_version": version})
    await api.post("/api/v1/privacy/consent", {**asked, "consent_text_version": "old"})  # 409
    await api.get("/api/v1/privacy/consent/biometric-status")
    await api.get("/api/v1/privacy/consent?label=Bo")
    await api.get("/api/v1/privacy/export")
    await api.post("/api/v1/privacy/erase", {"label": "Bo"})
    await api.post(f"/api/v1/privacy/consent/{granted.body['id']}/withdraw")
    other = f"{uuid.uuid4()}@example.test"
    await api.post("/api/v1/auth/register", {"email": other, "password": PASSWORD}, auth=False)
    await api.login(other, PASSWORD)
    await api.delete("/api/v1/users/me", json_body={})  # 422: not confirmed
    await api.delete("/api/v1/users/me", json_body={"confirm": True})
    await api.login(email, PASSWORD)


async def test_every_reply_and_message_matches_the_openapi_document(
    start_server: Callable[..., Awaitable[Irisd]], session: aiohttp.ClientSession, gates: Gates
) -> None:
    irisd = await start_server(
        jobs=pipeline("gated"), auth={"open_registration": True}, ws={"keepalive_s": 0.02}
    )
    api = CheckedClient(session, irisd.url)
    email = await exercise_auth(api)
    photo_ids = await exercise_photos(api, session)
    await exercise_jobs(api, gates, photo_ids)
    await exercise_studio(api, gates, photo_ids)
    await exercise_trash(api, photo_ids)
    await exercise_privacy(api, email)
    await api.post("/api/v1/auth/logout")
    await api.get("/api/v1/users/me", auth=False)  # 401
    check("SocketError", wire.TIMEOUT_MESSAGE)

    answered = {(method, path) for method, path, status in api.seen if int(status) < 400}
    answered |= {(m, p) for m, p, _ in api.seen if DOCUMENT["paths"][p][m].get("x-unavailable")}
    documented = {(method, path) for path, ops in DOCUMENT["paths"].items() for method in ops}
    assert answered == documented, "every operation is exercised and its success checked"
    refusals = {status for _method, _path, status in api.seen if int(status) >= 400}
    assert refusals >= {"400", "401", "404", "409", "415", "422"}


@pytest.mark.parametrize("name", sorted(DOCUMENT["components"]["schemas"]))
def test_every_component_is_a_valid_schema(name: str) -> None:
    Draft202012Validator.check_schema(DOCUMENT["components"]["schemas"][name])


@pytest.mark.parametrize(
    ("name", "instance"),
    [
        ("JobMessage", {"job_id": str(uuid.uuid4()), "status": "pending", "progress": 0,
                        "step": "Waiting in line...", "timestamp": "2026-01-31T12:00:00.123+00:00",
                        "seq": 1, "attempt": 0, "queue_position": 1}),
        ("SocketError", {"error": "Bad request", "detail": "x", "extra": 1}),
        ("Keepalive", {"keepalive": True, "cursor": 1}),
    ],
)  # fmt: skip
def test_the_strict_check_refuses_other_time_formats_extra_and_missing_fields(
    name: str, instance: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError):
        check(name, instance)
