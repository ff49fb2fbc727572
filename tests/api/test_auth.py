"""API.md "Auth" against a real server: login, refresh rotation, logout, register, Bearer checks."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import make_mocked_request

from irisd.api.bearer import active_user, ws_claims
from irisd.auth.secret import load_or_create_secret
from irisd.auth.tokens import TokenService
from irisd.auth.users import set_active
from irisd.errors import Unauthorized
from tests.conftest import PASSWORD, Irisd, create_user
from tests.support.clients import SEEN_SECRETS, ApiClient, Reply

StartServer = Callable[..., Awaitable[Irisd]]
USER_READ = {"id", "email", "is_active", "is_verified", "created_at"}
LOGIN = "/api/v1/auth/login/json"


@pytest.fixture
def anon(server: Irisd, session: aiohttp.ClientSession) -> ApiClient:
    return ApiClient(session, server.url)


def assert_detail(reply: Reply, status: int, text: str | None = None) -> None:
    """The contract's error shape: exactly {"detail": "<sentence>"}."""
    assert reply.status == status, reply.body
    assert isinstance(reply.body, dict)
    assert set(reply.body) == {"detail"}
    assert isinstance(reply.body["detail"], str)
    assert reply.body["detail"]
    if text is not None:
        assert text in reply.body["detail"]


def remember(body: Any) -> Any:
    """Tokens a test sees join the suite-wide log redaction check."""
    if isinstance(body, dict):
        SEEN_SECRETS.update(v for k, v in body.items() if k.endswith("_token"))
    return body


# --- login ------------------------------------------------------------------------------


async def test_login_json_gives_a_bearer_pair_that_reads_users_me(
    server: Irisd, anon: ApiClient
) -> None:
    user = await create_user(server, "Ada@Example.test")
    reply = await anon.post(LOGIN, {"email": "ada@example.test", "password": PASSWORD})
    assert reply.status == 200
    assert set(remember(reply.body)) == {"access_token", "refresh_token", "token_type"}
    assert reply.body["token_type"] == "bearer"
    assert reply.headers["Cache-Control"] == "no-store"
    anon.access_token = reply.body["access_token"]
    me = await anon.get("/api/v1/users/me")
    assert me.status == 200
    assert set(me.body) == USER_READ
    assert me.body["id"] == user.id
    assert me.body["email"] == "ada@example.test"  # stored normalised
    assert (me.body["is_active"], me.body["is_verified"]) == (True, False)
    assert me.body["created_at"].endswith("Z")


async def test_login_form_is_the_oauth2_password_flow(server: Irisd, anon: ApiClient) -> None:
    user = await create_user(server)
    form = {"username": user.email, "password": PASSWORD, "grant_type": "password"}
    reply = await anon.post("/api/v1/auth/login", data=form)
    assert reply.status == 200
    assert remember(reply.body)["token_type"] == "bearer"
    anon.access_token = reply.body["access_token"]
    assert (await anon.get("/api/v1/users/me")).body["id"] == user.id


async def test_wrong_password_and_unknown_email_get_one_answer(
    server: Irisd, anon: ApiClient
) -> None:
    user = await create_user(server)
    wrong = await anon.post(LOGIN, {"email": user.email, "password": "not the password"})
    unknown = await anon.post(LOGIN, {"email": "nobody@example.test", "password": PASSWORD})
    assert_detail(wrong, 401, "Incorrect email or password.")
    assert unknown.body == wrong.body
    assert unknown.status == 401


async def test_disabled_user_can_neither_log_in_nor_use_a_token(
    server: Irisd, user_factory: Callable[..., Awaitable[ApiClient]]
) -> None:
    client = await user_factory(server)
    me = (await client.get("/api/v1/users/me")).body
    await set_active(server.db, me["email"], False)
    assert_detail(await client.get("/api/v1/users/me"), 401)
    assert_detail(
        await client.post("/api/v1/auth/refresh", {"refresh_token": client.refresh_token}), 401
    )
    login = await client.post(LOGIN, {"email": me["email"], "password": PASSWORD}, auth=False)
    assert_detail(login, 401, "disabled")


# --- refresh ----------------------------------------------------------------------------


async def refresh(client: ApiClient, token: str | None) -> Reply:
    return await client.post("/api/v1/auth/refresh", {"refresh_token": token}, auth=False)


async def test_refresh_rotates_and_a_reused_token_is_rejected(api: ApiClient) -> None:
    old = api.refresh_token
    rotated = await refresh(api, old)
    assert rotated.status == 200
    new = remember(rotated.body)
    assert new["refresh_token"] != old
    assert new["token_type"] == "bearer"
    api.access_token = new["access_token"]
    assert (await api.get("/api/v1/users/me")).status == 200
    assert_detail(await refresh(api, old), 401, "already been used")
    # Reuse means the token was copied: the rotated one is revoked as well.
    assert_detail(await refresh(api, new["refresh_token"]), 401)


async def test_refresh_token_is_not_an_access_token(api: ApiClient) -> None:
    reply = await api.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {api.refresh_token}"}
    )
    assert_detail(reply, 401, "refresh token cannot be used as an access token")


async def test_access_token_is_not_a_refresh_token(api: ApiClient) -> None:
    assert_detail(await refresh(api, api.access_token), 401)


async def test_expired_access_token_gets_401(server: Irisd, api: ApiClient) -> None:
    user_id = (await api.get("/api/v1/users/me")).body["id"]
    hour_ago = TokenService(
        server.settings.auth,
        load_or_create_secret(server.settings),
        now=lambda: time.time() - server.settings.auth.access_ttl_s - 1,
    )
    expired = hour_ago.issue_access(user_id)
    SEEN_SECRETS.add(expired)
    reply = await api.get("/api/v1/users/me", headers={"Authorization": f"Bearer {expired}"})
    assert_detail(reply, 401, "expired")


# --- logout -----------------------------------------------------------------------------


async def test_logout_with_an_empty_json_body_revokes_refresh_tokens(
    server: Irisd, api: ApiClient
) -> None:
    email = (await api.get("/api/v1/users/me")).body["email"]
    other_device = ApiClient(api.session, server.url)
    await other_device.login(email, PASSWORD)
    # The app sends Content-Type: application/json with no body at all.
    reply = await api.post("/api/v1/auth/logout", headers={"Content-Type": "application/json"})
    assert reply.status == 200
    assert isinstance(reply.body["message"], str)
    for token in (api.refresh_token, other_device.refresh_token):
        assert_detail(await refresh(api, token), 401, "revoked")


async def test_logout_needs_a_token(anon: ApiClient) -> None:
    assert_detail(await anon.post("/api/v1/auth/logout"), 401)


# --- register ---------------------------------------------------------------------------

NEW_USER = {"email": "new@example.test", "password": "a new long password"}


async def test_register_is_closed_by_default(anon: ApiClient) -> None:
    assert_detail(await anon.post("/api/v1/auth/register", NEW_USER), 403)
    assert_detail(await anon.post(LOGIN, NEW_USER), 401)  # and nobody was created


async def test_open_registration_creates_a_user_who_can_log_in(
    start_server: StartServer, session: aiohttp.ClientSession
) -> None:
    irisd = await start_server(auth={"open_registration": True})
    client = ApiClient(session, irisd.url)
    created = await client.post("/api/v1/auth/register", NEW_USER)
    assert created.status == 201
    assert set(created.body) == USER_READ
    assert created.body["email"] == NEW_USER["email"]
    await client.login(NEW_USER["email"], NEW_USER["password"])
    assert (await client.get("/api/v1/users/me")).body["id"] == created.body["id"]
    again = await client.post("/api/v1/auth/register", {**NEW_USER, "email": "NEW@example.test"})
    assert_detail(again, 409)


INVALID_REGISTRATIONS = [
    ({"email": "not-an-email", "password": "long enough password"}, "email"),
    ({"email": "short@example.test", "password": "short"}, "password"),
    ({"password": "long enough password"}, "email"),
    ({"email": "x@example.test", "password": 12345678}, "password"),
]


async def test_register_names_the_invalid_field(
    start_server: StartServer, session: aiohttp.ClientSession
) -> None:
    irisd = await start_server(auth={"open_registration": True})
    client = ApiClient(session, irisd.url)
    for body, field in INVALID_REGISTRATIONS:
        assert_detail(await client.post("/api/v1/auth/register", body), 422, f"'{field}'")


# --- bearer checks and bad bodies -------------------------------------------------------


BAD_CREDENTIALS = [
    {},
    {"Authorization": "Bearer"},
    {"Authorization": "Basic dXNlcjpwYXNz"},
    {"Authorization": "Bearer not-a-jwt"},
]
PROTECTED = [
    ("GET", "/api/v1/users/me"),
    ("GET", "/api/v1/photos"),
    ("POST", "/api/v1/processing/submit"),
    ("GET", "/api/v1/no/such/route"),  # unknown routes do not reveal that they are unknown
]


async def test_api_routes_need_a_valid_bearer_token(anon: ApiClient) -> None:
    # One server for every case: each start costs worker processes.
    for method, path in PROTECTED:
        for headers in BAD_CREDENTIALS:
            reply = await anon.request(method, path, headers=headers)
            assert reply.status == 401, (method, path, headers)
            assert_detail(reply, 401)


async def test_public_routes_need_no_token(anon: ApiClient) -> None:
    assert (await anon.get("/healthz")).status == 200
    assert (await anon.get("/api/openapi.json")).status == 200
    assert_detail(await anon.post(LOGIN, {"email": "a@example.test", "password": "x"}), 401)


BAD_LOGIN_BODIES = [
    (b'{"email": ', "application/json", 400, "not valid JSON"),
    (b"\xff\xfe", "application/json", 400, "not valid JSON"),
    (b"[1, 2]", "application/json", 400, "JSON object"),
    (b"", "application/json", 422, "'email'"),
    (b'{"email": "a@b.co"}', "application/json", 422, "'password'"),
    (b'{"email": "a@b.co", "password": null}', "application/json", 422, "'password'"),
    (b"email=a@b.co", "text/plain", 415, "JSON"),
]


async def test_bad_login_bodies_get_clear_errors(anon: ApiClient) -> None:
    for data, content_type, status, text in BAD_LOGIN_BODIES:
        reply = await anon.post(LOGIN, data=data, headers={"Content-Type": content_type})
        assert reply.status == status, data
        assert_detail(reply, status, text)
    assert (await anon.get("/healthz")).status == 200


async def test_form_login_wants_a_form(anon: ApiClient) -> None:
    json_body = {"username": "a@example.test", "password": PASSWORD}
    assert_detail(await anon.post("/api/v1/auth/login", json_body), 415)
    assert_detail(await anon.post("/api/v1/auth/login", data={"username": "a@b.co"}), 422)


# --- the WebSocket check ----------------------------------------------------------------


async def test_a_socket_token_must_be_an_access_token(server: Irisd, api: ApiClient) -> None:
    request = make_mocked_request("GET", "/ws/jobs", app=server.app)
    user = await active_user(request, ws_claims(request, api.access_token))
    assert user.id == (await api.get("/api/v1/users/me")).body["id"]
    for token in (None, "", api.refresh_token, "not-a-jwt"):
        with pytest.raises(Unauthorized):
            await active_user(request, ws_claims(request, token))
