"""Asking a job to stop: the API's, the CLI's and `irisd purge`'s cancel of a running job."""

from __future__ import annotations

from pathlib import Path

from irisd.db import Database
from irisd.jobs import store, worker


async def request_stop(db: Database, data_path: Path, job_id: str) -> None:
    """Ask a running job to stop at its next step boundary (the API's and the CLI's cancel).

    The flag file reaches the worker (checked at every report) and the engine (checked
    between steps), whichever process set it; the row's flag survives a restart.
    """
    flag = worker.cancel_flag(data_path, job_id)
    flag.parent.mkdir(parents=True, exist_ok=True)
    flag.touch()
    await store.request_cancel(db, job_id)
