"""Whose data it is. The app's user is the person of their own photos. Staff who upload for
clients in the console name each client by the photo's label: the person of a labelled photo
is that client, held under the staff account. Labels compare without regard to ASCII case,
as the gallery's search does, so "Ada Smith" and "ada smith" are one person.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    """One person: `label` None is the account holder, else a client of the account."""

    user_id: str
    label: str | None = None

    def clause(self, prefix: str = "") -> tuple[str, tuple[str, ...]]:
        """SQL (`user_id`, `label` of a photos or consents row) that picks this person."""
        if self.label is None:
            return f"{prefix}user_id = ? AND {prefix}label IS NULL", (self.user_id,)
        return f"{prefix}user_id = ? AND {prefix}label = ? COLLATE NOCASE", (
            self.user_id,
            self.label,
        )


@dataclass(frozen=True)
class Account:
    """Everyone held under one account: its holder and all the clients it labelled."""

    user_id: str
    label: None = None

    def clause(self, prefix: str = "") -> tuple[str, tuple[str, ...]]:
        return f"{prefix}user_id = ?", (self.user_id,)


Scope = Person | Account
