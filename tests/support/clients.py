"""HTTP and WebSocket clients for tests: the API as the mobile app speaks it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp

# Every token the suite sees, so the log redaction check can look for each one.
SEEN_SECRETS: set[str] = set()


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class ApiClient:
    """A logged-in (or anonymous) client of one irisd server."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.access_token: str | None = None
        self.refresh_token: str | None = None

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base_url}{path}"

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
            return Reply(resp.status, body, dict(resp.headers))

    async def get(self, path: str, **kw: Any) -> Reply:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, json: Any = None, **kw: Any) -> Reply:
        return await self.request("POST", path, json_body=json, **kw)

    async def put(self, path: str, **kw: Any) -> Reply:
        return await self.request("PUT", path, **kw)

    async def delete(self, path: str, **kw: Any) -> Reply:
        return await self.request("DELETE", path, **kw)

    async def login(self, email: str, password: str) -> None:
        SEEN_SECRETS.add(password)
        reply = await self.post(
            "/api/v1/auth/login/json", {"email": email, "password": password}, auth=False
        )
        assert reply.status == 200, reply.body
        self.access_token = reply.body["access_token"]
        self.refresh_token = reply.body["refresh_token"]
        SEEN_SECRETS.update({self.access_token, self.refresh_token})

    @asynccontextmanager
    async def ws(
        self, path: str, *, token: str | None = None, since: int | None = None
    ) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
        """Open a WebSocket as the app does: `?token=` in the query, not URL-encoded."""
        query = f"token={token if token is not None else self.access_token}"
        if since is not None:
            query += f"&since={since}"
        url = self.url(path).replace("http://", "ws://", 1) + "?" + query
        async with self.session.ws_connect(url, autoping=True) as socket:
            yield socket

    async def upload(self, content: bytes, filename: str = "eye.jpg") -> dict[str, Any]:
        """Direct multipart upload; returns the Photo."""
        form = aiohttp.FormData()
        form.add_field("file", content, filename=filename, content_type="image/jpeg")
        reply = await self.request("POST", "/api/v1/photos", data=form)
        assert reply.status == 201, reply.body
        photo: dict[str, Any] = reply.body
        return photo

    async def watch(self, job_id: str, **kw: Any) -> list[dict[str, Any]]:
        """Every message of /ws/jobs/{job_id} until the server closes it."""
        messages: list[dict[str, Any]] = []
        async with self.ws(f"/ws/jobs/{job_id}", **kw) as socket:
            async for msg in socket:
                if msg.type == aiohttp.WSMsgType.TEXT:
                    messages.append(json.loads(msg.data))
        return messages
