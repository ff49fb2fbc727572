"""/api/v1/auth/* and /api/v1/users/me: login (JSON and OAuth2 form), refresh, register, logout."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from irisd.api import schemas, wire
from irisd.api.appkeys import DATABASE, SETTINGS, THROTTLE, TOKENS, USER
from irisd.auth import throttle, users
from irisd.errors import (
    BadRequest,
    Forbidden,
    InvalidField,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from irisd.logs import get_logger

log = get_logger(__name__)
routes = web.RouteTableDef()

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
# RFC 6749 §5.1: responses carrying tokens must not be stored by caches.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@routes.post("/api/v1/auth/login/json")
async def login_json(request: web.Request) -> web.Response:
    """{"email","password"} → 200 token pair; 401 on bad credentials."""
    body = await schemas.json_object(request, require_json_type=True)
    return await _login(request, _text(body, "email"), _text(body, "password"))


@routes.post("/api/v1/auth/login")
async def login_form(request: web.Request) -> web.Response:
    """OAuth2 password form (`username`, `password`) → 200 token pair; 401 on bad credentials."""
    if request.content_type not in FORM_TYPES:
        raise UnsupportedMediaType(
            "The request body must be a form (application/x-www-form-urlencoded)."
        )
    length = request.content_length
    if length is not None and length > schemas.MAX_JSON_BYTES:
        raise PayloadTooLarge("The request body is too large.", size=length)
    try:
        form = await request.post()
    except (HttpProcessingError, ValueError, AssertionError) as exc:  # a broken form body
        raise BadRequest("The form body is malformed.") from exc
    return await _login(request, _text(form, "username"), _text(form, "password"))


@routes.post("/api/v1/auth/refresh")
async def refresh(request: web.Request) -> web.Response:
    """{"refresh_token"} → 200 new pair; 401 if invalid, expired or already used."""
    token = _text(await schemas.json_object(request, require_json_type=True), "refresh_token")
    tokens, db = request.app[TOKENS], request.app[DATABASE]
    # A well-signed token names its account; a forged one counts against the address only.
    subject = tokens.refresh_subject(token)
    who = throttle.Attempt.of(subject and user_account(subject), request.remote)
    await request.app[THROTTLE].attempt(db, who)
    pair = await tokens.refresh(db, token)
    await request.app[THROTTLE].succeeded(db, who)
    return web.json_response(wire.tokens(pair), headers=NO_STORE)


@routes.post("/api/v1/auth/register")
async def register(request: web.Request) -> web.Response:
    """{"email","password"} → 201 UserRead when open registration is on, else 403."""
    if not request.app[SETTINGS].auth.open_registration:
        raise Forbidden("Registration is closed. Ask the administrator for an account.")
    body = await schemas.json_object(request, require_json_type=True)
    user = await users.create_user(
        request.app[DATABASE], _text(body, "email"), _text(body, "password")
    )
    return web.json_response(wire.user(user), status=201)


@routes.post("/api/v1/auth/logout")
async def logout(request: web.Request) -> web.Response:
    """Revoke the user's refresh tokens. The body is ignored (the app sends an empty one)."""
    user = request[USER]
    revoked = await request.app[TOKENS].revoke_all(request.app[DATABASE], user.id)
    log.info("auth.logged_out", user_id=user.id, revoked=revoked)
    return web.json_response(wire.message("Logged out."))


@routes.get("/api/v1/users/me")
async def me(request: web.Request) -> web.Response:
    return web.json_response(wire.user(request[USER]))


async def _login(request: web.Request, email: str, password: str) -> web.Response:
    db = request.app[DATABASE]
    who = throttle.Attempt.of(email, request.remote)
    await request.app[THROTTLE].attempt(db, who)
    user = await users.authenticate(db, email, password)
    # The user's refreshes from this address are known too (a NAT'd clinic's staff keep
    # their sessions while someone there sprays forged tokens).
    await request.app[THROTTLE].succeeded(db, who, user_account(user.id))
    pair = await request.app[TOKENS].issue_pair(db, user.id)
    log.info("auth.logged_in", user_id=user.id)
    return web.json_response(wire.tokens(pair), headers=NO_STORE)


def user_account(user_id: str) -> str:
    """The throttle's account for a refresh: the user id its token names."""
    return f"user:{user_id}"


def _text(body: Any, name: str) -> str:
    """A required, non-empty string field, or InvalidField naming it."""
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidField(f"The field '{name}' is required and must be a non-empty string.")
    return value
