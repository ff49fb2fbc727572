"""Access tokens end with their session (logout, refresh reuse); /metrics behind its token; the
415 names every accepted format."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import Awaitable, Callable

import aiohttp

from irisd.api.bearer import NO_ACCOUNT
from irisd.errors import UnsupportedMediaType
from tests.api.test_auth import assert_detail, remember
from tests.conftest import PASSWORD, Irisd, create_user
from tests.support import images
from tests.support.clients import SEEN_SECRETS, ApiClient

StartServer = Callable[..., Awaitable[Irisd]]
ME = "/api/v1/users/me"
REFRESH = "/api/v1/auth/refresh"


async def signed_in(server: Irisd, session: aiohttp.ClientSession, email: str) -> ApiClient:
    client = ApiClient(session, server.url)
    await client.login(email, PASSWORD)
    return client


async def test_logout_ends_the_access_tokens_of_the_session(
    server: Irisd, session: aiohttp.ClientSession
) -> None:
    user = await create_user(server)
    phone = await signed_in(server, session, user.email)
    assert (await phone.get(ME)).status == 200
    assert (await phone.post("/api/v1/auth/logout")).status == 200
    assert_detail(await phone.get(ME), 401, "session has ended")
    # ...on its WebSockets too.
    async with phone.ws("/ws/jobs") as socket:
        message = await asyncio.wait_for(socket.receive_json(), timeout=10)
    assert "session has ended" in message["detail"]
    assert socket.close_code == 1008
    # A new login works at once.
    again = await signed_in(server, session, user.email)
    assert (await again.get(ME)).status == 200


async def test_refreshed_access_tokens_belong_to_the_same_session(
    server: Irisd, session: aiohttp.ClientSession
) -> None:
    user = await create_user(server)
    phone = await signed_in(server, session, user.email)
    rotated = remember((await phone.post(REFRESH, {"refresh_token": phone.refresh_token})).body)
    phone.access_token = rotated["access_token"]
    assert (await phone.get(ME)).status == 200
    assert (await phone.post("/api/v1/auth/logout")).status == 200
    assert_detail(await phone.get(ME), 401, "session has ended")


async def test_a_reused_refresh_token_ends_the_thiefs_and_the_owners_access_tokens(
    server: Irisd, session: aiohttp.ClientSession
) -> None:
    user = await create_user(server)
    owner = await signed_in(server, session, user.email)
    stolen = owner.refresh_token
    rotated = remember((await owner.post(REFRESH, {"refresh_token": stolen})).body)
    owner.access_token = rotated["access_token"]
    assert (await owner.get(ME)).status == 200
    assert_detail(await owner.post(REFRESH, {"refresh_token": stolen}), 401, "already been used")
    assert_detail(await owner.get(ME), 401, "session has ended")


async def test_metrics_stay_open_without_a_token_configured(server: Irisd, api: ApiClient) -> None:
    assert (await api.get("/metrics", auth=False)).status == 200


async def test_metrics_need_the_configured_token(
    start_server: StartServer, session: aiohttp.ClientSession
) -> None:
    token = "scrape-secret-0123456789"
    SEEN_SECRETS.add(token)  # joins the suite's log redaction check
    server = await start_server(server={"metrics_token": token})
    anon = ApiClient(session, server.url)
    assert_detail(await anon.get("/metrics"), 401, "metrics token")
    wrong = await anon.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert_detail(wrong, 401)
    right = await anon.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert right.status == 200
    assert b"irisd_" in right.body


async def test_the_415_names_every_format_api_md_lists(api: ApiClient) -> None:
    reply = await api.request(
        "POST", "/api/v1/photos", data=_form(images.text_named_jpg()), auth=True
    )
    assert_detail(reply, 415)
    for name in ("JPEG", "PNG", "WebP", "TIFF", "BMP", "HEIC"):
        assert name in reply.body["detail"]
    assert UnsupportedMediaType.message == reply.body["detail"]


def _form(content: bytes) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("file", content, filename="eye.jpg", content_type="image/jpeg")
    return form


def test_api_md_the_415_and_the_console_hint_list_the_same_formats() -> None:
    from irisd.resources import STATIC_DIR
    from tests.test_docs import api_md

    formats = re.findall(r"JPEG|PNG|WebP|TIFF|BMP|HEIC", UnsupportedMediaType.message)
    supported = api_md().split("Supported inputs:", 1)[1].split("\n\n", 1)[0]
    hint = (STATIC_DIR / "index.html").read_text(encoding="utf-8").split("Drop eye photos", 1)[1]
    hint = hint.split("sharp, well lit", 1)[0]
    for text in (supported, hint):
        assert re.findall(r"JPEG|PNG|WebP|TIFF|BMP|HEIC", text) == formats


async def test_an_account_disabled_from_the_cli_ends_its_open_sockets(
    start_server: StartServer, session: aiohttp.ClientSession
) -> None:
    # Keepalives far apart: the message after the CLI's change is the refusal, not a repeat.
    irisd = await start_server(ws={"keepalive_s": 30.0, "account_check_s": 0.05})
    user = await create_user(irisd)
    phone = await signed_in(irisd, session, user.email)
    async with phone.ws("/ws/jobs") as stream:
        await disable_in_another_process(irisd, user.email)
        assert_detail(await phone.get(ME), 401, "disabled")
        message = await stream.receive_json()
        await stream.receive()  # the close
    assert message == {"error": "Authentication failed", "detail": NO_ACCOUNT}
    assert stream.close_code == 1008


async def disable_in_another_process(irisd: Irisd, email: str) -> None:
    """`irisd users disable EMAIL` as the box's admin runs it, beside the server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IRISD_")}
    env["IRISD_DATA_DIR"] = str(irisd.settings.data_path)
    cli = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "irisd", "users", "disable", email, env=env
    )
    assert await cli.wait() == 0
