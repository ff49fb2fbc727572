"""The Ray executor on a real two-node local cluster: a lost node, a node that joins,
readiness and metrics, and `irisd serve` without Ray installed.

The job, WebSocket, retry, cancel, restart and killed-worker tests run on this cluster too
(tests/support/executors.py parametrises them); these are the Ray-only cases.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.resilience.test_worker_killed import Start, UserFactory, submit
from tests.support import images
from tests.support.executors import NODE, ray_jobs
from tests.support.pipelines import Gates, at_gate, final, gates, pipeline

__all__ = ["gates"]

pytestmark = pytest.mark.ray


WAIT_S = 60.0  # bounds every wait on the cluster (a node starts in seconds)


def parent(pid: int) -> int:
    """The parent pid of `pid` (a Ray worker's parent is its node's raylet)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def raylet_pid(node: Any) -> int:
    from ray._private import ray_constants

    return int(node.all_processes[ray_constants.PROCESS_TYPE_RAYLET][0].process.pid)


async def test_a_lost_node_retries_its_job_on_the_other_node(
    start_server: Start, user_factory: UserFactory, gates: Gates, ray_cluster: Any
) -> None:
    # Two actors on two one-CPU nodes: one each. The head node holds the cluster's control
    # plane, so the node removed is the worker node, whichever job runs there.
    # time_limit_s bounds a failure: a job given to an actor with no room times out.
    jobs = {**pipeline("gated"), **ray_jobs(ray_cluster), "workers": 2, "time_limit_s": 30.0}
    irisd = await start_server(jobs=jobs)
    api = await user_factory(irisd)
    photos = [(await api.upload(images.jpeg(64, 48)))["id"] for _ in range(3)]
    gates.hold(photos[0])
    gates.hold(photos[1])
    held = [await submit(api, photos[0]), await submit(api, photos[1])]
    for job_id in held:
        await at_gate(api, job_id)
    queued = await submit(api, photos[2])
    (node,) = ray_cluster.worker_nodes
    on_node = [job_id for job_id in held if parent(gates.pid(job_id)) == raylet_pid(node)]
    assert len(on_node) == 1, "the two actors should be on different nodes"
    victim, survivor = on_node[0], next(j for j in held if j not in on_node)

    ray_cluster.remove_node(node)
    try:
        await gates.release(survivor)  # its actor, on the head node, then takes the retry
        for job_id in (survivor, victim, queued):
            assert (await final(api, job_id))["status"] == "completed", job_id
    finally:
        ray_cluster.add_node(**NODE)  # the session's cluster has two nodes again
        ray_cluster.wait_for_nodes()
    attempts = {
        job_id: (await api.get(f"/api/v1/processing/jobs/{job_id}")).body["attempt_count"]
        for job_id in (victim, survivor, queued)
    }
    assert attempts == {victim: 2, survivor: 1, queued: 1}
    row = await irisd.db.fetchone("SELECT attempt_log FROM jobs WHERE id = ?", (victim,))
    assert row is not None
    first, second = json.loads(row[0])
    assert "WorkerDied" in first["cause"]
    assert second["cause"] == "completed"


async def test_a_node_that_joins_adds_an_actor_and_a_job_at_once(
    start_server: Start, user_factory: UserFactory, gates: Gates, ray_cluster: Any
) -> None:
    # No `workers`: the executor follows the cluster, one CPU actor per CPU (two nodes, two).
    jobs = {**pipeline("gated"), **ray_jobs(ray_cluster), "workers": 0, "time_limit_s": 60.0}
    irisd = await start_server(jobs=jobs)
    api = await user_factory(irisd)
    photos = [(await api.upload(images.jpeg(64, 48)))["id"] for _ in range(3)]
    for photo_id in photos:
        gates.hold(photo_id)
    first = [await submit(api, photos[0]), await submit(api, photos[1])]
    async with asyncio.timeout(WAIT_S):
        for job_id in first:
            await at_gate(api, job_id)
    third = await submit(api, photos[2])
    # Both actors hold a job: the third waits in the queue (the dispatcher hands over two).
    assert (await api.get(f"/api/v1/processing/jobs/{third}")).body["status"] == "pending"

    node = ray_cluster.add_node(**NODE)
    try:
        async with asyncio.timeout(WAIT_S):
            await at_gate(api, third)  # three held at once: the new actor took the third job
        assert len(irisd.engine.worker_pids()) == 3
        metrics = (await api.get("/metrics", auth=False)).body.decode().splitlines()
        assert "irisd_ray_actors 3" in metrics
        on_new = [
            job_id for job_id in [*first, third] if parent(gates.pid(job_id)) == raylet_pid(node)
        ]
        assert len(on_new) == 1, "one actor runs on the node that joined"
        for job_id in [*first, third]:
            await gates.release(job_id)
        async with asyncio.timeout(WAIT_S):
            for job_id in [*first, third]:
                assert (await final(api, job_id))["status"] == "completed", job_id
    finally:
        ray_cluster.remove_node(node)  # the session's cluster has two nodes again


async def test_ready_with_a_warm_actor_and_metrics_count_actors_and_gpus(
    start_server: Start, user_factory: UserFactory, ray_cluster: Any
) -> None:
    irisd = await start_server(jobs={**pipeline("ok"), **ray_jobs(ray_cluster)})
    api = await user_factory(irisd)
    job_id = await submit(api, (await api.upload(images.jpeg(64, 48)))["id"])
    assert (await final(api, job_id))["status"] == "completed"  # its actor is warm now

    ready = await api.get("/readyz", auth=False)
    assert (ready.status, ready.body) == (200, {"status": "ready"})
    metrics = (await api.get("/metrics", auth=False)).body.decode().splitlines()
    assert "irisd_ray_actors 1" in metrics
    assert "irisd_ray_cluster_gpus 0" in metrics
    assert len(irisd.engine.worker_pids()) == 1


def test_serve_with_the_ray_executor_and_no_ray_exits_with_a_clear_message(
    tmp_path: Path,
) -> None:
    # A `ray` package that fails to import, first on the path: as if Ray were not installed.
    fake = tmp_path / "no-ray" / "ray"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError(\"No module named 'ray'\")\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("IRISD_")}
    env |= {
        "PYTHONPATH": f"{fake.parent}{os.pathsep}{REPO}",
        "IRISD_JOBS_EXECUTOR": "ray",
        "IRISD_DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "irisd", "serve", "--host", "127.0.0.1", "--port", "0"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "pip install 'irisd[ray]'" in done.stderr
    assert "Traceback" not in done.stderr
