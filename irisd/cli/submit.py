"""`irisd submit FILE... [--watch]`: upload photos through the API, process them as a batch.

It speaks to a running server exactly as the app does (direct upload, batch submit, the
job WebSocket) through `irisd.client`, so it works from any machine that reaches the server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp
import click
from rich.progress import BarColumn, Progress, TaskID, TextColumn

from irisd.cli.settings import config_option, load_settings
from irisd.client import Client, Refused


class ServerSaid(click.ClickException):
    """The server refused: show its {"detail"} sentence."""


@click.command()
@config_option
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--watch", is_flag=True, help="Show each job's live steps until it finishes.")
@click.option("--url", default=None, help="Server URL (default: http://127.0.0.1:<port>).")
@click.option("--token", envvar="IRISD_TOKEN", default=None, help="Access token (irisd token).")
@click.option("--email", default=None, help="Log in as this user instead of --token.")
@click.option("--password", default=None, help="Password for --email (prompted when omitted).")
def submit(
    config_path: Path | None,
    files: Sequence[str],
    watch: bool,
    url: str | None,
    token: str | None,
    email: str | None,
    password: str | None,
) -> None:
    """Upload photos and process them, optionally watching live.

    FILE... are uploaded through the API and submitted in batches of 10 (earlier files
    first); --watch shows each job's steps as progress bars from its WebSocket.
    """
    base = (url or f"http://127.0.0.1:{load_settings(config_path).server.port}").rstrip("/")
    if token is None and email is None:
        raise click.UsageError("Give --token (or IRISD_TOKEN), or --email to log in.")
    if token is None and password is None:
        password = click.prompt("Password", hide_input=True)
    paths = [Path(f) for f in files]
    try:
        failed = asyncio.run(_submit(base, paths, watch, token, (email or "", password or "")))
    except Refused as exc:
        raise ServerSaid(str(exc)) from exc
    if failed:
        raise SystemExit(1)


async def _submit(
    base: str, paths: list[Path], watch: bool, token: str | None, login: tuple[str, str]
) -> int:
    """Upload, submit, optionally watch; returns how many jobs failed (0 when not watching)."""
    async with aiohttp.ClientSession() as session:
        client = Client(session, base, token)
        if token is None:
            await client.login(*login)
        photo_ids = [str((await client.upload_file(path))["id"]) for path in paths]
        jobs = await client.submit_all(photo_ids)
        names = {job["photo_id"]: path.name for job, path in zip(jobs, paths, strict=False)}
        for job in jobs:
            click.echo(f"{names.get(job['photo_id'], job['photo_id'])}: job {job['job_id']}")
        if not watch:
            return 0
        return await _watch_all(client, jobs, names)


async def _watch_all(client: Client, jobs: list[dict[str, Any]], names: dict[str, str]) -> int:
    columns = (TextColumn("{task.fields[name]:<24}"), BarColumn(), TextColumn("{task.description}"))
    with Progress(*columns) as bars:
        tasks = [
            _watch(client, job, bars, bars.add_task("", total=100, name=names.get(job["photo_id"])))
            for job in jobs
        ]
        outcomes = await asyncio.gather(*tasks)
    return sum(1 for ok in outcomes if not ok)


async def _watch(client: Client, job: dict[str, Any], bars: Progress, task: TaskID) -> bool:
    """Follow one job's WebSocket until the server closes it; True when the job completed."""
    bars.update(task, description=job["current_step"], completed=job["progress"])
    completed = False
    async for data in client.messages(job["job_id"]):  # it closes after the final message
        if "error" in data and "status" not in data:  # refused (token, job): never retried
            bars.update(task, description=f"[red]{data.get('detail') or data['error']}")
            continue
        bars.update(task, description=_describe(data), completed=data.get("progress", 0))
        completed = data.get("status") == "completed"
    return completed


def _describe(message: dict[str, Any]) -> str:
    if message.get("status") == "completed":
        return f"[green]Complete! ({message.get('processing_time_ms')} ms)"
    if message.get("status") == "failed":
        return f"[red]{message.get('message')} {message.get('suggestion') or ''}"
    return str(message.get("step", ""))
