"""What the privacy tests share: a photo of a person, a completed job, a consent."""

from __future__ import annotations

from typing import Any

from tests.support import images
from tests.support.clients import ApiClient
from tests.support.pipelines import final

CONSENT = "/api/v1/privacy/consent"


async def photo_of(api: ApiClient, label: str | None = None, name: str = "eye.jpg") -> Any:
    """A photo uploaded by `api`'s user, labelled for a client when `label` is given."""
    photo = await api.upload(images.jpeg(), filename=name)
    if label is not None:
        path = f"/api/v1/photos/{photo['id']}"
        photo = (await api.request("PATCH", path, json_body={"label": label})).expect(200)
    return photo


async def completed(api: ApiClient, photo_id: str) -> dict[str, Any]:
    """A job of the photo, run to completion, as REST shows it (with its URLs)."""
    job_id = (await api.post("/api/v1/processing/submit", {"photo_id": photo_id})).expect(201)[
        "job_id"
    ]
    assert (await final(api, job_id))["status"] == "completed"
    job: dict[str, Any] = (await api.get(f"/api/v1/processing/jobs/{job_id}")).expect(200)
    return job


async def consent(api: ApiClient, label: str | None = None, source: str = "app") -> Any:
    """Grant consent to this box's current text, for the account or a client of it."""
    shown = (await api.get("/api/v1/privacy/jurisdiction")).expect(200)
    body = {
        "consent_type": "biometric_capture",
        "jurisdiction": shown["jurisdiction"],
        "consent_text_version": shown["consent_requirements"]["consent_text_version"],
        "source": source,
        "label": label,
    }
    return (await api.post(CONSENT, body)).expect(201)
