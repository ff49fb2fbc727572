"""Times as irisd writes them: ISO 8601 in UTC, to the millisecond, ending in `Z`.

One spelling everywhere: the database stores it (so it sorts as text), REST copies it out,
WebSocket `timestamp`s and the CLI use it too, so a client parses one format (API.md).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def iso(moment: datetime) -> str:
    """`moment` (timezone-aware) as text, e.g. `2026-01-31T12:00:00.123Z`."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now() -> str:
    """The current time as text (`iso`)."""
    return iso(datetime.now(UTC))


def days_ago(days: float) -> str:
    """The time `days` days before now, as text (`iso`): rows created or deleted before it
    compare lower, since the database stores times this way."""
    return iso(datetime.now(UTC) - timedelta(days=days))
