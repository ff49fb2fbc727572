"""User accounts: create, authenticate, look up, enable/disable (their JSON: api/wire.py)."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime

from irisd.auth import passwords
from irisd.db import Database, Row, now
from irisd.errors import Conflict, InvalidField, NotFound, Unauthorized
from irisd.logs import get_logger

log = get_logger(__name__)

# Deliberately loose (one @, a dot in the domain, no spaces): real validation is a mail that
# arrives, and a stricter pattern only rejects valid addresses.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
MAX_EMAIL_LENGTH = 254  # RFC 5321 path limit
WRONG_CREDENTIALS = "Incorrect email or password."


@dataclass(frozen=True)
class User:
    id: str
    email: str
    is_active: bool
    is_verified: bool
    created_at: datetime


_ID_CHUNK = 500  # ids per query, well under SQLite's bound-parameter limit


def normalise_email(email: str) -> str:
    """Trimmed, lower-cased and checked, or InvalidField naming the field."""
    text = email.strip().lower()
    if len(text) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(text):
        raise InvalidField("The field 'email' must be a valid email address.")
    return text


def check_password(password: str) -> None:
    """InvalidField unless the password has an acceptable length."""
    if not passwords.MIN_LENGTH <= len(password) <= passwords.MAX_LENGTH:
        raise InvalidField(
            f"The field 'password' must be {passwords.MIN_LENGTH} to "
            f"{passwords.MAX_LENGTH} characters long."
        )


async def create_user(db: Database, email: str, password: str) -> User:
    """A new active, unverified user; InvalidField for a bad email/password, Conflict if taken."""
    address = normalise_email(email)
    check_password(password)
    encoded = await asyncio.to_thread(passwords.hash_password, password)
    user_id, created_at = str(uuid.uuid4()), now()
    try:
        await db.execute(
            "INSERT INTO users (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)",
            (user_id, address, encoded, created_at),
        )
    except sqlite3.IntegrityError as exc:
        raise Conflict("A user with this email already exists.") from exc
    log.info("user.created", user_id=user_id)
    return User(user_id, address, True, False, datetime.fromisoformat(created_at))


async def authenticate(db: Database, email: str, password: str) -> User:
    """The active user with these credentials, or Unauthorized (one answer for both mistakes)."""
    row = await db.fetchone(
        "SELECT id, email, is_active, is_verified, created_at, password_hash"
        " FROM users WHERE email = ?",
        (email.strip(),),
    )
    if row is None:
        # As slow as a real check, so response time does not tell which emails exist.
        await asyncio.to_thread(passwords.verify_dummy, password)
        raise Unauthorized(WRONG_CREDENTIALS)
    encoded = str(row["password_hash"])
    if not await asyncio.to_thread(passwords.verify_password, encoded, password):
        raise Unauthorized(WRONG_CREDENTIALS, user_id=row["id"])
    user = _user(row)
    if not user.is_active:
        raise Unauthorized("This account is disabled.", user_id=user.id)
    if passwords.needs_rehash(encoded):
        await _store_hash(db, user.id, password)
    return user


async def get_user(db: Database, user_id: str) -> User | None:
    row = await db.fetchone(
        "SELECT id, email, is_active, is_verified, created_at FROM users WHERE id = ?", (user_id,)
    )
    return _user(row) if row else None


async def find_user(db: Database, email_or_id: str) -> User:
    """The user with this email or id (for the CLI), or NotFound."""
    row = await db.fetchone(
        "SELECT id, email, is_active, is_verified, created_at FROM users WHERE email = ? OR id = ?",
        (email_or_id.strip(), email_or_id.strip()),
    )
    if row is None:
        raise NotFound("No user with this email or id.")
    return _user(row)


async def list_users(db: Database) -> list[User]:
    rows = await db.fetchall(
        "SELECT id, email, is_active, is_verified, created_at FROM users ORDER BY created_at, email"
    )
    return [_user(row) for row in rows]


async def inactive_among(db: Database, user_ids: list[str]) -> set[str]:
    """Those of `user_ids` that are disabled or no longer exist."""
    active: set[str] = set()
    for start in range(0, len(user_ids), _ID_CHUNK):
        chunk = user_ids[start : start + _ID_CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = await db.fetchall(
            f"SELECT id FROM users WHERE is_active = 1 AND id IN ({marks})",  # noqa: S608
            tuple(chunk),
        )
        active.update(str(row["id"]) for row in rows)
    return set(user_ids) - active


async def set_active(db: Database, email: str, active: bool) -> User:
    """Enable or disable the user with this email; NotFound if there is none.

    Disabling also revokes the user's refresh tokens, so enabling again later does not
    bring old sessions back.
    """
    async with db.transaction() as conn:
        cur = await conn.execute(
            "UPDATE users SET is_active = ? WHERE email = ?", (int(active), email.strip())
        )
        if cur.rowcount and not active:
            await conn.execute(
                "UPDATE refresh_tokens SET revoked_at = ? WHERE revoked_at IS NULL"
                " AND user_id = (SELECT id FROM users WHERE email = ?)",
                (now(), email.strip()),
            )
    if not cur.rowcount:
        raise NotFound("No user with this email.")
    user = await find_user(db, email)
    log.info("user.enabled" if active else "user.disabled", user_id=user.id)
    return user


async def _store_hash(db: Database, user_id: str, password: str) -> None:
    encoded = await asyncio.to_thread(passwords.hash_password, password)
    await db.execute("UPDATE users SET password_hash = ? WHERE id = ?", (encoded, user_id))


def _user(row: Row) -> User:
    return User(
        id=row["id"],
        email=row["email"],
        is_active=bool(row["is_active"]),
        is_verified=bool(row["is_verified"]),
        created_at=datetime.fromisoformat(row["created_at"]),
    )
