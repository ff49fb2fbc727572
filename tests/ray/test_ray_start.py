"""README "Scaling out" as written: a cluster from `ray start --head`, `irisd serve` joining
it by address over loopback, and the app's whole flow on a real eye with the real pipeline.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import aiohttp
import pytest

from irisd.config import Settings, replace
from tests.api.test_mobile_flow import upload_as_the_app_does
from tests.conftest import PASSWORD
from tests.resilience.test_server_restart import add_user
from tests.resilience.test_worker_killed import submit
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.pipelines import GATE_DIR_ENV, Gates, at_gate, final, gates, pipeline
from tests.support.server import ServerProcess

__all__ = ["gates"]

pytestmark = pytest.mark.ray

RAY = Path(sys.executable).with_name("ray")
WAIT_S = 90.0  # bounds each wait on the cluster: a driver restart backs off up to 15 s
POLL_S = 0.2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RayHead:
    """`ray start --head --block` on one port (one CPU), stopped by its pid, startable again
    on the same port (as an operator restarts a cluster)."""

    def __init__(self, port: int, log_path: Path) -> None:
        self.address = f"127.0.0.1:{port}"
        self.port = port
        self.log_path = log_path
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        with self.log_path.open("a", encoding="utf-8") as log:
            self.proc = subprocess.Popen(
                [
                    str(RAY), "start", "--head", f"--port={self.port}",
                    "--node-ip-address=127.0.0.1", "--num-cpus=1",
                    f"--object-store-memory={100 * 2**20}", "--include-dashboard=false",
                    "--disable-usage-stats", "--block",
                ],
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                # Ray turns token auth on for `ray start` when ~/.ray/auth_token exists (any
                # earlier private runtime writes one), and a driver joining by address needs
                # RAY_AUTH_MODE=token then: the tests' cluster does without, whatever ~ holds.
                env={**os.environ, "RAY_AUTH_MODE": "disabled"},
            )  # fmt: skip
        assert self.proc.stdout is not None
        for line in self.proc.stdout:  # it says so once the head node runs
            if "Ray runtime started" in line:
                return
        pytest.fail(f"ray start did not start: {self.log_path.read_text()}")

    def stop(self) -> None:
        """SIGTERM to the `ray start` we started (--block: it stops the processes it started)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def head(tmp_path: Path) -> Iterator[RayHead]:
    """A one-CPU head node on a free port, stopped at teardown."""
    pytest.importorskip("ray")
    started = RayHead(free_port(), tmp_path / "ray-start.log")
    try:
        started.start()
        yield started
    finally:
        started.stop()


@pytest.fixture
def ray_head(head: RayHead) -> str:
    """The address of a head node started with `ray start --head`."""
    return head.address


async def test_the_app_flow_through_a_cluster_started_with_ray_start(
    ray_head: str,
    make_settings: Callable[..., Settings],
    server_process: Callable[..., ServerProcess],
    session: aiohttp.ClientSession,
    eye_images: dict[str, list[Path]],
) -> None:
    settings = replace(make_settings(), jobs={"executor": "ray", "ray_address": ray_head})
    email = await add_user(settings)
    server = server_process(settings)
    api = ApiClient(session, server.url)
    await api.login(email, PASSWORD)

    photo_id = await upload_as_the_app_does(api, session, eye_images["mmu"][0].read_bytes())
    job = await api.post("/api/v1/processing/submit", {"photo_id": photo_id})
    assert job.status == 201, job.body
    *progress, last = await api.watch(job.body["job_id"])
    assert last["status"] == "completed", last
    assert {m["progress"] for m in progress} >= {30, 60, 90}  # pushed as the actor ran
    async with session.get(last["result_url"]) as resp:
        assert resp.status == 200
        assert (await resp.read()).startswith(b"\x89PNG")
    metrics = (await api.get("/metrics", auth=False)).body.decode().splitlines()
    assert "irisd_ray_actors 1" in metrics


async def status_of(api: ApiClient, path: str, want: int, within_s: float) -> None:
    """Poll `path` until it answers `want` (the state under test), failing after `within_s`."""
    async with asyncio.timeout(within_s):
        while True:
            if (await api.get(path, auth=False)).status == want:
                return
            await asyncio.sleep(POLL_S)  # a poll of the server's state, not a guess at timing


async def test_a_stopped_cluster_fails_its_jobs_but_not_the_api_and_jobs_run_when_it_is_back(
    head: RayHead,
    make_settings: Callable[..., Settings],
    server_process: Callable[..., ServerProcess],
    session: aiohttp.ClientSession,
    gates: Gates,
) -> None:
    # Ray ends the process of a driver whose cluster went away: irisd's driver is a child
    # process (jobs/executors/ray/driver.py), so the server outlives the cluster.
    # time_limit_s bounds the retry's wait for a cluster that does not come back.
    jobs = {
        **pipeline("gated"), "executor": "ray", "ray_address": head.address,
        "ray_env": GATE_DIR_ENV, "time_limit_s": 15.0,
    }  # fmt: skip
    settings = replace(make_settings(), jobs=jobs)
    email = await add_user(settings)
    server = server_process(settings)
    api = ApiClient(session, server.url)
    await api.login(email, PASSWORD)
    await status_of(api, "/readyz", 200, WAIT_S)  # an actor is warm
    photo_id = (await api.upload(images.jpeg(64, 48)))["id"]
    gates.hold(photo_id)
    held = await submit(api, photo_id)
    async with asyncio.timeout(WAIT_S):
        await at_gate(api, held)

    head.stop()  # the whole cluster: its only node
    async with asyncio.timeout(WAIT_S):
        last = await final(api, held)
    assert (last["status"], last["error_type"]) == ("failed", "server_error")
    job = (await api.get(f"/api/v1/processing/jobs/{held}")).body
    assert job["attempt_count"] == 2  # the one retry, then the failure
    assert server.proc is not None
    assert server.proc.poll() is None  # the server still runs
    assert (await api.get("/healthz", auth=False)).status == 200
    await status_of(api, "/readyz", 503, WAIT_S)

    head.start()  # the cluster is back on the same address
    gates.unhold(photo_id)
    await status_of(api, "/readyz", 200, WAIT_S)
    again = await submit(api, photo_id)
    async with asyncio.timeout(WAIT_S):
        assert (await final(api, again))["status"] == "completed"


async def test_the_server_starts_before_its_cluster_and_is_ready_once_it_is_up(
    head: RayHead,
    make_settings: Callable[..., Settings],
    server_process: Callable[..., ServerProcess],
    session: aiohttp.ClientSession,
) -> None:
    head.stop()  # nothing answers on the cluster's address while the server starts
    jobs = {**pipeline("ok"), "executor": "ray", "ray_address": head.address}
    settings = replace(make_settings(), jobs=jobs)
    email = await add_user(settings)
    server = server_process(settings)
    api = ApiClient(session, server.url)
    await api.login(email, PASSWORD)
    assert (await api.get("/readyz", auth=False)).status == 503
    photo_id = (await api.upload(images.jpeg(64, 48)))["id"]
    job_id = await submit(api, photo_id)  # accepted: it waits for the cluster

    head.start()
    async with asyncio.timeout(WAIT_S):
        assert (await final(api, job_id))["status"] == "completed"
    await status_of(api, "/readyz", 200, WAIT_S)
