"""JWT access and refresh tokens (HS256): issue, verify, single-use rotation with reuse detection.

Claims are exactly `sub` (user id), `type` (access|refresh), `exp`, `iat`, `jti`. Access tokens
are stateless. Every refresh token has a row in `refresh_tokens` keyed by its jti: refreshing
marks the row used and issues a new pair in one `BEGIN IMMEDIATE` transaction, so two
concurrent refreshes of one token cannot both win. Presenting a used token again means it was
copied: every other refresh token of that user is revoked, and the user logs in again.

Each login starts a family: its refresh tokens (the `family` column) and the access tokens
issued with them, whose jti is "<family>.<nonce>" (the claim set stays the contract's). When
a family's refresh tokens are revoked, `check_family` refuses its access tokens at once;
answers are cached per family and the cache is dropped on every revocation made here (the
CLI's `users disable` is caught by the account check that follows every token check).
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import aiosqlite
import jwt

from irisd.config import AuthSettings
from irisd.db import Database
from irisd.errors import Unauthorized
from irisd.logs import get_logger
from irisd.timestamps import iso

log = get_logger(__name__)

ALGORITHM = "HS256"
CLAIMS = ("sub", "type", "exp", "iat", "jti")

TokenType = Literal["access", "refresh"]


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str


@dataclass(frozen=True)
class Claims:
    sub: str
    type: TokenType
    exp: int
    iat: int
    jti: str

    @property
    def user_id(self) -> str:
        return self.sub

    @property
    def family(self) -> str | None:
        """The login an access token belongs to ("<family>.<nonce>" jti), if any."""
        family, dot, _nonce = self.jti.partition(".")
        return family if dot else None


class TokenService:
    """Issues and checks tokens with one secret; `now` is injectable so tests control time."""

    def __init__(
        self,
        settings: AuthSettings,
        secret: str,
        now: Callable[[], float] = time.time,
        on_revoked: Callable[[str], None] = lambda _user_id: None,
    ) -> None:
        self._settings = settings
        self._secret = secret
        self._now = now
        self._families: dict[str, bool] = {}  # family -> revoked, until the next revocation
        # Access tokens whose signature and claims checked out: the app reconnects its socket
        # with the same token every 2 s, and PyJWT's decode (~145 us, its base64 check per
        # character) was the largest part of a reconnect (bench/server/ws_flood.py). Only tokens
        # that verified are kept, so forged ones cannot fill it; expiry is checked every time.
        self._verified: dict[str, Claims] = {}
        # Told the user id after every revocation made here: open sockets of it end too.
        self._on_revoked = on_revoked

    def issue_access(self, user_id: str, family: str | None = None) -> str:
        """A fresh access token for `user_id`, of `family` if given (`irisd token`: none)."""
        claims = self._claims(user_id, "access", self._settings.access_ttl_s)
        if family is not None:
            claims = dataclasses.replace(claims, jti=f"{family}.{claims.jti}")
        return self._encode(claims)

    async def check_family(self, db: Database, claims: Claims) -> None:
        """Unauthorized if the access token's family has been revoked (logout, reuse)."""
        family = claims.family
        if family is None:
            return  # issued without a family (`irisd token`, or before families existed)
        revoked = self._families.get(family)
        if revoked is None:
            row = await db.fetchone(
                "SELECT 1 FROM refresh_tokens WHERE family = ? AND revoked_at IS NOT NULL LIMIT 1",
                (family,),
            )
            revoked = row is not None
            if len(self._families) >= FAMILY_CACHE_SIZE:
                self._families.clear()
            self._families[family] = revoked
        if revoked:
            raise Unauthorized(SESSION_ENDED)

    async def issue_pair(self, db: Database, user_id: str) -> TokenPair:
        """An access token plus a refresh token whose jti is recorded as unused."""
        async with db.transaction() as conn:
            return await self._issue_pair(conn, user_id, uuid.uuid4().hex)

    def verify_access(self, token: str) -> Claims:
        """The claims of a valid, unexpired access token; Unauthorized otherwise."""
        claims = self._verified.get(token)
        if claims is None:
            claims = self._decode(token, "access")
            if len(self._verified) >= VERIFIED_CACHE_SIZE:
                self._verified.clear()
            self._verified[token] = claims
        elif claims.exp <= self._now():
            raise Unauthorized("The access token has expired.")
        return claims

    def refresh_subject(self, token: str) -> str | None:
        """The user id a well-signed refresh token names (expired or spent too), else None."""
        try:
            payload = jwt.decode(
                token, self._secret, algorithms=[ALGORITHM], options={"verify_exp": False}
            )
        except jwt.PyJWTError:
            return None
        sub = payload.get("sub")
        return sub if isinstance(sub, str) and payload.get("type") == "refresh" else None

    async def refresh(self, db: Database, refresh_token: str) -> TokenPair:
        """Rotate: the presented refresh token is spent and a new pair is issued.

        An unknown, expired, revoked or already used token is rejected; a used one also
        revokes every other refresh token of its user (reuse detection).
        """
        claims = self._decode(refresh_token, "refresh")
        async with db.transaction() as conn:
            verdict, family = await self._spend(conn, claims)
            if verdict == "reused":
                # Committed with this transaction, before the rejection is raised below.
                await _revoke_user(conn, claims.user_id, _iso(self._now()))
                self._families.clear()
            pair = None
            if verdict == "ok":
                pair = await self._issue_pair(conn, claims.user_id, family or uuid.uuid4().hex)
        if pair is None:
            if verdict == "reused":
                log.warning("auth.refresh_reused", user_id=claims.user_id)
                self._on_revoked(claims.user_id)
            raise Unauthorized(_REFRESH_REJECTED[verdict])
        return pair

    async def revoke_all(self, db: Database, user_id: str) -> int:
        """Revoke every live refresh token of `user_id` (logout, disabled account)."""
        async with db.transaction() as conn:
            revoked = await _revoke_user(conn, user_id, _iso(self._now()))
        self._families.clear()
        self._on_revoked(user_id)
        return revoked

    # --- internals ----------------------------------------------------------------------

    def _claims(self, user_id: str, kind: TokenType, ttl_s: int) -> Claims:
        issued = int(self._now())
        return Claims(user_id, kind, issued + ttl_s, issued, uuid.uuid4().hex)

    def _encode(self, claims: Claims) -> str:
        payload = {name: getattr(claims, name) for name in CLAIMS}
        return jwt.encode(payload, self._secret, algorithm=ALGORITHM)

    async def _issue_pair(self, conn: aiosqlite.Connection, user_id: str, family: str) -> TokenPair:
        refresh = self._claims(user_id, "refresh", self._settings.refresh_ttl_s)
        issued_at = _iso(refresh.iat)
        # Spent and expired rows of this user are of no more use: keep the table small.
        await conn.execute(
            "DELETE FROM refresh_tokens WHERE user_id = ? AND expires_at < ?",
            (user_id, issued_at),
        )
        await conn.execute(
            "INSERT INTO refresh_tokens (jti, user_id, expires_at, created_at, family)"
            " VALUES (?, ?, ?, ?, ?)",
            (refresh.jti, user_id, _iso(refresh.exp), issued_at, family),
        )
        return TokenPair(self.issue_access(user_id, family), self._encode(refresh))

    async def _spend(self, conn: aiosqlite.Connection, claims: Claims) -> tuple[str, str | None]:
        """Mark the refresh row used: the verdict ("ok" if it was, else why not) and its family."""
        async with conn.execute(
            "SELECT t.user_id, t.used_at, t.revoked_at, t.family, u.is_active FROM refresh_tokens t"
            " JOIN users u ON u.id = t.user_id WHERE t.jti = ?",
            (claims.jti,),
        ) as cur:
            row = await cur.fetchone()
        if row is None or row["user_id"] != claims.user_id or row["revoked_at"] is not None:
            return "unknown", None
        if row["used_at"] is not None:
            return "reused", None
        if not row["is_active"]:
            return "disabled", None
        await conn.execute(
            "UPDATE refresh_tokens SET used_at = ? WHERE jti = ?",
            (_iso(self._now()), claims.jti),
        )
        return "ok", row["family"]

    def _decode(self, token: str, expected: TokenType) -> Claims:
        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                # exp is checked below against the injected clock, not PyJWT's own.
                options={"require": list(CLAIMS), "verify_exp": False, "verify_iat": False},
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized(
                f"The {expected} token is invalid.", reason=type(exc).__name__
            ) from exc
        claims = _parse_claims(payload, expected)
        if claims.type != expected:
            raise Unauthorized(_WRONG_TYPE[expected])
        if claims.exp <= self._now():
            raise Unauthorized(f"The {expected} token has expired.")
        return claims


SESSION_ENDED = "This session has ended (signed out elsewhere or revoked). Please log in again."
FAMILY_CACHE_SIZE = 10_000
VERIFIED_CACHE_SIZE = 10_000
_REFRESH_REJECTED = {
    "unknown": "The refresh token is invalid or has been revoked. Please log in again.",
    "reused": "The refresh token has already been used. Please log in again.",
    "disabled": "This account is disabled.",
}
_WRONG_TYPE = {
    "access": "A refresh token cannot be used as an access token.",
    "refresh": "An access token cannot be used as a refresh token.",
}


def _parse_claims(payload: dict[str, Any], expected: TokenType) -> Claims:
    """Typed claims, or Unauthorized when a claim has the wrong type."""
    kind, sub, jti = payload["type"], payload["sub"], payload["jti"]
    exp, iat = payload["exp"], payload["iat"]
    valid = (
        kind in ("access", "refresh")
        and isinstance(sub, str)
        and isinstance(jti, str)
        and all(isinstance(v, int) and not isinstance(v, bool) for v in (exp, iat))
    )
    if not valid:
        raise Unauthorized(f"The {expected} token is invalid.", reason="claim types")
    return Claims(sub, kind, exp, iat, jti)


async def _revoke_user(conn: aiosqlite.Connection, user_id: str, at: str) -> int:
    cur = await conn.execute(
        "UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
        (at, user_id),
    )
    return cur.rowcount


def _iso(timestamp: float) -> str:
    """A Unix time as the database's text (sortable as text)."""
    return iso(datetime.fromtimestamp(timestamp, UTC))
