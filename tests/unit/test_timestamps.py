"""The one time format: ISO 8601 UTC to the millisecond with `Z`, for the database and the wire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from irisd import db, timestamps


def test_iso_writes_utc_milliseconds_with_z() -> None:
    moment = datetime(2026, 1, 31, 12, 0, 0, 123_456, tzinfo=UTC)
    assert timestamps.iso(moment) == "2026-01-31T12:00:00.123Z"
    assert timestamps.iso(moment.replace(microsecond=0)) == "2026-01-31T12:00:00.000Z"


def test_iso_converts_other_zones_to_utc() -> None:
    paris = timezone(timedelta(hours=1))
    assert timestamps.iso(datetime(2026, 1, 31, 13, 0, tzinfo=paris)) == "2026-01-31T12:00:00.000Z"


def test_now_is_what_the_database_stores_and_reads_back() -> None:
    text = db.now()
    assert text.endswith("Z")
    assert len(text) == len("2026-01-31T12:00:00.123Z")
    assert timestamps.iso(datetime.fromisoformat(text)) == text
