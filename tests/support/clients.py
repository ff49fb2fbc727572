"""The tests' API client: irisd.client's, noting every secret it handles for the redaction check."""

from __future__ import annotations

from irisd.client import Client, Reply

__all__ = ["SEEN_SECRETS", "ApiClient", "Reply"]

# Every token the suite sees, so the log redaction check can look for each one.
SEEN_SECRETS: set[str] = set()


class ApiClient(Client):
    """A logged-in (or anonymous) client of one irisd server, as the mobile app speaks to it."""

    async def login(self, email: str, password: str) -> None:
        SEEN_SECRETS.add(password)
        await super().login(email, password)
        SEEN_SECRETS.update(token for token in (self.access_token, self.refresh_token) if token)
