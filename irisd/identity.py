"""Whose photo it is: the file name it came with and an optional label, checked and searched.

Both are user-facing text stored on the photo row (NULL when not given: the mobile app sends
neither). A label names a person or a reference, so the gallery can be searched by it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from irisd.errors import InvalidField

MAX_LABEL = 100
MAX_FILENAME = 255
BAD_LABEL = f"'label' must be text of at most {MAX_LABEL} characters, or null."
BAD_FILENAME = f"'filename' must be a file name of at most {MAX_FILENAME} characters, or null."


@dataclass(frozen=True)
class Identity:
    filename: str | None = None
    label: str | None = None


UNNAMED = Identity()  # a photo from a client that sent neither (the mobile app)


def _printable(text: str) -> str:
    """`text` without control characters, whitespace runs made one space, trimmed."""
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t\n")
    return " ".join(kept.split())


def label(value: Any) -> str | None:
    """A label from a request: None for null or blank; 422 for anything but short text."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidField(BAD_LABEL)
    text = _printable(value)
    if len(text) > MAX_LABEL:
        raise InvalidField(BAD_LABEL)
    return text or None


def filename(value: Any) -> str | None:
    """The last part of a client's file name (browsers and phones may send a path)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidField(BAD_FILENAME)
    text = _printable(re.split(r"[\\/]", value)[-1])
    if len(text) > MAX_FILENAME:
        raise InvalidField(BAD_FILENAME)
    return text or None


def search_clause(column_prefix: str, text: str | None) -> tuple[str, tuple[str, ...]]:
    """SQL (` AND ...`) and values matching photos whose label or file name contains `text`,
    ignoring case; nothing when `text` is blank."""
    needle = _printable(text or "")
    if not needle:
        return "", ()
    # SQLite's lower() folds ASCII only; applied to both sides, the match stays consistent.
    found = "instr(lower(coalesce({}{}, '')), lower(?)) > 0"
    either = " OR ".join(found.format(column_prefix, name) for name in ("label", "filename"))
    return f" AND ({either})", (needle, needle)
