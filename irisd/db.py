"""SQLite access: one aiosqlite connection (WAL, busy timeout, foreign keys) and migrations.

All statements of the server go through one connection guarded by an asyncio lock, so a
coroutine's transaction never interleaves with another's. Writers use `BEGIN IMMEDIATE`:
a read-then-write in a deferred transaction fails at once with "database is locked" when
another process (the CLI) writes at the same time, while IMMEDIATE waits on busy_timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from irisd import timestamps

BUSY_TIMEOUT_MS = 10_000

Row = sqlite3.Row


def now() -> str:
    """The current time as the database stores it (`timestamps`: the one format)."""
    return timestamps.now()


class Database:
    """A serialised aiosqlite connection: `read`/`fetch*` for queries, `transaction()` to write."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self._rollback: asyncio.Future[None] | None = None  # kept referenced until it ran
        self.path = path

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        async with self._lock, self._conn.execute(sql, tuple(params)) as cur:
            row: Row | None = await cur.fetchone()
            return row

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        async with self._lock, self._conn.execute(sql, tuple(params)) as cur:
            return list(await cur.fetchall())

    async def fetch_page(
        self, select: str, params: Sequence[Any], order_by: str, page: int, page_size: int
    ) -> tuple[list[Row], int]:
        """Page `page` (1-based) of `select`'s rows in `order_by` order, and their total.

        `select` and `order_by` are the caller's fixed SQL; every value is bound (`params`).
        """
        rows = await self.fetchall(
            f"{select} ORDER BY {order_by} LIMIT ? OFFSET ?",
            (*params, page_size, (page - 1) * page_size),
        )
        # S608: the caller's fixed SQL is composed here, never a value.
        total = await self.fetchone(f"SELECT count(*) FROM ({select})", params)  # noqa: S608
        return rows, int(total[0]) if total else 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """`BEGIN IMMEDIATE` … COMMIT (ROLLBACK on error), holding the connection alone.

        BEGIN, COMMIT and ROLLBACK are shielded: aiosqlite runs them on its thread anyway, so
        a cancelled caller must not release the connection with a transaction left open.
        """
        async with self._lock:
            try:
                await _shielded(self._conn.execute("BEGIN IMMEDIATE"))
            except asyncio.CancelledError:
                # The BEGIN still runs; queue its ROLLBACK before anyone else gets the lock.
                self._rollback = asyncio.ensure_future(self._conn.rollback())
                raise
            try:
                yield self._conn
            except BaseException:
                await _shielded(self._conn.rollback())
                raise
            await _shielded(self._conn.commit())

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """One write statement in its own transaction; returns the changed row count."""
        async with self.transaction() as conn:
            cur = await conn.execute(sql, tuple(params))
            return cur.rowcount

    async def writable(self) -> bool:
        """True when a write transaction can be taken (for /readyz)."""
        try:
            async with self.transaction() as conn:
                await conn.execute("PRAGMA user_version")
        except sqlite3.Error:
            return False
        return True

    async def close(self) -> None:
        await self._conn.close()


async def open_database(path: Path) -> Database:
    """Open (creating if needed) the database at `path` and apply pending migrations."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _owner_only(path)
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA journal_mode = WAL")
    await conn.execute("PRAGMA synchronous = NORMAL")
    await conn.execute("PRAGMA foreign_keys = ON")
    # Deleted rows are overwritten, not left in free pages: an erased person's rows (labels,
    # file names) must not be readable from the file afterwards (irisd/privacy/erasure.py).
    await conn.execute("PRAGMA secure_delete = ON")
    db = Database(conn, path)
    await migrate(db)
    return db


def _owner_only(path: Path) -> None:
    """Make the database file (emails, password hashes, labels that name people) 0600 before
    SQLite opens it: SQLite gives the -wal and -shm files it creates the database's own mode.
    Files left wider by an older version are narrowed, their WAL files too."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm", f"{path.name}-journal"):
        with contextlib.suppress(FileNotFoundError):
            (path.parent / name).chmod(0o600)


async def _shielded(operation: Awaitable[Any]) -> None:
    """Start `operation` now (queued on aiosqlite's thread in order) and let it finish even if
    the caller is cancelled meanwhile."""
    await asyncio.shield(asyncio.ensure_future(operation))


def migrations() -> list[tuple[int, str]]:
    """(version, sql) for every file in irisd/migrations, in order."""
    found = []
    for entry in resources.files("irisd.migrations").iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)


async def migrate(db: Database) -> int:
    """Apply migrations newer than PRAGMA user_version; returns the resulting version."""
    row = await db.fetchone("PRAGMA user_version")
    current = int(row[0]) if row else 0
    for version, sql in migrations():
        if version <= current:
            continue
        async with db.transaction() as conn:
            for statement in _statements(sql):
                await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version = {version}")
        current = version
    return current


def _statements(sql: str) -> list[str]:
    """Split a migration file into statements (the files hold no `;` inside literals)."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
