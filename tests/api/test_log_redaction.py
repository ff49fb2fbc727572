"""Tokens and passwords never reach a log line, including ?token= on WebSocket URLs."""

from __future__ import annotations

from irisd.logs import redact_text
from tests.conftest import captured_logs, leaked_secrets
from tests.support.clients import ApiClient


async def test_auth_and_websocket_traffic_leaves_no_secret_in_logs(api: ApiClient) -> None:
    before = len(captured_logs())
    assert (await api.post("/api/v1/auth/refresh", {"refresh_token": api.refresh_token})).status
    job_path = "/ws/jobs/00000000-0000-4000-8000-000000000000"
    async with api.ws(job_path) as socket:
        await socket.receive()
    async with api.ws(job_path, token="eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl") as s:
        await s.receive()
    bad = await api.get("/api/v1/users/me", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status == 401
    written = captured_logs()[before:]
    assert "request.handled" in written  # the requests were logged…
    assert leaked_secrets(written) == []  # …without their secrets


def test_redaction_masks_query_tokens_bearer_and_jwts() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    text = f"GET /ws/jobs/1?token={jwt}&since=3 Authorization: Bearer abc.def {jwt}"
    masked = redact_text(text)
    assert jwt not in masked
    assert "abc.def" not in masked
    assert "since=3" in masked


async def test_password_in_failed_login_is_not_logged(api: ApiClient) -> None:
    before = len(captured_logs())
    secret = "hunter2-never-logged"
    reply = await api.post(
        "/api/v1/auth/login/json", {"email": "nobody@example.test", "password": secret}, auth=False
    )
    assert reply.status == 401
    assert secret not in captured_logs()[before:]
