"""Cancelling a job, decided in one place for the API, `irisd jobs cancel` and `irisd purge`.

"Queued or running" is decided by store.cancel_pending in one transaction: a pending job is
failed (cancelled) there and the queue moves up, so it cannot be claimed meanwhile. A job
that is no longer pending is running: it is asked to stop at its next step boundary through
a flag file, which the worker (at every report) and the server (between steps) look at
whichever process wrote it, and through the row's flag, which survives a restart.

It works the same from any process (arq's `Job.abort`). The server publishes what its own
cancels changed; what another process changed reaches open sockets through the server's
catch-up of the job_events table (jobs/dispatch.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from irisd.db import Database
from irisd.errors import Cancelled, Conflict
from irisd.jobs import store
from irisd.jobs.model import LiveState


class AlreadyFinished(Conflict):
    message = "This job has already finished."


class Outcome(StrEnum):
    DROPPED = "dropped"  # it was pending: failed (cancelled) now, the jobs behind moved up
    STOPPING = "stopping"  # it is running: it stops at its next step boundary
    CANCELLED = "cancelled"  # it had been cancelled before: nothing to do
    FINISHED = "finished"  # it completed or failed otherwise: nothing to cancel


@dataclass(frozen=True)
class Cancellation:
    outcome: Outcome
    state: LiveState  # the job after the cancel (a running job's is unchanged until it stops)
    changed: tuple[LiveState, ...] = ()  # the states written: the dropped job, those moved up


async def cancel(db: Database, data_path: Path, state: LiveState) -> Cancellation:
    """Cancel the job whose stored state is `state` (read by the caller, who checked access)."""
    if state.status.final:
        cancelled = state.error_type == Cancelled.error_type
        return Cancellation(Outcome.CANCELLED if cancelled else Outcome.FINISHED, state)
    dropped, moved = await store.cancel_pending(db, state.job_id)
    if dropped is not None:
        return Cancellation(Outcome.DROPPED, dropped, (dropped, *moved))
    flag = cancel_flag(data_path, state.job_id)
    flag.parent.mkdir(parents=True, exist_ok=True)
    flag.touch()
    await store.request_cancel(db, state.job_id)
    return Cancellation(Outcome.STOPPING, state)


async def cancel_photo(db: Database, data_path: Path, photo_id: str) -> list[Cancellation]:
    """Cancel every job of a photo about to be deleted (finished ones stay as they are)."""
    return [await cancel(db, data_path, state) for state in await store.jobs_of_photo(db, photo_id)]


def cancel_flag(data_path: Path, job_id: str) -> Path:
    """The file that asks a running job to stop; its path travels with the job
    (`worker.JobInput.cancel_flag`) to the process that runs it."""
    return data_path / "run" / "cancel" / job_id


def stop_asked(flag: str | Path) -> bool:
    """Whether the stop flag at `flag` is set: the one way it is read, by the server between
    steps, a worker at each report and the Ray driver at each report it streams."""
    return Path(flag).exists()


def stop_requested(data_path: Path, job_id: str) -> bool:
    """Whether anyone (this process or another) asked the running job to stop."""
    return stop_asked(cancel_flag(data_path, job_id))


def clear_stop(data_path: Path, job_id: str) -> None:
    """Remove the job's stop flag once it no longer runs here."""
    cancel_flag(data_path, job_id).unlink(missing_ok=True)
