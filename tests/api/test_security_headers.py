"""Security headers on every response (console, API, signed files, aiohttp's own errors) and the
WebSocket Origin check."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import aiohttp
import pytest

from tests.conftest import Irisd
from tests.support import images
from tests.support.clients import ApiClient, Reply

StartServer = Callable[..., Awaitable[Irisd]]
CONSOLE = ["/", "/static/js/main.js", "/static/console.css", "/static/favicon.svg"]
API = ["/healthz", "/metrics", "/api/openapi.json", "/api/v1/users/me", "/no/such/path"]


def assert_hardened(reply: Reply) -> str:
    headers = reply.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Server"] == "irisd"  # no Python or aiohttp version
    assert "Strict-Transport-Security" not in headers  # plain HTTP: only in TLS mode
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    return policy


@pytest.mark.parametrize("path", CONSOLE)
async def test_the_console_allows_only_its_own_scripts_styles_and_images(
    api: ApiClient, path: str
) -> None:
    reply = await api.get(path, auth=False)
    assert reply.status == 200
    policy = assert_hardened(reply)
    assert "script-src 'self';" in policy
    assert "style-src 'self';" in policy
    assert "img-src 'self' blob:;" in policy  # results, originals, upload previews
    assert "connect-src 'self';" in policy  # the API and its WebSockets


@pytest.mark.parametrize("path", API)
@pytest.mark.parametrize("signed_in", [True, False])
async def test_api_answers_are_locked_down(api: ApiClient, path: str, signed_in: bool) -> None:
    policy = assert_hardened(await api.get(path, auth=signed_in))
    assert "script-src" not in policy


async def test_a_stored_jpeg_html_polyglot_is_served_as_an_image_that_cannot_run(
    api: ApiClient,
) -> None:
    polyglot = images.jpeg() + b"<html><script>alert(document.cookie)</script></html>"
    photo = await api.upload(polyglot)
    reply = await api.get(photo["original_url"], auth=False)
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "image/jpeg"
    assert "script-src" not in assert_hardened(reply)


async def test_aiohttp_own_errors_carry_the_headers_too(api: ApiClient) -> None:
    reply = await api.get("/healthz", headers={"X-Long": "h" * 20_000})
    assert reply.status == 400
    assert_hardened(reply)


async def test_storage_elsewhere_is_allowed_for_images_only_as_configured(
    start_server: StartServer, session: aiohttp.ClientSession
) -> None:
    server = await start_server(server={"public_url": "http://192.168.1.20:8000"})
    reply = await ApiClient(session, server.url).get("/")
    assert "img-src 'self' blob: http://192.168.1.20:8000;" in assert_hardened(reply)


async def _socket_answer(api: ApiClient, origin: str | None) -> tuple[dict[str, object], int]:
    photo = await api.upload(images.jpeg())
    job = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).expect(201)
    headers = {"Origin": origin} if origin else {}
    url = api.ws_url(f"/ws/jobs/{job['job_id']}")
    async with api.session.ws_connect(url, headers=headers) as socket:
        first = await asyncio.wait_for(socket.receive_json(), timeout=30)
        await socket.close()
    return first, socket.close_code or 0


async def test_a_socket_from_another_sites_page_is_refused(api: ApiClient) -> None:
    async with api.session.ws_connect(
        api.ws_url("/ws/jobs"), headers={"Origin": "http://evil.example"}
    ) as socket:
        message = await asyncio.wait_for(socket.receive_json(), timeout=10)
        await asyncio.wait_for(socket.receive(), timeout=10)
    assert message["detail"] == "WebSockets from this page's origin are not allowed."
    assert set(message) == {"error", "detail"}
    assert socket.close_code == 1008


@pytest.mark.parametrize("origin", [None, "same"])
async def test_sockets_without_origin_or_from_the_console_are_served(
    api: ApiClient, origin: str | None
) -> None:
    own = api.base_url if origin == "same" else None
    first, _code = await _socket_answer(api, own)
    assert "error" not in first
    assert "status" in first


async def test_configured_origins_may_open_sockets(
    start_server: StartServer, user_factory: Callable[..., Awaitable[ApiClient]]
) -> None:
    server = await start_server(ws={"origins": "https://studio.example http://other.test"})
    api = await user_factory(server)
    first, _code = await _socket_answer(api, "https://studio.example")
    assert "error" not in first
