"""A lone UTF-16 surrogate in a JSON string (`"\\ud800"`) is a 400, never a 500 from the first
encode that meets it (issue 25 #10: argon2, on login)."""

from __future__ import annotations

import pytest

from irisd.api.schemas import LONE_SURROGATE
from tests.conftest import Irisd
from tests.support.clients import ApiClient

LOGIN = "/api/v1/auth/login/json"


@pytest.mark.parametrize(
    "body",
    [
        b'{"email": "a\\ud800@example.test", "password": "x"}',
        b'{"email": "a@example.test", "password": "\\udfff"}',
    ],
)
async def test_a_lone_surrogate_in_login_is_a_400(
    server: Irisd, api: ApiClient, body: bytes
) -> None:
    reply = await api.request(
        "POST", LOGIN, data=body, headers={"Content-Type": "application/json"}, auth=False
    )
    assert (reply.status, reply.body) == (400, {"detail": LONE_SURROGATE})


async def test_a_surrogate_pair_is_text_like_any_other(api: ApiClient) -> None:
    body = b'{"email": "nobody\\ud83d\\ude00@example.test", "password": "wrong"}'
    reply = await api.request(
        "POST", LOGIN, data=body, headers={"Content-Type": "application/json"}, auth=False
    )
    assert reply.status == 401


async def test_a_lone_surrogate_in_the_login_form_is_refused(api: ApiClient) -> None:
    reply = await api.request(
        "POST",
        "/api/v1/auth/login",
        data=b"username=a%ED%A0%80%40example.test&password=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        auth=False,
    )
    assert 400 <= reply.status < 500
