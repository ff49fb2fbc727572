"""README "Scaling out" as written: a cluster from `ray start --head`, `irisd serve` joining
it by address over loopback, and the app's whole flow on a real eye with the real pipeline.
"""

from __future__ import annotations

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
from tests.support.clients import ApiClient
from tests.support.server import ServerProcess

pytestmark = pytest.mark.ray

RAY = Path(sys.executable).with_name("ray")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def ray_head(tmp_path: Path) -> Iterator[str]:
    """`ray start --head --block` on a free port (one CPU); its address; stopped by its pid."""
    pytest.importorskip("ray")
    port = free_port()
    log = (tmp_path / "ray-start.log").open("w", encoding="utf-8")
    proc = subprocess.Popen(
        [
            str(RAY), "start", "--head", f"--port={port}", "--node-ip-address=127.0.0.1",
            "--num-cpus=1", f"--object-store-memory={100 * 2**20}", "--include-dashboard=false",
            "--disable-usage-stats", "--block",
        ],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # it says so once the head node runs
            if "Ray runtime started" in line:
                break
        else:
            pytest.fail(f"ray start did not start: {(tmp_path / 'ray-start.log').read_text()}")
        yield f"127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)  # --block: it stops the processes it started
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


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
