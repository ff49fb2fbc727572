"""A real SQLite jobs database with users and uploaded photos, for the queue's unit tests."""

from __future__ import annotations

from pathlib import Path

from irisd.db import Database, now, open_database


async def seeded(path: Path, photos: dict[str, list[str]]) -> Database:
    """A database at `path` holding each user id of `photos` with those uploaded photo ids."""
    database = await open_database(path)
    stamp = now()
    for user, photo_ids in photos.items():
        await database.execute(
            "INSERT INTO users (id, email, password_hash, created_at) VALUES (?, ?, 'x', ?)",
            (user, f"{user}@example.test", stamp),
        )
        for photo_id in photo_ids:
            await database.execute(
                "INSERT INTO photos (id, user_id, s3_key, upload_status, created_at, updated_at)"
                " VALUES (?, ?, ?, 'uploaded', ?, ?)",
                (photo_id, user, f"originals/{user}/{photo_id}", stamp, stamp),
            )
    return database
