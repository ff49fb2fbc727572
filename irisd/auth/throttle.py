"""Sign-in and refresh throttling that stops guessing without locking out people who know
their password. Kept in SQLite (the `throttle` table), so a restart keeps every count.

What is counted, and what a lock refuses:

- **pair** (an account from one address): `login_max_failures` failures lock the pair, for
  `lockout_s`, doubling with each further failure up to `lockout_max_s` (exponential
  backoff). A locked pair refuses everything, a correct password included: otherwise the
  guesser would learn when it guessed right. Whoever guesses from an address shuts out only
  that account from that address.
- **account** (from every address): `account_max_failures` failures lock the account against
  distributed guessing, with the same backoff, but only for addresses that have already
  failed against it. An address with no failures for the account still gets its attempt
  (one guess, were it a guesser's) until the account has twice its allowance of failures;
  one from which the account signed in recently ("known") keeps its own pair's allowance
  always: the owner typing the right password is not refused because someone elsewhere
  guessed (from an address the owner never used, only until that distributed attack has
  made twice the allowance of failures).
- **address** (every account from one address): `address_max_failures` failures lock the
  address against password spraying, with the same backoff, for every account not known
  there: behind a clinic's NAT, staff who have signed in from there before keep signing in.

Every attempt is counted against its keys before the password is checked, in one
`BEGIN IMMEDIATE` transaction that also checks the locks (60 guesses sent at once cannot all
slip past the count while their password checks run). A success takes its own count back from
the account and the address (it re-locks nothing), clears its pair, and marks the pair known
for `refresh_ttl_s` (as long as a session from there may last). It clears nothing that other
attempts counted: an attacker who owns one account cannot wash its guesses away.

Against OWASP's Authentication Cheat Sheet (account lockout): the counters belong to the
account (pair and account) and not the address alone, so more addresses buy at most twice
`account_max_failures` guesses per lock; locks expire and back off exponentially rather than
lasting for good, and the address lock throttles spraying across accounts. The Cheat Sheet's
warning that a lockout can be turned into a denial of service against the account's owner
is answered by the known and fresh-address exemptions (in the spirit of its device-cookie
advice: the address a person signed in from stands in for the cookie, as the app keeps no
other state). Left open: someone guessing from the owner's own address (the same NAT) locks
that pair, for at most `lockout_max_s`; MFA, which the Cheat Sheet recommends above all, is
not offered. Counts are forgotten after `lockout_max_s` without an attempt.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiosqlite

from irisd.config import AuthSettings
from irisd.db import Database
from irisd.errors import Throttled
from irisd.logs import get_logger

log = get_logger(__name__)

PAIR = "pair"
ACCOUNT = "account"
ADDRESS = "address"
KNOWN = "known"  # a pair that signed in: failures 0, last_attempt_s the time of that success


@dataclass(frozen=True)
class Attempt:
    """Who tries: an account (normalised email, or "user:<id>" for a refresh) and the client
    address; either may be unknown (a forged refresh token names no account)."""

    account: str | None
    address: str | None

    @classmethod
    def of(cls, account: str | None, address: str | None) -> Attempt:
        return cls(account.strip().lower() if account else None, address or None)

    def pair(self, account: str | None = None) -> str | None:
        """The pair's key: the account, a newline, the address (last: it has no newline)."""
        account = account or self.account
        return f"{account}\n{self.address}" if account and self.address else None

    def counted(self) -> list[tuple[str, str]]:
        """(scope, key) of every counter this attempt is charged to."""
        keys = [(PAIR, self.pair()), (ACCOUNT, self.account), (ADDRESS, self.address)]
        return [(scope, key) for scope, key in keys if key]


@dataclass(frozen=True)
class _Counter:
    failures: int
    locked_until: float


_NONE = _Counter(0, 0.0)


class Throttle:
    """Counts attempts and locks keys; `now` is injectable so tests control time."""

    def __init__(self, settings: AuthSettings, now: Callable[[], float] = time.time) -> None:
        self._settings = settings
        self._now = now

    def _allowance(self, scope: str) -> int:
        return {
            PAIR: self._settings.login_max_failures,
            ACCOUNT: self._settings.account_max_failures,
            ADDRESS: self._settings.address_max_failures,
        }[scope]

    async def attempt(self, db: Database, who: Attempt) -> None:
        """Count one attempt against its keys, or raise Throttled if a lock refuses it."""
        now = self._now()
        async with db.transaction() as conn:
            await self._forget(conn, now)
            found = {scope: await _counter(conn, scope, key) for scope, key in who.counted()}
            pair_key = who.pair()
            known = pair_key is not None and await _exists(conn, KNOWN, pair_key)
            pair, account = found.get(PAIR, _NONE), found.get(ACCOUNT, _NONE)
            refusing = [pair.locked_until]
            # A fresh address gets one attempt at a locked account, up to a ceiling.
            ceiling = 2 * self._allowance(ACCOUNT)
            if not known and (pair.failures > 0 or account.failures >= ceiling):
                refusing.append(account.locked_until)
            if not known:
                refusing.append(found.get(ADDRESS, _NONE).locked_until)
            locked_until = max(refusing)
            if locked_until > now:
                wait_s = math.ceil(locked_until - now)
                raise Throttled(
                    f"Too many failed attempts. Please try again in {wait_s} seconds.",
                    retry_after_s=wait_s,
                )
            for scope, key in who.counted():
                await self._count(conn, scope, key, found[scope].failures + 1, now)

    async def succeeded(self, db: Database, who: Attempt, *also_known: str) -> None:
        """The attempt was right: clear its pair, take its own count back from the account and
        the address, and remember the pair (and the pairs of `also_known` accounts, e.g. the
        user id a login proved) as known."""
        now = self._now()
        async with db.transaction() as conn:
            for scope, key in who.counted():
                if scope == PAIR:
                    await conn.execute(
                        "DELETE FROM throttle WHERE scope = ? AND key = ?", (scope, key)
                    )
                    continue
                # Unlocked again if this attempt's own count was the one that locked it.
                await conn.execute(
                    "UPDATE throttle SET failures = max(failures - 1, 0),"
                    " locked_until_s = CASE WHEN failures - 1 < ? THEN NULL"
                    " ELSE locked_until_s END WHERE scope = ? AND key = ?",
                    (self._allowance(scope), scope, key),
                )
            for account in (who.account, *also_known):
                pair_key = who.pair(account)
                if pair_key:
                    await _upsert(conn, KNOWN, pair_key, 0, now, None)

    async def _forget(self, conn: aiosqlite.Connection, now: float) -> None:
        # Old rows go with each attempt: unknown emails cannot grow the table for ever.
        await conn.execute(
            "DELETE FROM throttle WHERE scope != ? AND last_attempt_s < ?",
            (KNOWN, now - self._settings.lockout_max_s),
        )
        await conn.execute(
            "DELETE FROM throttle WHERE scope = ? AND last_attempt_s < ?",
            (KNOWN, now - self._settings.refresh_ttl_s),
        )

    async def _count(
        self, conn: aiosqlite.Connection, scope: str, key: str, failures: int, now: float
    ) -> None:
        allowance = self._allowance(scope)
        locked_until = None
        if failures >= allowance:
            doublings = min(failures - allowance, 32)
            lock_s = min(self._settings.lockout_s * 2**doublings, self._settings.lockout_max_s)
            locked_until = now + lock_s
            log.warning("auth.throttled", scope=scope, failures=failures)
        await _upsert(conn, scope, key, failures, now, locked_until)


async def _counter(conn: aiosqlite.Connection, scope: str, key: str) -> _Counter:
    async with conn.execute(
        "SELECT failures, locked_until_s FROM throttle WHERE scope = ? AND key = ?", (scope, key)
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return _NONE
    return _Counter(int(row["failures"]), float(row["locked_until_s"] or 0.0))


async def _exists(conn: aiosqlite.Connection, scope: str, key: str) -> bool:
    async with conn.execute(
        "SELECT 1 FROM throttle WHERE scope = ? AND key = ?", (scope, key)
    ) as cur:
        return await cur.fetchone() is not None


async def _upsert(
    conn: aiosqlite.Connection,
    scope: str,
    key: str,
    failures: int,
    now: float,
    locked_until: float | None,
) -> None:
    await conn.execute(
        "INSERT INTO throttle (scope, key, failures, last_attempt_s, locked_until_s)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET"
        " failures = excluded.failures, last_attempt_s = excluded.last_attempt_s,"
        " locked_until_s = excluded.locked_until_s",
        (scope, key, failures, now, locked_until),
    )
