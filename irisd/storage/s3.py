"""S3 storage via aiobotocore: SigV4 presigned URLs, SSE on every put, botocore errors translated.

This is the only module that imports botocore. Its connection and timeout errors are not the
builtin ConnectionError/TimeoutError, so `_translate` maps them to `StorageUnavailable` (a
ConnectionError), which the job retry layer retries; botocore's own retries are off.

S3 serves its presigned URLs itself, so irisd cannot refuse one of an item in the trash as it
does for local storage. A trashed item's objects are moved under `trash/` instead (`hide`), so a
URL given out before the delete gets S3's 404 until it expires; the trash view's URLs name the
moved key, and a restore moves them back. `get`, `size` and the deletes look under `trash/` too,
so the rest of irisd does not need to know where an object is.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AsyncExitStack, contextmanager
from typing import Any

import botocore.config
import botocore.exceptions
import botocore.session
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session

from irisd.config import StorageSettings
from irisd.errors import ObjectMissing, StorageError, StorageUnavailable
from irisd.storage import TRASH_SCOPE

_MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
_DELETE_BATCH = 1000  # the most keys one DeleteObjects call takes
TRASH_PREFIX = "trash/"  # where a trashed item's objects wait (no key of storage/keys.py starts so)

# Network failures: the store may answer on the next attempt, so they must look transient.
_OUTAGES = (
    botocore.exceptions.ConnectionError,  # EndpointConnectionError, ConnectTimeoutError
    botocore.exceptions.HTTPClientError,  # ReadTimeoutError, ConnectionClosedError
)


@contextmanager
def _translate(**context: Any) -> Iterator[None]:
    """botocore exceptions → StorageError subclasses, once, at the boundary."""
    try:
        yield
    except _OUTAGES as exc:
        raise StorageUnavailable(reason=repr(exc), **context) from exc
    except botocore.exceptions.ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _MISSING_CODES:
            raise ObjectMissing(**context) from exc
        raise StorageError(code=code, **context) from exc
    except botocore.exceptions.BotoCoreError as exc:  # credentials, parameters, ...
        raise StorageError(reason=repr(exc), **context) from exc


def _client_args(settings: StorageSettings) -> dict[str, Any]:
    args: dict[str, Any] = {"region_name": settings.s3_region}
    if settings.s3_endpoint_url:
        args["endpoint_url"] = settings.s3_endpoint_url
    if settings.s3_access_key_id:
        # Empty keys mean botocore's default chain (env, profile, instance role).
        args["aws_access_key_id"] = settings.s3_access_key_id
        args["aws_secret_access_key"] = settings.s3_secret_access_key
    return args


def _s3_options(settings: StorageSettings) -> dict[str, Any]:
    # Custom endpoints (MinIO, moto, Ceph) are usually reachable only in path style.
    return {"addressing_style": "path" if settings.s3_endpoint_url else "auto"}


class S3Storage:
    """One bucket. `client` is aiobotocore's for I/O; `signer` a plain botocore client that
    only signs URLs (no network), so presign_* stay synchronous as the Protocol says."""

    def __init__(
        self, client: Any, signer: Any, settings: StorageSettings, stack: AsyncExitStack
    ) -> None:
        self._client = client
        self._signer = signer
        self._settings = settings
        self._bucket = settings.s3_bucket
        self._stack = stack

    def _put_args(self) -> dict[str, Any]:
        if self._settings.s3_sse:
            return {"ServerSideEncryption": self._settings.s3_sse}
        return {}

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        with _translate(key=key):
            await self._client.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                **self._put_args(),
            )

    async def get(self, key: str) -> bytes:
        try:
            return await self._get(key)
        except ObjectMissing:
            return await self._get(TRASH_PREFIX + key)  # in the trash (`hide`)

    async def _get(self, key: str) -> bytes:
        with _translate(key=key):
            response = await self._client.get_object(Bucket=self._bucket, Key=key)
            async with response["Body"] as stream:
                data: bytes = await stream.read()
                return data

    async def size(self, key: str) -> int | None:
        for name in (key, TRASH_PREFIX + key):  # here, or in the trash (`hide`)
            try:
                with _translate(key=name):
                    head = await self._client.head_object(Bucket=self._bucket, Key=name)
            except ObjectMissing:
                continue
            return int(head["ContentLength"])
        return None

    async def head(self, key: str) -> dict[str, Any]:
        """The object's metadata as S3 reports it (used by tests to check SSE)."""
        with _translate(key=key):
            head: dict[str, Any] = await self._client.head_object(Bucket=self._bucket, Key=key)
            return head

    async def delete(self, key: str) -> None:
        await self._delete_keys([key, TRASH_PREFIX + key], key=key)  # wherever it is

    async def delete_prefix(self, prefix: str) -> int:
        found = await self.list(prefix) + await self.list(TRASH_PREFIX + prefix)
        await self._delete_keys(found, prefix=prefix)
        return len(found)

    async def _delete_keys(self, found: list[str], **context: Any) -> None:
        for start in range(0, len(found), _DELETE_BATCH):
            batch = [{"Key": key} for key in found[start : start + _DELETE_BATCH]]
            with _translate(**context):
                await self._client.delete_objects(
                    Bucket=self._bucket, Delete={"Objects": batch, "Quiet": True}
                )

    async def hide(self, prefixes: Sequence[str]) -> None:
        for prefix in prefixes:
            for key in await self.list(prefix):
                await self._move(key, TRASH_PREFIX + key)

    async def reveal(self, prefixes: Sequence[str]) -> None:
        for prefix in prefixes:
            for key in await self.list(TRASH_PREFIX + prefix):
                await self._move(key, key.removeprefix(TRASH_PREFIX))

    async def _move(self, source: str, target: str) -> None:
        """Copy within the bucket (with SSE, as every put), then delete the source."""
        with _translate(key=source, target=target):
            await self._client.copy_object(
                Bucket=self._bucket,
                Key=target,
                CopySource={"Bucket": self._bucket, "Key": source},
                **self._put_args(),
            )
            await self._client.delete_object(Bucket=self._bucket, Key=source)

    async def list(self, prefix: str) -> list[str]:
        keys: list[str] = []
        with _translate(prefix=prefix):
            paginator = self._client.get_paginator("list_objects_v2")
            async for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix):
                keys.extend(item["Key"] for item in page.get("Contents", []))
        return sorted(keys)

    def presign_get(self, key: str, scope: str = "") -> str:
        # The trash view's URLs name where `hide` moved the object.
        name = TRASH_PREFIX + key if scope == TRASH_SCOPE else key
        return self._presign("get_object", {"Bucket": self._bucket, "Key": name})

    def presign_put(self, key: str, content_type: str) -> str:
        # Neither ContentType nor ServerSideEncryption is signed into the URL: a signed header
        # must then be sent verbatim, and the IrisArt app sends only `Content-Type: image/jpeg`
        # whatever the file is. Encryption of presigned uploads is instead guaranteed by
        # photo_uploads.confirm, which re-puts the checked original through `put` (with SSE).
        return self._presign("put_object", {"Bucket": self._bucket, "Key": key})

    def _presign(self, operation: str, params: dict[str, Any]) -> str:
        with _translate(key=params["Key"]):
            url: str = self._signer.generate_presigned_url(
                operation, Params=params, ExpiresIn=self._settings.url_ttl_s
            )
            return url

    async def ping(self) -> None:
        with _translate(bucket=self._bucket):
            await self._client.head_bucket(Bucket=self._bucket)

    async def close(self) -> None:
        await self._stack.aclose()


async def open_s3(settings: StorageSettings) -> S3Storage:
    """Connect to the configured bucket (no request is made until first use)."""
    config = AioConfig(
        signature_version="s3v4",
        s3=_s3_options(settings),
        # Ours (jobs/retry.py) is the only retry layer: botocore's defaults spent 10.6 s on an
        # unreachable endpoint before irisd saw an error (0.3 s with one attempt).
        retries={"total_max_attempts": 1},
        connect_timeout=settings.s3_connect_timeout_s,
        read_timeout=settings.s3_read_timeout_s,
    )
    stack = AsyncExitStack()
    client = await stack.enter_async_context(
        get_session().create_client("s3", config=config, **_client_args(settings))
    )
    signer = botocore.session.get_session().create_client(
        "s3",
        config=botocore.config.Config(signature_version="s3v4", s3=_s3_options(settings)),
        **_client_args(settings),
    )
    return S3Storage(client, signer, settings, stack)
