"""How long an upload's body may take to arrive once it holds an upload slot.

A slot (irisd/upload_slots.py) is held while the body is read, and aiohttp sets no limit on
that: an account trickling a byte a second kept its slots as long as it liked, and two
accounts held all 8. Reading the body must end within `[uploads] body_timeout_s`; past it the
request is answered 408, the slot is given back, and the connection is closed after the reply.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from irisd.errors import RequestTimeout


@asynccontextmanager
async def body_deadline(timeout_s: float) -> AsyncIterator[None]:
    """Around reading one upload's body: RequestTimeout (408) once `timeout_s` has passed
    (0: no deadline)."""
    deadline = asyncio.timeout(timeout_s if timeout_s > 0 else None)
    try:
        async with deadline:
            yield
    except TimeoutError as exc:
        if not deadline.expired():
            raise  # not ours
        raise RequestTimeout(timeout_s=timeout_s) from exc
