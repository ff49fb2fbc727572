"""Storing an art job's result on the server: the file, its preview, what it adds to the Job.

The art kinds' counterpart of the processing result's save in jobs/attempts.py: the same
saving states (95, then 100) and keys (`processed/{user_id}/{job_id}*`, so a failure's
cleanup and the trash's purge find them), then the completed state.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from irisd import db as dbm
from irisd.db import Database
from irisd.jobs import previews, progress, store
from irisd.jobs.art_work import ArtResult
from irisd.jobs.model import LiveState
from irisd.storage import Storage, keys

MEDIA_TYPES = {"png": "image/png", "tiff": "image/tiff"}

Change = Callable[[LiveState], LiveState | None]


@dataclass(frozen=True)
class Saving:
    """What saving needs: where to store, the job's state, and the engine's one update."""

    db: Database
    storage: Storage
    state: LiveState
    update: Callable[[Change], Awaitable[LiveState | None]]


async def save(saving: Saving, result: ArtResult, started: float) -> LiveState | None:
    """Store the result and its preview, then complete the job; None if its row is gone."""
    state = saving.state
    await saving.update(lambda s: progress.saving(s, 95, dbm.now()))
    result_key = keys.processed(state.user_id, state.job_id, result.ext)
    await saving.storage.put(result_key, result.image, MEDIA_TYPES[result.format])
    if result.preview is not None:
        await saving.storage.put(keys.preview(state.user_id, state.job_id), result.preview,
                                 previews.MEDIA_TYPE)  # fmt: skip
        await store.save_previews(saving.db, state.job_id, 1)
    await store.save_result_info(saving.db, state.job_id, result.info)
    await saving.update(lambda s: progress.saving(s, 100, dbm.now()))
    elapsed_ms = int((time.monotonic() - started) * 1000)
    return await saving.update(
        lambda s: progress.completed(
            s,
            result_key=result_key,
            mask_key=None,
            size=(result.width, result.height),
            quality_score=None,
            quality_notes=(),
            processing_time_ms=elapsed_ms,
            now=dbm.now(),
            file_size_bytes=len(result.image),
        )
    )
