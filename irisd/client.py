"""An HTTP and WebSocket client of the irisd API, speaking it as the IrisArt app does.

`irisd submit` drives a running server with it; the tests (tests/support/clients.py) and
the benches reuse it, so the app's habits are written once: JSON bodies with their
Content-Type, a Bearer header, `?token=` on WebSockets (not URL-encoded: JWTs are URL-safe),
uploads as a multipart `file` field, batches of at most 10.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

API = "/api/v1"
BATCH = 10  # API.md: a batch holds 1..10 photos


@dataclass
class Reply:
    status: int
    body: Any  # the parsed JSON when the server sent JSON, else the raw bytes
    headers: dict[str, str] = field(default_factory=dict)
    reason: str = ""

    @property
    def detail(self) -> str | None:
        """The server's sentence of a refusal ({"detail"}), if it sent one."""
        detail = self.body.get("detail") if isinstance(self.body, dict) else None
        return detail if isinstance(detail, str) else None

    def expect(self, status: int) -> Any:
        """The body, when the server answered `status`; else `Refused`."""
        if self.status != status:
            raise Refused(self)
        return self.body


class Refused(Exception):
    """The server did not do what was asked: its status and sentence ("404: Not found.")."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(f"{reply.status}: {reply.detail or reply.reason}")
        self.reply = reply


class Client:
    """A client of one irisd server, anonymous until `login` (or given an access token)."""

    def __init__(
        self, session: aiohttp.ClientSession, base_url: str, access_token: str | None = None
    ) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.access_token = access_token
        self.refresh_token: str | None = None

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base_url}{path}"

    def ws_url(self, path: str, *, token: str | None = None, since: int | None = None) -> str:
        """The WebSocket URL of `path`, as the app builds it: `?token=` as is."""
        query = f"token={token if token is not None else self.access_token}"
        if since is not None:
            query += f"&since={since}"
        return self.url(path).replace("http", "ws", 1) + "?" + query

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
        params: dict[str, str] | None = None,
    ) -> Reply:
        sent = dict(headers or {})
        if auth and self.access_token and "Authorization" not in sent:
            sent["Authorization"] = f"Bearer {self.access_token}"
        if json_body is not None:
            data = json.dumps(json_body)
            sent.setdefault("Content-Type", "application/json")
        async with self.session.request(
            method, self.url(path), data=data, headers=sent, params=params
        ) as resp:
            raw = await resp.read()
            body: Any = raw
            if resp.content_type == "application/json" and raw:
                body = json.loads(raw)
            return Reply(resp.status, body, dict(resp.headers), resp.reason or "")

    async def get(self, path: str, **kw: Any) -> Reply:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, json: Any = None, **kw: Any) -> Reply:
        return await self.request("POST", path, json_body=json, **kw)

    async def put(self, path: str, **kw: Any) -> Reply:
        return await self.request("PUT", path, **kw)

    async def delete(self, path: str, **kw: Any) -> Reply:
        return await self.request("DELETE", path, **kw)

    async def login(self, email: str, password: str) -> None:
        """Log in (JSON form) and keep the token pair; `Refused` on bad credentials."""
        body = {"email": email, "password": password}
        reply = await self.post(f"{API}/auth/login/json", body, auth=False)
        pair = reply.expect(200)
        self.access_token = pair["access_token"]
        self.refresh_token = pair["refresh_token"]

    async def upload(
        self, content: bytes, filename: str = "eye.jpg", content_type: str = "image/jpeg"
    ) -> dict[str, Any]:
        """Direct multipart upload; returns the Photo."""
        form = aiohttp.FormData()
        form.add_field("file", content, filename=filename, content_type=content_type)
        photo: dict[str, Any] = (await self.request("POST", f"{API}/photos", data=form)).expect(201)
        return photo

    async def upload_file(self, path: Path) -> dict[str, Any]:
        """Upload the file at `path` (its type guessed from the name; the server reads the
        bytes anyway)."""
        content = await asyncio.to_thread(path.read_bytes)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return await self.upload(content, path.name, kind)

    async def submit_all(self, photo_ids: Sequence[str]) -> list[dict[str, Any]]:
        """One job per photo, submitted in batches of 10 (earlier photos first); the Jobs."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(photo_ids), BATCH):
            batch = {"photo_ids": list(photo_ids[start : start + BATCH])}
            found += (await self.post(f"{API}/processing/batch", batch)).expect(201)["jobs"]
        return found

    @asynccontextmanager
    async def ws(
        self, path: str, *, token: str | None = None, since: int | None = None
    ) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
        """An open WebSocket on `path` (as the current user, unless `token` is given)."""
        url = self.ws_url(path, token=token, since=since)
        async with self.session.ws_connect(url, autoping=True) as socket:
            yield socket

    async def messages(self, job_id: str, **kw: Any) -> AsyncIterator[dict[str, Any]]:
        """Each message of /ws/jobs/{job_id} as it comes, until the server closes it."""
        async with self.ws(f"/ws/jobs/{job_id}", **kw) as socket:
            async for msg in socket:
                if msg.type == aiohttp.WSMsgType.TEXT:
                    yield json.loads(msg.data)

    async def watch(self, job_id: str, **kw: Any) -> list[dict[str, Any]]:
        """Every message of /ws/jobs/{job_id} until the server closes it."""
        return [message async for message in self.messages(job_id, **kw)]
