"""`irisd submit FILE... [--watch]`: upload photos through the API, process them as a batch.

It speaks to a running server exactly as the app does (direct upload, batch submit, the
job WebSocket), so it works from any machine that reaches the server.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp
import click
from rich.progress import BarColumn, Progress, TaskID, TextColumn

from irisd.cli.settings import config_option, load_settings

BATCH = 10  # API.md: a batch holds 1..10 photos
API = "/api/v1"


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
    failed = asyncio.run(_submit(base, paths, watch, token, (email or "", password or "")))
    if failed:
        raise SystemExit(1)


async def _submit(
    base: str, paths: list[Path], watch: bool, token: str | None, login: tuple[str, str]
) -> int:
    """Upload, submit, optionally watch; returns how many jobs failed (0 when not watching)."""
    async with aiohttp.ClientSession() as session:
        token = token or await _login(session, base, *login)
        client = _Client(session, base, token)
        photo_ids = [await client.upload(path) for path in paths]
        jobs: list[dict[str, Any]] = []
        for start in range(0, len(photo_ids), BATCH):
            reply = await client.post("/processing/batch", {"photo_ids": photo_ids[start:][:BATCH]})
            jobs += reply["jobs"]
        names = {job["photo_id"]: path.name for job, path in zip(jobs, paths, strict=False)}
        for job in jobs:
            click.echo(f"{names.get(job['photo_id'], job['photo_id'])}: job {job['job_id']}")
        if not watch:
            return 0
        return await _watch_all(client, jobs, names)


async def _login(session: aiohttp.ClientSession, base: str, email: str, password: str) -> str:
    body = {"email": email, "password": password}
    async with session.post(f"{base}{API}/auth/login/json", json=body) as resp:
        data = await _answer(resp)
    return str(data["access_token"])


async def _answer(resp: aiohttp.ClientResponse) -> Any:
    try:
        data = await resp.json(content_type=None)
    except (json.JSONDecodeError, aiohttp.ContentTypeError):
        data = {}
    if resp.status >= 400:
        detail = data.get("detail") if isinstance(data, dict) else None
        raise ServerSaid(f"{resp.status}: {detail or resp.reason}")
    return data


class _Client:
    def __init__(self, session: aiohttp.ClientSession, base: str, token: str) -> None:
        self.session = session
        self.base = base
        self.token = token
        self.headers = {"Authorization": f"Bearer {token}"}

    async def upload(self, path: Path) -> str:
        form = aiohttp.FormData()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = await asyncio.to_thread(path.read_bytes)
        form.add_field("file", data, filename=path.name, content_type=kind)
        async with self.session.post(
            f"{self.base}{API}/photos", data=form, headers=self.headers
        ) as r:
            photo = await _answer(r)
        return str(photo["id"])

    async def post(self, path: str, body: Any) -> Any:
        async with self.session.post(
            f"{self.base}{API}{path}", json=body, headers=self.headers
        ) as r:
            return await _answer(r)

    def ws_url(self, job_id: str) -> str:
        return self.base.replace("http", "ws", 1) + f"/ws/jobs/{job_id}?token={self.token}"


async def _watch_all(client: _Client, jobs: list[dict[str, Any]], names: dict[str, str]) -> int:
    columns = (TextColumn("{task.fields[name]:<24}"), BarColumn(), TextColumn("{task.description}"))
    with Progress(*columns) as bars:
        tasks = [
            _watch(client, job, bars, bars.add_task("", total=100, name=names.get(job["photo_id"])))
            for job in jobs
        ]
        outcomes = await asyncio.gather(*tasks)
    return sum(1 for ok in outcomes if not ok)


async def _watch(client: _Client, job: dict[str, Any], bars: Progress, task: TaskID) -> bool:
    """Follow one job's WebSocket until its final message; True when it completed."""
    bars.update(task, description=job["current_step"], completed=job["progress"])
    async with client.session.ws_connect(client.ws_url(job["job_id"])) as socket:
        async for message in socket:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            if "error" in data and "status" not in data:  # refused (token, job): never retried
                bars.update(task, description=f"[red]{data.get('detail') or data['error']}")
                return False
            bars.update(task, description=_describe(data), completed=data.get("progress", 0))
            if data.get("status") in ("completed", "failed"):
                return bool(data["status"] == "completed")
    return False


def _describe(message: dict[str, Any]) -> str:
    if message.get("status") == "completed":
        return f"[green]Complete! ({message.get('processing_time_ms')} ms)"
    if message.get("status") == "failed":
        return f"[red]{message.get('message')} {message.get('suggestion') or ''}"
    return str(message.get("step", ""))
