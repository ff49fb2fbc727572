"""The only place object keys are spelled."""

from __future__ import annotations


def original(user_id: str, photo_id: str) -> str:
    return f"originals/{user_id}/{photo_id}"


def upload(user_id: str, photo_id: str) -> str:
    """Where a signed PUT lands: confirm checks it and keeps the checked bytes at `original`,
    which no signed URL can write, so a PUT racing the check cannot swap what is kept."""
    return f"uploads/{user_id}/{photo_id}"


def thumbnail(user_id: str, photo_id: str) -> str:
    return f"thumbnails/{user_id}/{photo_id}.jpg"


def processed(user_id: str, job_id: str, ext: str) -> str:
    return f"processed/{user_id}/{job_id}.{ext}"


def mask(user_id: str, job_id: str) -> str:
    return f"processed/{user_id}/{job_id}_mask.png"


def processed_prefix(user_id: str, job_id: str) -> str:
    """Every object a job writes starts with this (job ids are fixed-length UUIDs)."""
    return f"processed/{user_id}/{job_id}"


def user_prefixes(user_id: str) -> list[str]:
    """Everything stored for one user (for deleting a user's data)."""
    return [
        f"uploads/{user_id}/",
        f"originals/{user_id}/",
        f"thumbnails/{user_id}/",
        f"processed/{user_id}/",
    ]


def preview(user_id: str, job_id: str) -> str:
    """The result's light preview (irisd/jobs/previews.py), under the job's prefix."""
    return f"processed/{user_id}/{job_id}_preview.webp"


def original_preview(user_id: str, job_id: str) -> str:
    """The original cut to the result's square, as light as `preview`."""
    return f"processed/{user_id}/{job_id}_before.webp"


JOB_ID_LENGTH = 36  # a UUID's text: processed/{user_id}/{job_id}{suffix}


def owner(key: str) -> tuple[str, str] | None:
    """What a stored object belongs to: ("photo", photo_id) for originals and thumbnails,
    ("job", job_id) for everything under processed/; None for any other key."""
    kind, _, rest = key.partition("/")
    _user_id, _, name = rest.partition("/")
    if not name or "/" in name:
        return None
    if kind in ("originals", "thumbnails"):
        return "photo", name.removesuffix(".jpg")
    if kind == "processed":
        return "job", name[:JOB_ID_LENGTH]
    return None
