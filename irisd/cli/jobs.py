"""`irisd jobs list|show|cancel|retry`: operate on jobs from the server's shell.

These commands work on the database directly, through the same functions the API uses
(jobs/store, and jobs/cancel.py for `cancel`), so they need no token and work whether or not
the server runs. A running server sees their effect without being told: it claims new jobs
(`retry`) from the table within a second, a pending job cancelled here is never claimed, and
a running job stops at its next step boundary at the same cancel flag the API sets. Open
WebSockets hear of every change within a second (the server's catch-up of job_events).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import click

from irisd.cli.rows import print_rows
from irisd.cli.settings import config_option, fail, load_settings, with_database
from irisd.config import Settings
from irisd.db import Database
from irisd.jobs import store
from irisd.jobs.cancel import Outcome
from irisd.jobs.cancel import cancel as cancel_job
from irisd.jobs.model import JobKind, JobStatus
from irisd.jobs.store import SINGLE_PRIORITY, JobRecord

STATUSES = [s.value for s in JobStatus]
COLUMNS = (
    *("job", "user", "photo", "status", "step", "progress", "attempts", "error", "created"),
    "kind",
)


@click.group()
def jobs() -> None:
    """List, inspect, cancel and retry processing jobs."""


@jobs.command("list")
@config_option
@click.option("--status", type=click.Choice(STATUSES), default=None, help="Only this status.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
def list_(config_path: Path | None, status: str | None, limit: int) -> None:
    """List the newest jobs of every user.

    A table on a terminal, tab-separated lines for scripts.
    """
    settings = load_settings(config_path)
    found = with_database(settings, lambda db: store.list_all(db, limit, status))
    print_rows(COLUMNS, [_cells(record) for record in found])


@jobs.command("show")
@config_option
@click.argument("job_id")
def show(config_path: Path | None, job_id: str) -> None:
    """Show every field of a job and its attempt log (JSON)."""

    async def work(db: Database) -> dict[str, Any]:
        state = await store.fetch(db, job_id)
        if state is None:
            _missing(job_id)
        return {**state.to_json(), "attempt_log": await store.attempt_log(db, job_id)}

    click.echo(json.dumps(with_database(load_settings(config_path), work), indent=2))


@jobs.command("cancel")
@config_option
@click.argument("job_id")
def cancel(config_path: Path | None, job_id: str) -> None:
    """Cancel a job.

    A pending job is dropped at once; a running one stops at its next step.
    """
    settings = load_settings(config_path)
    outcome = with_database(settings, lambda db: _cancel(db, settings, job_id))
    click.echo(outcome)


async def _cancel(db: Database, settings: Settings, job_id: str) -> str:
    state = await store.fetch(db, job_id)
    if state is None:
        _missing(job_id)
    done = await cancel_job(db, settings.data_path, state)
    if done.outcome is Outcome.DROPPED:
        return f"Cancelled pending job {job_id}."
    if done.outcome is Outcome.STOPPING:
        return f"Asked running job {job_id} to stop at its next step."
    raise click.ClickException(f"Job {job_id} has already finished ({state.status.value}).")


@jobs.command("retry")
@config_option
@click.argument("job_id")
def retry(config_path: Path | None, job_id: str) -> None:
    """Queue a finished job again: its photo, or an art job's kind and parameters.

    Like the API's reprocess: a new job, picked up by the running server within a second.
    """
    settings = load_settings(config_path)
    new_id = with_database(settings, lambda db: _retry(db, settings, job_id))
    click.echo(f"Queued job {new_id}.")


async def _retry(db: Database, settings: Settings, job_id: str) -> str:
    state = await store.fetch(db, job_id)
    if state is None:
        _missing(job_id)
    if not state.status.final:
        fail("Job %s is still %s.", job_id, state.status.value)
    limit = settings.jobs.queue_limit
    if state.kind is not JobKind.PROCESS:  # the same art job again: its kind and parameters
        spec = await store.spec_of(db, state)
        record, _ = await store.insert_art(db, state.user_id, spec, SINGLE_PRIORITY, limit)
        return record.state.job_id
    [record], _ = await store.insert(db, state.user_id, [state.photo_id], SINGLE_PRIORITY, limit)
    return record.state.job_id


def _missing(job_id: str) -> NoReturn:
    raise click.ClickException(f"No job {job_id}.")


def _cells(record: JobRecord) -> list[str]:
    s = record.state
    return [
        s.job_id,
        s.user_id,
        s.photo_id,
        s.status.value,
        s.step.value if s.step else "-",
        f"{s.progress}%",
        str(s.attempt),
        s.error_type or "-",
        record.created_at,
        s.kind.value,
    ]
