"""Times as irisd writes them: ISO 8601 in UTC, to the millisecond, ending in `Z`.

One spelling everywhere: the database stores it (so it sorts as text), REST copies it out,
WebSocket `timestamp`s and the CLI use it too, so a client parses one format (API.md).
"""

from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime) -> str:
    """`moment` (timezone-aware) as text, e.g. `2026-01-31T12:00:00.123Z`."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now() -> str:
    """The current time as text (`iso`)."""
    return iso(datetime.now(UTC))
