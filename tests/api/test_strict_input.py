"""Malformed numbers and JSON get the contract's 4xx JSON (issue 14 reproductions), never 500."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.api.test_auth import LOGIN, assert_detail
from tests.conftest import Irisd
from tests.support import images
from tests.support.clients import ApiClient

HUGE = "9223372036854775807"  # 2**63 - 1: an OFFSET of it overflowed SQLite
PAST_SQLITE = "18446744073709551616"  # 2**64
SUPERSCRIPT_TWO = "%C2%B2"  # "²": str.isdigit() says yes, int() says no


@pytest.mark.parametrize("path", ["/api/v1/photos", "/api/v1/processing/jobs"])
@pytest.mark.parametrize(
    "query",
    [
        f"page={HUGE}",
        f"page={SUPERSCRIPT_TWO}",
        f"page_size={SUPERSCRIPT_TWO}",
        f"page={PAST_SQLITE}",
        "page=" + "9" * 5000,
        "page=%D9%A3",  # Arabic-Indic three
        "page=-1",
        "page=1.0",
        "page_size=101",
    ],
)
async def test_bad_paging_numbers_are_422(api: ApiClient, path: str, query: str) -> None:
    assert_detail(await api.get(f"{path}?{query}"), 422, "whole number")


async def test_paging_still_takes_plain_numbers(api: ApiClient) -> None:
    reply = await api.get("/api/v1/photos?page=1000000&page_size=100")
    assert reply.status == 200
    assert reply.body["items"] == []


@pytest.mark.parametrize("expires", [SUPERSCRIPT_TWO, "9" * 5000, PAST_SQLITE, "-1", ""])
async def test_signed_file_urls_with_bad_expiry_are_403_without_auth(
    server: Irisd, session: aiohttp.ClientSession, expires: str
) -> None:
    anon = ApiClient(session, server.url)
    reply = await anon.get(f"/files/anything?expires={expires}&sig=00")
    assert_detail(reply, 403, "invalid or has expired")


async def test_deeply_nested_login_json_is_refused(server: Irisd, anon: ApiClient) -> None:
    # The reproduction: 100,000 nested `[` (over the JSON size bound: 413).
    reply = await anon.post(LOGIN, data="[" * 100_000, headers=_JSON)
    assert_detail(reply, 413)
    # Within the size bound but deeper than any body of the contract: 400.
    reply = await anon.post(LOGIN, data="[" * 10_000, headers=_JSON)
    assert_detail(reply, 400, "nested")
    assert_detail(await anon.post(LOGIN, data='{"a":' * 40 + "1" + "}" * 40, headers=_JSON), 400)


@pytest.mark.parametrize(
    "body",
    [
        '{"email": "a@b.test", "password": ' + "9" * 5000 + "}",  # past int()'s 4,300 digits
        '{"email": NaN, "password": "x"}',
        b'{"email": "\xff"}',
        '{"email": "a@b.test", "password": "x"',  # unterminated
        '"just a string"',
    ],
)
async def test_malformed_json_bodies_are_400(anon: ApiClient, body: str | bytes) -> None:
    assert_detail(await anon.post(LOGIN, data=body, headers=_JSON), 400)


async def test_a_json_body_past_the_size_bound_is_413_even_when_chunked(api: ApiClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"photo_id": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    reply = await api.request("POST", "/api/v1/processing/submit", data=chunks(), headers=_JSON)
    assert_detail(reply, 413)


async def test_ordinary_json_with_brackets_in_strings_still_works(
    api: ApiClient,
) -> None:
    photo = await api.upload(images.jpeg())
    reply = await api.post("/api/v1/processing/batch", {"photo_ids": [photo["id"], "[[[[{{{{"]})
    assert reply.status == 201


@pytest.mark.parametrize("socket_path", ["/ws/jobs", "/ws/jobs/{job_id}"])
@pytest.mark.parametrize("since", [SUPERSCRIPT_TWO, PAST_SQLITE, "9" * 5000, "-1"])
async def test_bad_since_on_a_socket_is_an_error_message_then_1008(
    api: ApiClient, socket_path: str, since: str
) -> None:
    photo = await api.upload(images.jpeg())
    job = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).expect(201)
    url = api.ws_url(socket_path.format(job_id=job["job_id"])) + f"&since={since}"
    async with api.session.ws_connect(url) as socket:
        message = await asyncio.wait_for(socket.receive_json(), timeout=10)
        closing = await asyncio.wait_for(socket.receive(), timeout=10)
    assert message == {"error": message["error"], "detail": "'since' must be a whole number."}
    assert closing.type == aiohttp.WSMsgType.CLOSE
    assert socket.close_code == 1008


async def test_an_over_long_header_gets_the_contract_json(server: Irisd, anon: ApiClient) -> None:
    reply = await anon.get("/api/v1/users/me", headers={"X-Long": "t" * 20_000})
    assert_detail(reply, 400, "headers")
    assert "ttttt" not in json.dumps(reply.body)


_JSON = {"Content-Type": "application/json"}


@pytest.fixture
def anon(server: Irisd, session: aiohttp.ClientSession) -> ApiClient:
    return ApiClient(session, server.url)
