"""Object storage behind one interface: local disk (default) or S3.

Keys are spelled only in `storage.keys`. Every backend raises only `StorageError`s
(`StorageUnavailable` for outages, so they are retried; `ObjectMissing` for absent keys).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from irisd.config import Settings


TRASH_SCOPE = "trash"  # a signed URL of the trash view (storage/local.py)


class Storage(Protocol):
    """What the server needs of a store. The contract suite is tests/contract/test_storage.py."""

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Write `data` at `key`, replacing any object there."""

    async def get(self, key: str) -> bytes:
        """The bytes at `key`; `ObjectMissing` if there are none."""

    async def size(self, key: str) -> int | None:
        """The size in bytes of the object at `key`, or None when it does not exist."""

    async def delete(self, key: str) -> None:
        """Delete `key`; deleting a missing key is not an error."""

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every object whose key starts with `prefix`; returns how many."""

    async def list(self, prefix: str) -> list[str]:
        """Keys that start with `prefix`, sorted."""

    def presign_get(self, key: str, scope: str = "") -> str:
        """A signed, expiring GET URL: absolute (S3) or root-relative (local, served by irisd).

        `scope=TRASH_SCOPE`: for the owner's trash view; irisd serves a local object in the
        trash only on such a URL."""

    def presign_put(self, key: str, content_type: str) -> str:
        """A signed, expiring PUT URL, valid for repeated PUTs until it expires."""

    async def hide(self, prefixes: Sequence[str]) -> None:
        """The objects under `prefixes` went to the trash: a plain GET URL given out before must
        stop serving them, a `TRASH_SCOPE` one serve them; `get`, `size` and the deletes still
        reach them. Local storage's server checks the trash itself (a no-op); S3 moves them."""

    async def reveal(self, prefixes: Sequence[str]) -> None:
        """Undo `hide` (a restore): plain URLs serve the objects under `prefixes` again."""

    async def ping(self) -> None:
        """Return when the store answers; raise `StorageError` otherwise (for /readyz)."""

    async def close(self) -> None:
        """Release connections."""


async def open_storage(settings: Settings, secret: str) -> Storage:
    """The backend named by `[storage] backend`, ready to use (close it with `close()`).

    `secret` is the server secret, handed in by the caller (storage knows nothing of auth):
    local storage signs its URLs with a key derived from it; S3 signs with its own keys.
    """
    # Imported lazily: a local-only deployment never loads aiobotocore.
    if settings.storage.backend == "s3":
        from irisd.storage.s3 import open_s3

        return await open_s3(settings.storage)
    from irisd.storage.local import open_local

    return open_local(settings, secret)
