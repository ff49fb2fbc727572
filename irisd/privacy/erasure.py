"""Erase a person's biometric data: photos, results, masks, previews and thumbnails, from
storage and from the database, for good and at once.

An erasure the person (or staff for a client) asks for does not wait out the trash window
(`[storage] trash_days`): it takes what is in the trash too. It deletes through the one
function the trash's purge uses (`photos.erase`: objects first, then rows), after stopping
the photos' jobs (`stop_jobs`: the server's waits until none can write a result). The
consents in force are withdrawn and an `erasures` row kept as proof; from then on the
person's jobs are refused until they consent again (gate.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from irisd import photos
from irisd.db import Database, Row, now
from irisd.jobs import store
from irisd.jobs.model import JobStatus
from irisd.logs import get_logger
from irisd.privacy import consents
from irisd.privacy.person import Account, Person, Scope
from irisd.storage import Storage

StopJobs = Callable[[str], Awaitable[object]]
log = get_logger(__name__)

WITHDRAWN = "consent_withdrawn"
ERASED = "erased_by_staff"
ACCOUNT_DELETED = "account_deleted"


@dataclass(frozen=True)
class Erased:
    photos: int
    results: int
    erased_at: str
    withdrawn: tuple[str, ...]  # the ids of the consents withdrawn with it


async def erase(
    db: Database, storage: Storage, scope: Scope, stop_jobs: StopJobs, *, reason: str, by: str
) -> Erased:
    """Erase every photo of `scope` (in the trash or not) with all its jobs' objects and rows."""
    where, values = scope.clause()
    rows = await db.fetchall(f"SELECT * FROM photos WHERE {where}", values)  # noqa: S608
    stamp = now()
    # Consents first: from now on a new job of this person is refused (gate.py).
    withdrawn = tuple(await consents.withdraw_all(db, scope, stamp))
    results = 0
    for row in rows:
        photo = photos.Photo.from_row(row)
        await stop_jobs(photo.id)
        jobs = await store.jobs_of_photo(db, photo.id)
        results += sum(job.status is JobStatus.COMPLETED for job in jobs)
        await photos.erase(db, storage, photo)
    erased = Erased(len(rows), results, stamp, withdrawn)
    await _record(db, scope, reason, by, erased)
    log.info(
        "privacy.erased", user_id=scope.user_id, by=by, reason=reason,
        for_client=scope.label is not None, photos=erased.photos, results=erased.results,
        consents_withdrawn=list(withdrawn), at=stamp,
    )  # fmt: skip
    return erased


async def _record(db: Database, scope: Scope, reason: str, by: str, erased: Erased) -> None:
    await db.execute(
        "INSERT INTO erasures (id, user_id, label, reason, photos, results, erased_by,"
        " erased_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            str(uuid.uuid4()), scope.user_id, scope.label, reason, erased.photos,
            erased.results, by, erased.erased_at,
        ),
    )  # fmt: skip


async def last_erased(db: Database, person: Person) -> str | None:
    """When the person's data was last erased (their own erasure or their account's)."""
    where, values = person.clause()
    row = await db.fetchone(
        f"SELECT max(erased_at) FROM erasures WHERE ({where})"  # noqa: S608
        " OR (user_id = ? AND reason = ?)",
        (*values, person.user_id, ACCOUNT_DELETED),
    )
    return row[0] if row else None


async def of(db: Database, scope: Scope) -> list[Row]:
    """The erasure records of a person (or of everyone under an account), newest first."""
    where, values = scope.clause()
    return await db.fetchall(
        f"SELECT * FROM erasures WHERE {where} ORDER BY erased_at DESC",  # noqa: S608
        values,
    )


async def delete_account(
    db: Database,
    storage: Storage,
    user_id: str,
    stop_jobs: StopJobs,
    revoke: Callable[[str], Awaitable[object]],
) -> Erased:
    """Erase everything held under the account, end its logins, then delete the account."""
    erased = await erase(
        db, storage, Account(user_id), stop_jobs, reason=ACCOUNT_DELETED, by=user_id
    )
    await revoke(user_id)  # its open WebSockets end with its logins
    await db.execute("DELETE FROM users WHERE id = ?", (user_id,))  # refresh tokens cascade
    log.info("privacy.account_deleted", user_id=user_id, at=erased.erased_at)
    return erased
