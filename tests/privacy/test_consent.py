"""The app's consent flow served by the box: the clinic's text, grant, status, list, withdraw;
and no processing without consent when the clinic requires it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from irisd.errors import ConsentRequired, ConsentWithdrawn
from irisd.privacy.consents import TextChanged
from tests.conftest import Irisd
from tests.privacy.helpers import CONSENT, consent, photo_of
from tests.support.clients import ApiClient
from tests.support.pipelines import pipeline

UserFactory = Callable[..., Awaitable[ApiClient]]
Start = Callable[..., Awaitable[Irisd]]
STATUS = "/api/v1/privacy/consent/biometric-status"
SUBMIT = "/api/v1/processing/submit"


async def test_status_grant_and_withdraw_as_the_app_calls_them(
    start_server: Start, user_factory: UserFactory
) -> None:
    irisd = await start_server(privacy={"jurisdiction": "gdpr"})
    api = await user_factory(irisd)
    assert (await api.get(STATUS)).expect(200)["has_consent"] is False

    shown = (await api.get("/api/v1/privacy/jurisdiction", auth=False)).expect(200)
    assert shown["jurisdiction"] == "gdpr"
    requirements = shown["consent_requirements"]
    assert "GDPR Art. 9" in requirements["consent_text"]
    assert requirements["requires_explicit_consent"] is True
    granted = await consent(api)
    assert (granted["granted"], granted["jurisdiction"], granted["source"]) == (True, "gdpr", "app")
    assert granted["consent_text_version"] == requirements["consent_text_version"]
    assert (await api.get(STATUS)).expect(200)["has_consent"] is True

    again = (await api.post(CONSENT, {**_asked(shown), "source": "app"})).expect(200)
    assert again["id"] == granted["id"]  # a repeated tap records nothing twice
    withdrawn = (await api.post(f"{CONSENT}/{granted['id']}/withdraw")).expect(200)
    assert withdrawn["granted"] is False
    assert withdrawn["withdrawn_at"] >= granted["granted_at"]
    assert (await api.get(STATUS)).expect(200)["has_consent"] is False
    # The record stays, withdrawn: the law asks the clinic to show consent and its end.
    [kept] = (await api.get(CONSENT)).expect(200)["consents"]
    assert (kept["id"], kept["granted"]) == (granted["id"], False)


def _asked(shown: dict[str, str | dict[str, str]]) -> dict[str, str]:
    requirements = shown["consent_requirements"]
    assert isinstance(requirements, dict)
    return {
        "consent_type": "biometric_capture",
        "jurisdiction": str(shown["jurisdiction"]),
        "consent_text_version": requirements["consent_text_version"],
    }


async def test_the_clinics_own_text_and_version_are_what_consent_is_given_to(
    start_server: Start, user_factory: UserFactory
) -> None:
    text = "Our studio's own consent, reviewed by counsel."
    irisd = await start_server(
        privacy={"jurisdiction": "bipa", "consent_text": text, "consent_text_version": "s-7"}
    )
    api = await user_factory(irisd)
    shown = (await api.get("/api/v1/privacy/jurisdiction")).expect(200)
    assert (shown["consent_requirements"]["consent_text"], shown["consent_text"]) == (text, text)
    assert shown["consent_requirements"]["consent_text_version"] == "s-7"
    stale = {**_asked(shown), "consent_text_version": "s-6"}
    reply = await api.post(CONSENT, stale)
    assert (reply.status, reply.detail) == (409, TextChanged.message)
    other_law = {**_asked(shown), "jurisdiction": "gdpr"}
    assert (await api.post(CONSENT, other_law)).status == 409
    assert (await api.post(CONSENT, {**_asked(shown), "consent_type": "x"})).status == 422
    assert (await api.get(CONSENT)).expect(200)["consents"] == []


async def test_with_consent_required_a_job_waits_for_the_persons_consent(
    start_server: Start, user_factory: UserFactory
) -> None:
    irisd = await start_server(jobs=pipeline("ok"), privacy={"require_consent": True})
    staff = await user_factory(irisd)
    own = await photo_of(staff)
    client = await photo_of(staff, label="Ada Lovelace")
    for photo in (own, client):
        reply = await staff.post(SUBMIT, {"photo_id": photo["id"]})
        assert (reply.status, reply.detail) == (403, ConsentRequired.message)
    batch = await staff.post("/api/v1/processing/batch", {"photo_ids": [own["id"], client["id"]]})
    assert (batch.status, batch.detail) == (403, ConsentRequired.message)

    # Staff record the client's consent (signed on paper) under the photo's label; the
    # account holder's own photo still waits for theirs.
    paper = await consent(staff, label="ada lovelace", source="paper")
    assert (paper["label"], paper["source"]) == ("ada lovelace", "paper")
    assert (await staff.post(SUBMIT, {"photo_id": client["id"]})).status == 201
    assert (await staff.post(SUBMIT, {"photo_id": own["id"]})).status == 403
    status = (await staff.get(STATUS, params={"label": "Ada Lovelace"})).expect(200)
    assert status["has_consent"] is True
    assert status["consent_record"]["id"] == paper["id"]


async def test_without_the_requirement_jobs_run_but_a_withdrawn_person_is_refused(
    start_server: Start, user_factory: UserFactory
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))  # require_consent off: the default
    api = await user_factory(irisd)
    first = await photo_of(api)
    assert (await api.post(SUBMIT, {"photo_id": first["id"]})).status == 201
    granted = await consent(api)
    await api.post(f"{CONSENT}/{granted['id']}/withdraw")
    later = await photo_of(api)
    reply = await api.post(SUBMIT, {"photo_id": later["id"]})
    assert (reply.status, reply.detail) == (403, ConsentWithdrawn.message)
    await consent(api)  # they consent again
    assert (await api.post(SUBMIT, {"photo_id": later["id"]})).status == 201


@pytest.mark.parametrize("path", [STATUS, CONSENT, "/api/v1/privacy/export"])
async def test_the_persons_endpoints_need_a_token(server: Irisd, api: ApiClient, path: str) -> None:
    assert (await api.get(path, auth=False)).status == 401


async def test_no_one_withdraws_or_sees_anothers_consent(
    server: Irisd, user_factory: UserFactory
) -> None:
    alice, mallory = await user_factory(server), await user_factory(server)
    granted = await consent(alice)
    assert (await mallory.post(f"{CONSENT}/{granted['id']}/withdraw")).status == 404
    assert (await mallory.get(CONSENT)).expect(200)["consents"] == []
    assert (await alice.get(STATUS)).expect(200)["has_consent"] is True
