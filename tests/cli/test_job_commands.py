"""`irisd jobs`, `irisd submit --watch` and `irisd purge` against a running server's data.

The CLI runs in a thread (CliRunner) while the real server keeps serving on the event loop,
as an operator's shell would next to a running server.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from irisd.cli.jobs import jobs
from irisd.cli.purge import purge
from irisd.cli.submit import submit
from tests.conftest import Irisd
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.pipelines import NOTES, Gates, at_gate, final, gates, pipeline
from tests.support.studio_jobs import submit_kind

__all__ = ["gates"]

Invoke = Callable[..., Awaitable[Result]]
UserFactory = Callable[..., Awaitable[ApiClient]]


@pytest.fixture
def invoke(tmp_path: Path) -> Callable[[Irisd], Invoke]:
    """invoke(irisd)(command, *args) → the CLI's Result, run against that server's data dir."""
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")

    def bind(irisd: Irisd) -> Invoke:
        env = {"IRISD_DATA_DIR": irisd.settings.data_dir}

        async def run(command: click.Command, *args: str) -> Result:
            options = ["--config", str(empty)]
            # A group's subcommand comes before the options.
            argv = [args[0], *options, *args[1:]] if command is jobs else [*options, *args]
            return await asyncio.to_thread(CliRunner().invoke, command, argv, env=env)

        return run

    return bind


async def job(api: ApiClient, job_id: str) -> dict[str, object]:
    body: dict[str, object] = (await api.get(f"/api/v1/processing/jobs/{job_id}")).body
    return body


async def test_jobs_cancel_and_retry_act_on_a_running_server(
    start_server: Callable[..., Awaitable[Irisd]],
    user_factory: UserFactory,
    gates: Gates,
    invoke: Callable[[Irisd], Invoke],
) -> None:
    irisd = await start_server(jobs=pipeline("gated"))
    api, cli = await user_factory(irisd), invoke(irisd)
    held, other = [(await api.upload(images.jpeg()))["id"] for _ in range(2)]
    gates.hold(held)
    running = (await api.post("/api/v1/processing/submit", {"photo_id": held})).body["job_id"]
    await at_gate(api, running)
    waiting = (await api.post("/api/v1/processing/submit", {"photo_id": other})).body["job_id"]

    async with api.ws(f"/ws/jobs/{waiting}") as socket:
        assert (await socket.receive_json())["status"] == "pending"
        dropped = await cli(jobs, "cancel", waiting)
        assert dropped.exit_code == 0, dropped.output
        # The open socket hears of the other process's change (the server's table poll).
        async with asyncio.timeout(30):  # a bound on failure; it takes about a second
            seen = [json.loads(msg.data) async for msg in socket]
    assert seen[-1]["status"] == "failed"
    assert seen[-1]["error_type"] == "cancelled"
    assert (await job(api, waiting))["error_type"] == "cancelled"
    asked = await cli(jobs, "cancel", running)
    assert asked.exit_code == 0, asked.output
    await gates.release(running)
    assert (await final(api, running))["error_type"] == "cancelled"

    gates.unhold(held)
    gates.note(held, *NOTES)
    retried = await cli(jobs, "retry", running)
    assert retried.exit_code == 0, retried.output
    new_id = retried.output.split()[-1].rstrip(".")
    assert (await final(api, new_id))["status"] == "completed"  # the server took it up

    listed = await cli(jobs, "list")
    assert {line.split("\t")[0] for line in listed.output.splitlines()} == {
        running,
        waiting,
        new_id,
    }
    shown = json.loads((await cli(jobs, "show", running)).output)
    assert shown["error_type"] == "cancelled"
    assert [entry["attempt"] for entry in shown["attempt_log"]] == [1]
    assert shown["quality_notes"] == []
    assert json.loads((await cli(jobs, "show", new_id)).output)["quality_notes"] == list(NOTES)
    assert (await cli(jobs, "show", "no-such-job")).exit_code == 1
    assert (await cli(jobs, "cancel", new_id)).exit_code == 1  # finished: nothing to cancel


async def test_submit_watch_uploads_processes_and_follows_each_job(
    start_server: Callable[..., Awaitable[Irisd]],
    user_factory: UserFactory,
    invoke: Callable[[Irisd], Invoke],
    tmp_path: Path,
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    api = await user_factory(irisd)
    files = []
    for n in range(2):
        path = tmp_path / f"eye{n}.jpg"
        path.write_bytes(images.jpeg(64 + n, 48))
        files.append(str(path))
    token = api.access_token or ""
    result = await invoke(irisd)(submit, *files, "--watch", "--url", irisd.url, "--token", token)
    assert result.exit_code == 0, result.output
    listed = (await api.get("/api/v1/processing/jobs")).body
    assert [j["status"] for j in listed["items"]] == ["completed", "completed"]
    assert "eye0.jpg" in result.output
    assert token not in result.output


async def test_purge_deletes_old_photos_results_and_jobs(
    start_server: Callable[..., Awaitable[Irisd]],
    user_factory: UserFactory,
    invoke: Callable[[Irisd], Invoke],
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    api = await user_factory(irisd)
    photo_id = (await api.upload(images.jpeg()))["id"]
    job_id = (await api.post("/api/v1/processing/submit", {"photo_id": photo_id})).body["job_id"]
    assert (await final(api, job_id))["status"] == "completed"
    me = (await api.get("/api/v1/users/me")).body["id"]
    assert await irisd.storage.list(f"processed/{me}/")

    kept = await invoke(irisd)(purge, "--older-than", "30", "--yes")
    assert kept.exit_code == 0, kept.output
    assert (await api.get(f"/api/v1/photos/{photo_id}")).status == 200

    result = await invoke(irisd)(purge, "--older-than", "0", "--yes")
    assert result.exit_code == 0, result.output
    assert (await api.get(f"/api/v1/photos/{photo_id}")).status == 404
    assert (await api.get(f"/api/v1/processing/jobs/{job_id}")).status == 404
    for prefix in ("originals", "thumbnails", "processed"):
        assert await irisd.storage.list(f"{prefix}/{me}/") == []


@pytest.mark.parametrize("kind", ["style", "fusion"])
async def test_jobs_retry_of_an_art_job_queues_the_same_kind_and_parameters(
    start_server: Callable[..., Awaitable[Irisd]],
    user_factory: UserFactory,
    invoke: Callable[[Irisd], Invoke],
    kind: str,
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    api, cli = await user_factory(irisd), invoke(irisd)
    first = await submit_kind(api, kind, (await api.upload(images.jpeg()))["id"])
    assert (await final(api, first))["status"] == "completed"
    retried = await cli(jobs, "retry", first)
    assert retried.exit_code == 0, retried.output
    again = retried.output.split()[-1].rstrip(".")
    assert (await final(api, again))["kind"] == kind
    rows = await irisd.db.fetchall(
        "SELECT kind, params, photo_id FROM jobs WHERE id IN (?, ?)", (first, again)
    )
    assert len({tuple(row) for row in rows}) == 1  # the same job, queued again
    listed = (await cli(jobs, "list")).output.splitlines()
    assert {line.split("\t")[-1] for line in listed} == {"process", kind}
