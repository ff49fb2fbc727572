"""Consent records: granted, listed, withdrawn; kept when the data they cover is erased.

A record says who (the account, and the client's label when staff recorded it for one), what
(`consent_type`), under which law and text version, how (`source`: the app, the console on
screen, or a signed paper form) and by whom, and when it was granted and withdrawn. It never
holds the text itself, nor any image.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from irisd.db import Database, Row, now
from irisd.errors import Conflict, InvalidField, NotFound
from irisd.logs import get_logger
from irisd.privacy.jurisdictions import ConsentText
from irisd.privacy.person import Person, Scope

BIOMETRIC = "biometric_capture"
CONSENT_TYPES = (BIOMETRIC, "data_processing")  # the app's ConsentGrantRequest
SOURCES = ("app", "console", "paper")
BAD_TYPE = f"'consent_type' must be one of {', '.join(CONSENT_TYPES)}."
BAD_SOURCE = f"'source' must be one of {', '.join(SOURCES)}."

log = get_logger(__name__)


class TextChanged(Conflict):
    message = (
        "The consent text shown is not this server's current one: fetch it again"
        " (GET /api/v1/privacy/jurisdiction), show it and ask again."
    )


@dataclass(frozen=True)
class Consent:
    id: str
    user_id: str
    label: str | None
    consent_type: str
    jurisdiction: str
    text_version: str
    source: str
    recorded_by: str
    granted_at: str
    withdrawn_at: str | None

    @property
    def granted(self) -> bool:
        return self.withdrawn_at is None

    @classmethod
    def from_row(cls, row: Row) -> Consent:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Request:
    """A consent as asked for: what the person agreed to, as the client says it was shown."""

    consent_type: str
    jurisdiction: str
    text_version: str
    source: str

    def check(self, current: ConsentText) -> None:
        if self.consent_type not in CONSENT_TYPES:
            raise InvalidField(BAD_TYPE)
        if self.source not in SOURCES:
            raise InvalidField(BAD_SOURCE)
        same_law = self.jurisdiction.lower() == current.jurisdiction
        if not same_law or self.text_version != current.version:
            raise TextChanged(shown=self.text_version, current=current.version)


_COLUMNS = tuple(Consent.__dataclass_fields__)
_INSERT = (
    f"INSERT INTO consents ({', '.join(_COLUMNS)})"  # noqa: S608 - fixed names, not values
    f" VALUES ({', '.join('?' for _ in _COLUMNS)})"
)


async def grant(
    db: Database, person: Person, asked: Request, current: ConsentText, by: str
) -> tuple[Consent, bool]:
    """Record the person's consent: (the record, True), or (their active one of that type,
    False) when they already gave it, so a repeated tap records nothing twice."""
    asked.check(current)
    where, values = person.clause()
    async with db.transaction() as conn:
        cursor = await conn.execute(
            f"SELECT * FROM consents WHERE {where} AND consent_type = ?"  # noqa: S608
            " AND withdrawn_at IS NULL",
            (*values, asked.consent_type),
        )
        found = await cursor.fetchone()
        if found is not None:
            return Consent.from_row(found), False
        consent = Consent(
            str(uuid.uuid4()), person.user_id, person.label, asked.consent_type,
            current.jurisdiction, current.version, asked.source, by, now(), None,
        )  # fmt: skip
        await conn.execute(_INSERT, [getattr(consent, name) for name in _COLUMNS])
    log.info(
        "privacy.consent_granted", consent_id=consent.id, user_id=person.user_id, by=by,
        for_client=person.label is not None, consent_type=consent.consent_type,
        jurisdiction=consent.jurisdiction, text_version=consent.text_version,
        source=consent.source, at=consent.granted_at,
    )  # fmt: skip
    return consent, True


async def of(db: Database, scope: Scope) -> list[Consent]:
    """The records of a person (or of everyone under an account), newest first."""
    where, values = scope.clause()
    rows = await db.fetchall(
        f"SELECT * FROM consents WHERE {where} ORDER BY granted_at DESC, rowid DESC",  # noqa: S608
        values,
    )
    return [Consent.from_row(row) for row in rows]


async def get(db: Database, user_id: str, consent_id: str) -> Consent:
    """One of the account's records; unknown and foreign ids raise the same NotFound."""
    row = await db.fetchone(
        "SELECT * FROM consents WHERE id = ? AND user_id = ?", (consent_id, user_id)
    )
    if row is None:
        raise NotFound(consent_id=consent_id)
    return Consent.from_row(row)


async def active(db: Database, person: Person, consent_type: str = BIOMETRIC) -> Consent | None:
    """The person's consent of that type in force, if any."""
    where, values = person.clause()
    row = await db.fetchone(
        f"SELECT * FROM consents WHERE {where} AND consent_type = ?"  # noqa: S608
        " AND withdrawn_at IS NULL ORDER BY granted_at DESC LIMIT 1",
        (*values, consent_type),
    )
    return Consent.from_row(row) if row else None


async def withdraw_all(db: Database, scope: Scope, at: str) -> list[str]:
    """Withdraw every consent in force of the person (or account) at `at`; their ids."""
    where, values = scope.clause()
    async with db.transaction() as conn:
        cursor = await conn.execute(
            f"UPDATE consents SET withdrawn_at = ? WHERE {where}"  # noqa: S608
            " AND withdrawn_at IS NULL RETURNING id",
            (at, *values),
        )
        return [str(row[0]) for row in await cursor.fetchall()]
