"""Sign-in and refresh throttling per account and per client address, kept in SQLite.

Every attempt is counted before the password is checked, in one `BEGIN IMMEDIATE`
transaction that also checks the lock: 60 attempts sent at once cannot all slip past the
count while their password checks run. A success gives its attempt back (the account's count
is cleared). Once a key reaches its allowance of failures it is locked for `lockout_s`,
doubling with every further failure up to `lockout_max_s`; while locked, every attempt is
refused with 429 and Retry-After, a correct password included. Counts are forgotten after
`lockout_max_s` without an attempt. Rows live in the `throttle` table, so a restart keeps them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import aiosqlite

from irisd.config import AuthSettings
from irisd.db import Database
from irisd.errors import Throttled
from irisd.logs import get_logger

log = get_logger(__name__)

ACCOUNT = "account"
ADDRESS = "address"


@dataclass(frozen=True)
class Key:
    """One counter: an account (its normalised email) or a client address."""

    scope: str
    key: str


def keys(account: str | None, address: str | None) -> list[Key]:
    """The counters an attempt is charged to (an unknown address is not counted)."""
    found = []
    if account:
        found.append(Key(ACCOUNT, account.strip().lower()))
    if address:
        found.append(Key(ADDRESS, address))
    return found


class Throttle:
    """Counts attempts and locks keys; `now` is injectable so tests control time."""

    def __init__(self, settings: AuthSettings, now: Callable[[], float] = time.time) -> None:
        self._settings = settings
        self._now = now

    def _allowance(self, key: Key) -> int:
        if key.scope == ACCOUNT:
            return self._settings.login_max_failures
        return self._settings.address_max_failures

    async def attempt(self, db: Database, counted: Sequence[Key]) -> None:
        """Count one attempt against every key, or raise Throttled if any is locked."""
        now = self._now()
        async with db.transaction() as conn:
            locked_until = max([await _locked_until(conn, key, now) for key in counted] or [0.0])
            if locked_until > now:
                wait_s = math.ceil(locked_until - now)
                raise Throttled(
                    f"Too many failed attempts. Please try again in {wait_s} seconds.",
                    retry_after_s=wait_s,
                )
            for key in counted:
                await self._count(conn, key, now)

    async def succeeded(self, db: Database, counted: Sequence[Key]) -> None:
        """Give the attempt back: clear the account, take one off the address."""
        async with db.transaction() as conn:
            for key in counted:
                if key.scope == ACCOUNT:
                    await conn.execute(
                        "DELETE FROM throttle WHERE scope = ? AND key = ?", (key.scope, key.key)
                    )
                else:
                    # Unlocked again if this attempt was the one that locked it.
                    await conn.execute(
                        "UPDATE throttle SET failures = max(failures - 1, 0),"
                        " locked_until_s = CASE WHEN failures - 1 < ? THEN NULL"
                        " ELSE locked_until_s END WHERE scope = ? AND key = ?",
                        (self._allowance(key), key.scope, key.key),
                    )

    async def _count(self, conn: aiosqlite.Connection, key: Key, now: float) -> None:
        forget_before = now - self._settings.lockout_max_s
        # Old rows of any key go with each count: unknown emails cannot grow the table for ever.
        await conn.execute("DELETE FROM throttle WHERE last_attempt_s < ?", (forget_before,))
        async with conn.execute(
            "SELECT failures FROM throttle WHERE scope = ? AND key = ?", (key.scope, key.key)
        ) as cur:
            row = await cur.fetchone()
        failures = (int(row["failures"]) if row else 0) + 1
        locked = failures >= self._allowance(key)
        locked_until = now + self._lock_s(key, failures) if locked else None
        await conn.execute(
            "INSERT INTO throttle (scope, key, failures, last_attempt_s, locked_until_s)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET"
            " failures = excluded.failures, last_attempt_s = excluded.last_attempt_s,"
            " locked_until_s = excluded.locked_until_s",
            (key.scope, key.key, failures, now, locked_until),
        )
        if locked_until is not None:
            log.warning("auth.throttled", scope=key.scope, failures=failures)

    def _lock_s(self, key: Key, failures: int) -> float:
        doublings = min(failures - self._allowance(key), 32)
        return float(min(self._settings.lockout_s * 2**doublings, self._settings.lockout_max_s))


async def _locked_until(conn: aiosqlite.Connection, key: Key, now: float) -> float:
    async with conn.execute(
        "SELECT locked_until_s FROM throttle WHERE scope = ? AND key = ? AND locked_until_s > ?",
        (key.scope, key.key, now),
    ) as cur:
        row = await cur.fetchone()
    return float(row["locked_until_s"]) if row else 0.0
