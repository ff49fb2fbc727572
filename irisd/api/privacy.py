"""/api/v1/privacy/* and DELETE /api/v1/users/me: the app's consent flow and the person's
rights (irisd/privacy). Additive to API.md; the paths and fields are the IrisArt app's
(`mobile/src/services/consent.ts`), the rest is in /api/openapi.json.

A request may name a client of the account by `label` (staff in the console); without one it
is about the account holder, as the app's calls always are.
"""

from __future__ import annotations

import asyncio
import tempfile
from typing import IO, Any

from aiohttp import web

from irisd import identity
from irisd.api import schemas, wire
from irisd.api.appkeys import DATABASE, ENGINE, SETTINGS, STORAGE, TOKENS, USER
from irisd.errors import InvalidField
from irisd.privacy import consents, erasure, export
from irisd.privacy.jurisdictions import consent_text
from irisd.privacy.person import Account, Person, Scope

routes = web.RouteTableDef()

NEED_LABEL = "'label' must name the client whose data is erased."
NEED_CONFIRM = 'Send {"confirm": true} to delete this account and all of its data.'
ACCOUNT_DELETED = "The account and all of its photos and results have been erased."
_CHUNK = 1 << 20


def _person(request: web.Request, label: Any) -> Person:
    return Person(schemas.user_id(request), identity.label(label))


def _stop_jobs(request: web.Request) -> erasure.StopJobs:
    return request.app[ENGINE].cancel_photo_jobs


@routes.get("/api/v1/privacy/jurisdiction")
async def jurisdiction(request: web.Request) -> web.Response:
    """Public (the app shows it before consent): the clinic's law, not the client's address;
    the app's `country_code` and `state_code` are ignored."""
    settings = request.app[SETTINGS].privacy
    return web.json_response(wire.jurisdiction(consent_text(settings), settings.require_consent))


@routes.get("/api/v1/privacy/consent/biometric-status")
async def biometric_status(request: web.Request) -> web.Response:
    person = _person(request, request.query.get("label"))
    found = await consents.active(request.app[DATABASE], person)
    body = {"has_consent": found is not None, "consent_record": found and wire.consent(found)}
    return web.json_response(body)


@routes.get("/api/v1/privacy/consent")
async def list_consents(request: web.Request) -> web.Response:
    """The account's records (its own and its clients'), or one client's with `?label=`."""
    label = request.query.get("label")
    scope: Scope = Account(schemas.user_id(request)) if label is None else _person(request, label)
    found = await consents.of(request.app[DATABASE], scope)
    return web.json_response({"consents": [wire.consent(c) for c in found]})


@routes.post("/api/v1/privacy/consent")
async def grant(request: web.Request) -> web.Response:
    body = await schemas.json_object(request)
    asked = consents.Request(
        _text(body, "consent_type"), _text(body, "jurisdiction"),
        _text(body, "consent_text_version"), body.get("source", "app"),
    )  # fmt: skip
    current = consent_text(request.app[SETTINGS].privacy)
    person = _person(request, body.get("label"))
    record, new = await consents.grant(
        request.app[DATABASE], person, asked, current, schemas.user_id(request)
    )
    return web.json_response(wire.consent(record), status=201 if new else 200)


@routes.post("/api/v1/privacy/consent/{consent_id}/withdraw")
async def withdraw(request: web.Request) -> web.Response:
    """Withdraw a consent: the person's photos and results are erased at once, for good."""
    db, user_id = request.app[DATABASE], schemas.user_id(request)
    record = await consents.get(db, user_id, request.match_info["consent_id"])
    done = None
    if record.granted:
        person = Person(user_id, record.label)
        done = await erasure.erase(
            db, request.app[STORAGE], person, _stop_jobs(request),
            reason=erasure.WITHDRAWN, by=user_id,
        )  # fmt: skip
        record = await consents.get(db, user_id, record.id)
    body = {**wire.consent(record), "erased": done and wire.erased(done)}
    return web.json_response(body)


@routes.post("/api/v1/privacy/erase")
async def erase_label(request: web.Request) -> web.Response:
    """Staff: erase everything held under one client's label, and withdraw their consents."""
    body = await schemas.json_object(request)
    person = _person(request, body.get("label"))
    if person.label is None:
        raise InvalidField(NEED_LABEL)
    done = await erasure.erase(
        request.app[DATABASE], request.app[STORAGE], person, _stop_jobs(request),
        reason=erasure.ERASED, by=person.user_id,
    )  # fmt: skip
    return web.json_response(wire.erased(done))


@routes.get("/api/v1/privacy/export")
async def export_data(request: web.Request) -> web.StreamResponse:
    """A ZIP of the person's photos and results with data.json (the account's, or one
    client's with `?label=`), spooled to an unnamed temporary file in the data dir."""
    app, user = request.app, request[USER]
    label = request.query.get("label")
    scope: Scope = Account(user.id) if label is None else _person(request, label)
    planned = await export.plan(app[DATABASE], app[STORAGE], user, scope)
    with tempfile.TemporaryFile(dir=app[SETTINGS].data_path) as spool:
        await export.write(app[STORAGE], planned, spool)
        export.audit(planned, user.id, user.id, scope)
        return await _send(request, spool)


async def _send(request: web.Request, spool: IO[bytes]) -> web.StreamResponse:
    size = await asyncio.to_thread(spool.seek, 0, 2)
    await asyncio.to_thread(spool.seek, 0)
    response = web.StreamResponse(
        headers={
            "Content-Type": "application/zip",
            "Content-Disposition": 'attachment; filename="irisd-data.zip"',
            "Cache-Control": "private, no-store",
        }
    )
    response.content_length = size
    await response.prepare(request)
    while chunk := await asyncio.to_thread(spool.read, _CHUNK):
        await response.write(chunk)
    await response.write_eof()
    return response


@routes.delete("/api/v1/users/me")
async def delete_account(request: web.Request) -> web.Response:
    """GDPR Art. 17 for an app user: everything erased, then the account itself."""
    body = await schemas.json_object(request)
    if body.get("confirm") is not True:
        raise InvalidField(NEED_CONFIRM)
    app, user_id = request.app, schemas.user_id(request)
    done = await erasure.delete_account(
        app[DATABASE], app[STORAGE], user_id, _stop_jobs(request),
        lambda user: app[TOKENS].revoke_all(app[DATABASE], user),
    )  # fmt: skip
    return web.json_response({"message": ACCOUNT_DELETED, **wire.erased(done)})


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidField(f"The field '{name}' is required and must be a non-empty string.")
    return value
