"""Local-disk storage: objects under `data_dir/objects`, served by irisd on HMAC-signed URLs."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import os
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import quote

from irisd.auth.secrets_equal import secrets_equal
from irisd.config import Settings
from irisd.errors import Forbidden, ObjectMissing, StorageError, StorageUnavailable

# Keys are built by storage.keys from UUIDs; anything else is refused before it nears the disk.
# No segment may start with "." (no "..", and our temp files stay out of listings).
_SEGMENT = r"[A-Za-z0-9_\-][A-Za-z0-9_.\-]*"
_KEY = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")
_PREFIX = re.compile(rf"(?:{_SEGMENT}/)*[A-Za-z0-9_.\-]*")
MAX_KEY_LENGTH = 512
URL_PREFIX = "/files/"
TEMP_PREFIX = ".tmp-"  # a write in progress (`_write`); one left by a crash is a stray copy

# Magic numbers of the formats we store, for the Content-Type of a GET (keys have no extension).
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"WEBP", 8, "image/webp"),
    (b"II*\x00", 0, "image/tiff"),
    (b"MM\x00*", 0, "image/tiff"),
    (b"ftypheic", 4, "image/heic"),
    (b"ftypheix", 4, "image/heic"),
    (b"ftypmif1", 4, "image/heif"),
    (b"BM", 0, "image/bmp"),
)
# `expires` is Unix seconds in ASCII digits (int() would take "²" and fail on 5,000 digits).
_EXPIRES = re.compile(r"[0-9]{1,12}")
_BY_EXTENSION = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}


def check_key(key: str) -> str:
    """`key` if it is a safe object key, else `StorageError` (no traversal, no odd names)."""
    if len(key) > MAX_KEY_LENGTH or not _KEY.fullmatch(key):
        raise StorageError(key=key, reason="invalid key")
    return key


def sniff_content_type(head: bytes, key: str) -> str:
    """The media type from the first bytes of an object, else from the key's extension."""
    for magic, offset, media_type in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return media_type
    ext = key.rsplit(".", 1)[-1].lower() if "." in key else ""
    return _BY_EXTENSION.get(ext, "application/octet-stream")


class UrlSigner:
    """HMAC-SHA256 over (method, key, expires[, scope]): the only credential of a `/files/` URL.

    A `scope` (TRASH_SCOPE) is signed in and sent as `&scope=`: such a URL is the trash
    view's, and serves its object in the trash, where a plain URL no longer does
    (api/files.py).
    """

    def __init__(self, secret: bytes, ttl_s: int, clock: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self.ttl_s = ttl_s
        self._clock = clock

    def signature(self, method: str, key: str, expires: int, scope: str = "") -> str:
        message = f"{method.upper()}\n{key}\n{expires}" + (f"\n{scope}" if scope else "")
        return hmac.new(self._secret, message.encode(), hashlib.sha256).hexdigest()

    def url(self, method: str, key: str, expires: int | None = None, scope: str = "") -> str:
        """A root-relative URL; `expires` (Unix seconds) defaults to now + TTL."""
        if expires is None:
            expires = int(self._clock()) + self.ttl_s
        sig = self.signature(method, key, expires, scope)
        scoped = f"&scope={scope}" if scope else ""
        return f"{URL_PREFIX}{quote(key, safe='/')}?expires={expires}&sig={sig}{scoped}"

    def verify(self, method: str, key: str, expires: str, sig: str, scope: str = "") -> None:
        """Return if the signature is valid and unexpired for this method; else `Forbidden`."""
        if not _EXPIRES.fullmatch(expires) or not sig:
            raise Forbidden(reason="unsigned")
        expected = self.signature(method, key, int(expires), scope)
        # Compare first, then check the time, so a bad signature never learns about expiry.
        if not secrets_equal(sig, expected):
            raise Forbidden(reason="bad signature")
        if int(expires) < self._clock():
            raise Forbidden(reason="expired")


class LocalStorage:
    """Files under `root`; writes are atomic (temp file + os.replace), I/O runs off the loop."""

    def __init__(self, root: Path, signer: UrlSigner) -> None:
        self.root = root
        self.signer = signer

    def path(self, key: str) -> Path:
        """The file of `key` (validated); it may not exist."""
        return self.root / check_key(key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._write, self.path(key), data)

    async def get(self, key: str) -> bytes:
        path = self.path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise ObjectMissing(key=key) from exc
        except OSError as exc:
            raise StorageUnavailable(key=key, reason=repr(exc)) from exc

    async def size(self, key: str) -> int | None:
        return await asyncio.to_thread(_file_size, self.path(key))

    async def delete(self, key: str) -> None:
        path = self.path(key)
        try:
            await asyncio.to_thread(path.unlink, missing_ok=True)
        except OSError as exc:
            raise StorageUnavailable(key=key, reason=repr(exc)) from exc

    async def delete_prefix(self, prefix: str) -> int:
        found = await self.list(prefix)
        for key in found:
            await self.delete(key)
        return len(found)

    async def list(self, prefix: str) -> list[str]:
        if not _PREFIX.fullmatch(prefix) or ".." in prefix:
            raise StorageError(prefix=prefix, reason="invalid prefix")
        return await asyncio.to_thread(_walk, self.root, prefix)

    def presign_get(self, key: str, scope: str = "") -> str:
        return self.signer.url("GET", check_key(key), scope=scope)

    def presign_put(self, key: str, content_type: str) -> str:
        # The content type is not signed: the app declares image/jpeg whatever it sends, and
        # confirm judges the bytes.
        return self.signer.url("PUT", check_key(key))

    async def hide(self, prefixes: Sequence[str]) -> None:
        """Nothing to move: irisd serves these URLs and refuses what is in the trash
        (api/files.py)."""

    async def reveal(self, prefixes: Sequence[str]) -> None:
        """Nothing was moved (`hide`)."""

    async def ping(self) -> None:
        await asyncio.to_thread(self._ping)

    async def close(self) -> None:
        return None

    def _write(self, path: Path, data: bytes) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    # Durable before it is visible: a confirmed photo must survive power loss.
                    os.fsync(out.fileno())
                Path(tmp).replace(path)  # atomic: readers see the old or the new file
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StorageUnavailable(reason=repr(exc)) from exc

    async def remove_partial_writes(self, older_than_s: float = 0.0) -> int:
        """Delete temp files of writes that never finished (a kill -9 mid-write leaves a copy
        of the photo that no key names); with `older_than_s`, only those that old, so a
        write running in another process is left alone. Returns how many went."""
        return await asyncio.to_thread(_remove_temp_files, self.root, older_than_s)

    def _ping(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK):
            raise StorageUnavailable(reason="objects directory not writable")


def _walk(root: Path, prefix: str) -> list[str]:
    # Walk only the deepest directory the prefix names, then filter by the full prefix
    # (it may end in a partial name, e.g. processed/{user}/{job} for {job}.png + _mask.png).
    base = root / prefix.rsplit("/", 1)[0] if "/" in prefix else root
    if not base.is_dir():
        return []
    keys = []
    for path in base.rglob("*"):
        key = path.relative_to(root).as_posix()
        if path.is_file() and key.startswith(prefix) and _KEY.fullmatch(key):
            keys.append(key)
    return sorted(keys)


def _remove_temp_files(root: Path, older_than_s: float) -> int:
    cutoff = time.time() - older_than_s
    removed = 0
    for path in root.rglob(f"{TEMP_PREFIX}*"):
        with contextlib.suppress(FileNotFoundError):  # its write finished or failed meanwhile
            if path.is_file() and path.stat().st_mtime <= cutoff:
                path.unlink()
                removed += 1
    return removed


def _file_size(path: Path) -> int | None:
    try:
        stat = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return stat.st_size if path.is_file() else None


def storage_key(secret: str | bytes) -> bytes:
    """A key for URL signatures, separate from the JWT key derived from the same secret."""
    raw = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(raw, b"irisd-storage-url", hashlib.sha256).digest()


def open_local(settings: Settings, secret: str) -> LocalStorage:
    """Local storage under `data_dir/objects`, signing with a key derived from `secret`."""
    root = settings.data_path / "objects"
    root.mkdir(parents=True, exist_ok=True)
    signer = UrlSigner(storage_key(secret), settings.storage.url_ttl_s)
    return LocalStorage(root, signer)
