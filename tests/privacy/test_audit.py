"""Audit without leaks: grants, withdrawals, erasures and exports are logged with who and when,
and no log line carries a token, the consent text, a client's label or image bytes."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from irisd.privacy.jurisdictions import consent_text
from tests.conftest import Irisd, captured_logs
from tests.privacy.helpers import CONSENT, completed, consent, photo_of
from tests.support.clients import ApiClient
from tests.support.pipelines import pipeline

UserFactory = Callable[..., Awaitable[ApiClient]]
Start = Callable[..., Awaitable[Irisd]]
LABEL = "Zelda Quimby-Ortega"  # a client's name: personal data, never logged


def privacy_events(since: int) -> list[dict[str, Any]]:
    lines = captured_logs()[since:].splitlines()
    events = [json.loads(line) for line in lines if line.startswith("{")]
    return [event for event in events if str(event.get("event", "")).startswith("privacy.")]


async def test_each_right_exercised_is_logged_with_who_and_when_and_nothing_personal(
    start_server: Start, user_factory: UserFactory
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    api = await user_factory(irisd)
    since = len(captured_logs())
    granted = await consent(api, label=LABEL, source="console")
    photo = await photo_of(api, label=LABEL)
    await completed(api, photo["id"])
    assert (await api.get("/api/v1/privacy/export", params={"label": LABEL})).status == 200
    await api.post(f"{CONSENT}/{granted['id']}/withdraw")

    events = privacy_events(since)
    user_id = photo["user_id"]
    assert [e["event"] for e in events] == [
        "privacy.consent_granted",
        "privacy.exported",
        "privacy.erased",
    ]
    assert all(e["user_id"] == user_id and e["by"] == user_id and e["at"] for e in events)
    assert events[0]["consent_id"] == granted["id"]
    assert events[2]["consents_withdrawn"] == [granted["id"]]
    logged = captured_logs()[since:]
    paragraphs = consent_text(irisd.settings.privacy).text.split("\n\n")  # JSON escapes \n
    secrets = [api.access_token, api.refresh_token, LABEL, *paragraphs]
    assert [s for s in secrets if s and s in logged] == []
