"""Both executors for the same tests: `executor` parametrises a module over local and Ray.

A module opts in by importing the `executor` fixture (it overrides conftest's, which is the
local executor only). The Ray runs share one real two-node local cluster per session
(`ray.cluster_utils.Cluster`, CPU only, small object stores), which this process joins as
a driver; each server joins it from its own driver process (jobs/executors/ray/driver.py) and starts
and kills its own actors on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.pipelines import GATE_DIR_ENV

NODE = {"num_cpus": 1, "object_store_memory": 100 * 2**20}  # per node: this box has 2 cores

EXECUTORS = ["local", pytest.param("ray", marks=pytest.mark.ray)]


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[Any]:
    """A two-node Ray cluster on this machine, joined by this process for the session."""
    ray = pytest.importorskip("ray")
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={**NODE, "include_dashboard": False})
    try:
        cluster.add_node(**NODE)
        cluster.wait_for_nodes()
        ray.init(address=cluster.address, log_to_driver=False, configure_logging=False)
        yield cluster
    finally:
        ray.shutdown()
        cluster.shutdown()


def ray_jobs(cluster: Any) -> dict[str, Any]:
    """The `jobs` settings that run a server's pipeline on `cluster`."""
    return {"executor": "ray", "ray_address": cluster.address, "ray_env": GATE_DIR_ENV}


@pytest.fixture(params=EXECUTORS)
def executor(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The `jobs` settings of the executor under test: {} (local) or a Ray cluster's."""
    if request.param == "local":
        return {}
    return ray_jobs(request.getfixturevalue("ray_cluster"))
