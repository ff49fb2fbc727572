"""No processing without consent: the check every job submission passes (submit, batch,
reprocess) for the person of the photo (person.py).

A person who withdrew, or whose data was erased, is refused until they consent again,
whatever `[privacy] require_consent` says: that is an objection on record. With
`require_consent` on, a person without a consent in force is refused too.
"""

from __future__ import annotations

from irisd.config import PrivacySettings
from irisd.db import Database
from irisd.errors import ConsentRequired, ConsentWithdrawn
from irisd.photos import Photo
from irisd.privacy import consents
from irisd.privacy.erasure import last_erased
from irisd.privacy.person import Person


async def check(db: Database, settings: PrivacySettings, photo: Photo) -> None:
    """Return when the photo's person may be processed; else the classified refusal."""
    person = Person(photo.user_id, photo.label)
    consent = await consents.active(db, person)
    erased_at = await last_erased(db, person)
    if erased_at is not None and (consent is None or consent.granted_at < erased_at):
        raise ConsentWithdrawn(photo_id=photo.id)
    if settings.require_consent and consent is None:
        raise ConsentRequired(photo_id=photo.id)


async def check_all(db: Database, settings: PrivacySettings, found: list[Photo]) -> None:
    """`check` for each photo of a batch: one person without consent refuses the batch, so
    staff see why rather than finding fewer jobs than photos."""
    for photo in found:
        await check(db, settings, photo)
