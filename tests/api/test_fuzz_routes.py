"""Hypothesis fuzzes every route's path, query and body: never a 500; a 4xx is the contract JSON.

The server runs on its own event loop in a thread for the whole module (hypothesis drives a
plain function); the user, a photo and a job exist, so real ids reach the handlers' depths.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import aiohttp
import pytest
import yarl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irisd import api
from tests.conftest import PASSWORD, IrisdTestServer, create_user, fresh_settings
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.pipelines import pipeline

T = TypeVar("T")
STATIC_PREFIXES = ("/static/",)


@dataclass
class Target:
    base_url: str
    token: str
    ids: list[str]
    loop: asyncio.AbstractEventLoop
    session: aiohttp.ClientSession

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)


async def _prepare(data_dir: Path, loop: asyncio.AbstractEventLoop) -> tuple[Target, Any]:
    from irisd.app import create_app

    settings = fresh_settings(data_dir, jobs=pipeline("ok"))
    app = create_app(settings)
    server = IrisdTestServer(app, host="127.0.0.1", port=0)
    await server.start_server(access_log=None)
    url = str(server.make_url("")).rstrip("/")
    from tests.conftest import Irisd

    user = await create_user(Irisd(url, app, settings))
    session = aiohttp.ClientSession()
    client = ApiClient(session, url)
    await client.login(user.email, PASSWORD)
    photo = await client.upload(images.jpeg())
    job = (await client.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).expect(201)
    assert client.access_token is not None
    target = Target(url, client.access_token, [photo["id"], job["job_id"]], loop, session)
    return target, server


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    future = asyncio.run_coroutine_threadsafe(_prepare(tmp_path_factory.mktemp("fuzz"), loop), loop)
    found, server = future.result(timeout=120)
    yield found
    found.run(found.session.close())
    found.run(server.close())
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=30)
    loop.close()


def _route_table() -> list[tuple[str, str]]:
    table = [(route.method, route.path) for route in api.routes() if hasattr(route, "path")]
    return [*table, ("GET", "/"), ("GET", "/static/{name}")]


ROUTES = _route_table()
NUMBERISH = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["²", "٣", "1e3", "0x10", " 1", "1.5", "", "9" * 5000, "NaN"]),
    st.text(max_size=20),
)
SEGMENT = st.one_of(
    st.sampled_from(["..", ".", "%", "²", "9" * 40, "\x00", "a/b"]),
    st.uuids().map(str),
    st.text(max_size=30),
)
QUERY_KEYS = st.one_of(
    st.sampled_from(["page", "page_size", "since", "expires", "sig", "token", "content_type"]),
    st.text(max_size=8),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)
JSON_OBJECTS = st.fixed_dictionaries(
    {},
    optional={
        key: st.one_of(JSON_VALUES, NUMBERISH)
        for key in (
            "email",
            "password",
            "photo_id",
            "photo_ids",
            "refresh_token",
            "content_type",
            "file_size",
            "width",
            "height",
        )
    },
)
BODIES = st.one_of(
    st.none(),
    st.binary(max_size=300),
    JSON_OBJECTS.map(json.dumps).map(str.encode),
    st.integers(1, 5000).map(lambda depth: b"[" * depth),
)
CONTENT_TYPES = st.sampled_from(
    [None, "application/json", "application/x-www-form-urlencoded",
     "multipart/form-data; boundary=x", "text/plain"]
)  # fmt: skip


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: bytes | None
    content_type: str | None
    with_token: bool


@st.composite
def calls(draw: st.DrawFn) -> Call:
    method, template = draw(st.sampled_from(ROUTES))
    if draw(st.integers(0, 9)) == 0:
        method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]))
    parts = []
    for part in template.strip("/").split("/"):
        if part.startswith("{"):
            part = quote(draw(st.one_of(SEGMENT, st.just("REAL"))), safe="")
        parts.append(part)
    query = draw(st.dictionaries(QUERY_KEYS, NUMBERISH, max_size=4))
    return Call(
        method,
        "/" + "/".join(parts),
        query,
        draw(BODIES),
        draw(CONTENT_TYPES),
        draw(st.booleans()),
    )


async def _send(target: Target, call: Call, real_id: str) -> tuple[int, bytes, str]:
    path = call.path.replace("REAL", real_id)
    query = urlencode(
        {k: v.replace("TOKEN", target.token) for k, v in call.query.items()}, errors="replace"
    )
    url = yarl.URL(f"{target.base_url}{path}" + (f"?{query}" if query else ""), encoded=True)
    headers = {"Content-Type": call.content_type} if call.content_type else {}
    if call.with_token:
        headers["Authorization"] = f"Bearer {target.token}"
    async with target.session.request(call.method, url, data=call.body, headers=headers) as resp:
        return resp.status, await resp.read(), resp.content_type


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(call=calls(), which=st.integers(0, 1))
def test_no_route_answers_500_to_any_path_query_or_body(
    target: Target, call: Call, which: int
) -> None:
    status, body, content_type = target.run(_send(target, call, target.ids[which]))
    assert status < 500, (call, body[:300])
    if status >= 400 and not call.path.startswith(STATIC_PREFIXES):
        assert content_type == "application/json", (call, body[:300])
        reply = json.loads(body)
        assert set(reply) == {"detail"}, (call, reply)
        assert isinstance(reply["detail"], str)
        assert reply["detail"]
