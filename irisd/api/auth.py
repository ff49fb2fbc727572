"""/api/v1/auth/* and /api/v1/users/me: login (JSON and OAuth2 form), refresh, register, logout."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from irisd.appkeys import DATABASE, SETTINGS, TOKENS, USER
from irisd.auth import users
from irisd.errors import BadRequest, Forbidden, InvalidField, UnsupportedMediaType
from irisd.logs import get_logger

log = get_logger(__name__)
routes = web.RouteTableDef()

JSON_TYPE = "application/json"
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
# RFC 6749 §5.1: responses carrying tokens must not be stored by caches.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@routes.post("/api/v1/auth/login/json")
async def login_json(request: web.Request) -> web.Response:
    """{"email","password"} → 200 token pair; 401 on bad credentials."""
    body = await _json_body(request)
    return await _login(request, _text(body, "email"), _text(body, "password"))


@routes.post("/api/v1/auth/login")
async def login_form(request: web.Request) -> web.Response:
    """OAuth2 password form (`username`, `password`) → 200 token pair; 401 on bad credentials."""
    if request.content_type not in FORM_TYPES:
        raise UnsupportedMediaType(
            "The request body must be a form (application/x-www-form-urlencoded)."
        )
    form = await request.post()
    return await _login(request, _text(form, "username"), _text(form, "password"))


@routes.post("/api/v1/auth/refresh")
async def refresh(request: web.Request) -> web.Response:
    """{"refresh_token"} → 200 new pair; 401 if invalid, expired or already used."""
    token = _text(await _json_body(request), "refresh_token")
    pair = await request.app[TOKENS].refresh(request.app[DATABASE], token)
    return web.json_response(pair.as_json(), headers=NO_STORE)


@routes.post("/api/v1/auth/register")
async def register(request: web.Request) -> web.Response:
    """{"email","password"} → 201 UserRead when open registration is on, else 403."""
    if not request.app[SETTINGS].auth.open_registration:
        raise Forbidden("Registration is closed. Ask the administrator for an account.")
    body = await _json_body(request)
    user = await users.create_user(
        request.app[DATABASE], _text(body, "email"), _text(body, "password")
    )
    return web.json_response(users.user_json(user), status=201)


@routes.post("/api/v1/auth/logout")
async def logout(request: web.Request) -> web.Response:
    """Revoke the user's refresh tokens. The body is ignored (the app sends an empty one)."""
    user = request[USER]
    revoked = await request.app[TOKENS].revoke_all(request.app[DATABASE], user.id)
    log.info("auth.logged_out", user_id=user.id, revoked=revoked)
    return web.json_response({"message": "Logged out."})


@routes.get("/api/v1/users/me")
async def me(request: web.Request) -> web.Response:
    return web.json_response(users.user_json(request[USER]))


async def _login(request: web.Request, email: str, password: str) -> web.Response:
    db = request.app[DATABASE]
    user = await users.authenticate(db, email, password)
    pair = await request.app[TOKENS].issue_pair(db, user.id)
    log.info("auth.logged_in", user_id=user.id)
    return web.json_response(pair.as_json(), headers=NO_STORE)


async def _json_body(request: web.Request) -> dict[str, Any]:
    """The body as a JSON object: 415 if not JSON, 400 if malformed, 422 if not an object."""
    if request.content_type != JSON_TYPE:
        raise UnsupportedMediaType(f"The request body must be JSON (Content-Type: {JSON_TYPE}).")
    raw = await request.read()
    if not raw.strip():
        return {}  # an empty body: the missing fields are reported by name below
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest("The request body is not valid JSON.") from exc
    if not isinstance(body, dict):
        raise InvalidField("The request body must be a JSON object.")
    return body


def _text(body: Any, name: str) -> str:
    """A required, non-empty string field, or InvalidField naming it."""
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidField(f"The field '{name}' is required and must be a non-empty string.")
    return value
