"""Requests must name this box (issue 25 #10): with `public_url` empty, signed URLs and the
WebSocket's own origin come from the Host header, so a name pointed at this box by a page of
another site (DNS rebinding) is refused before anything is built from it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
import pytest

from irisd.api.hosts import UnknownHost
from tests.conftest import Irisd
from tests.support.clients import ApiClient

StartServer = Callable[..., Awaitable[Irisd]]
UPLOAD = "/api/v1/photos/upload"


async def ticket(api: ApiClient, host: str) -> tuple[int, dict[str, str]]:
    reply = await api.post(UPLOAD, {"content_type": "image/jpeg"}, headers={"Host": host})
    return reply.status, reply.body


async def test_a_foreign_host_gets_no_signed_url(api: ApiClient) -> None:
    status, body = await ticket(api, "evil.example")
    assert (status, body) == (400, {"detail": UnknownHost.message})


async def test_a_socket_from_a_rebound_name_is_refused(
    api: ApiClient, session: aiohttp.ClientSession
) -> None:
    headers = {"Host": "evil.example", "Origin": "http://evil.example"}
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        async with session.ws_connect(api.ws_url("/ws/jobs"), headers=headers):
            pass
    assert refused.value.status == 400


@pytest.mark.parametrize("host", ["127.0.0.1", "LOCALHOST", "[::1]", "192.168.1.20"])
async def test_addresses_and_localhost_are_this_box(api: ApiClient, host: str) -> None:
    status, body = await ticket(api, f"{host}:8000")
    assert status == 201
    assert body["upload_url"].startswith(f"http://{host}:8000/files/")


async def test_a_configured_name_is_this_box(
    start_server: StartServer, user_factory: Callable[..., Awaitable[ApiClient]]
) -> None:
    irisd = await start_server(server={"allowed_hosts": "irisd.clinic.lan"})
    api = await user_factory(irisd)
    assert (await ticket(api, "irisd.clinic.lan."))[0] == 201
    assert (await ticket(api, "other.clinic.lan"))[0] == 400
