"""The Ray actor pool, run by the Ray driver process (driver.py) for the server.

It joins the cluster (`ray.init`), puts each photo in Ray's object store, calls a free
actor's streaming `run` and reads it with `async for` on the driver's loop, handing each
report on as it arrives and returning the result. Faults map onto the job error classes
(errors.classify via `WorkerDied`, executors/faults.py):

    actor or node died, object lost     → WorkerDied (server error: one retry, on a fresh actor)
    over the time limit                 → TimeoutError (transient); the actor is killed, replaced
    a JobFailure raised in the pipeline → itself, with its message (e.g. QualityIssue)
    the job's cancel flag at a report   → Cancelled; `ray.cancel` stops the pipeline there

Without `[jobs] workers` the pool follows the cluster: it looks at the cluster's
resources every GROW_S and adds a slot per GPU (or per CPU, on a CPU-only cluster) that
joined; `changed` then reports the new size (the server hands over more jobs at once).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Callable
from typing import Any

import ray
from ray import exceptions as rex

from irisd.config import JobsSettings
from irisd.errors import Cancelled, JobFailure, WorkerDied, classify
from irisd.jobs import worker
from irisd.jobs.art_work import ArtResult
from irisd.jobs.cancel import stop_asked
from irisd.jobs.executors.contract import Deliver
from irisd.jobs.executors.faults import bounded
from irisd.jobs.executors.ray.actor import PipelineActor
from irisd.jobs.executors.ray.messages import PoolState
from irisd.jobs.executors.ray.slots import ActorSlot
from irisd.logs import get_logger
from irisd.pipeline.types import PipelineResult

log = get_logger(__name__)

# What a lost actor, worker process, node or object looks like to the caller.
LOST = (rex.RayActorError, rex.WorkerCrashedError, rex.NodeDiedError, rex.ObjectLostError)
GPU_THREADS = 2  # CPU threads of a GPU actor (pre- and post-processing)
GROW_S = 2.0  # how often the cluster's resources are read for joined nodes (one GCS call)


class ActorPool:
    """`size` pipeline actors on a Ray cluster, one job each at a time."""

    def __init__(
        self,
        settings: JobsSettings,
        deliver: Deliver,
        *,
        load_models: bool,
        changed: Callable[[], None] = lambda: None,
    ) -> None:
        self.settings = settings
        self.size = 0
        self.gpus = 0
        self.cluster_gpus = 0.0
        self._deliver = deliver
        self._changed_cb = changed  # size, warm actors or the cluster's GPUs may have changed
        self._make: Callable[[], Any] = lambda: None  # a new actor handle (set by start)
        self._grow_task: asyncio.Task[None] | None = None
        self._load_models = load_models
        self._owns_runtime = False
        self._slots: list[ActorSlot] = []
        self._idle: list[ActorSlot] = []
        self._changed = asyncio.Condition()  # a slot became idle or warm

    def start(self) -> None:
        if not ray.is_initialized():  # else: this process already joined (embedding)
            ray.init(
                # "local", not None: None joins the cluster `ray start` last ran on this
                # machine (/tmp/ray/ray_current_cluster), not a private runtime.
                address=self.settings.ray_address or "local",
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )
            self._owns_runtime = True
        resources = _resources()
        self.cluster_gpus = resources.get("GPU", 0.0)
        self.gpus = 0 if self.settings.device == "cpu" else int(self.cluster_gpus)
        remote = ray.remote(PipelineActor).options(
            num_cpus=1,
            num_gpus=1 if self.gpus else 0,
            max_restarts=0,  # the pool replaces a dead actor itself; the server retries the job
            runtime_env=self._runtime_env(),
        )
        config = worker.WorkerConfig(
            index=0,
            pipeline=self.settings.pipeline,
            device="cuda" if self.gpus else "cpu",
            gpu_count=1 if self.gpus else 0,
            threads=GPU_THREADS if self.gpus else 1,
            parent_pid=os.getpid(),
            load_models=self._load_models,
            studio=self.settings.studio,
        )
        self._make = lambda: remote.remote(config)
        self._add_slots(self.settings.workers or self._fits(resources))
        # Also with a fixed `workers` (the operator's choice, kept): the cluster's GPUs.
        self._grow_task = asyncio.create_task(self._follow_cluster(), name="irisd-ray-grow")
        log.info("ray.pool_started", workers=self.size, gpus=self.gpus)

    def _fits(self, resources: dict[str, float]) -> int:
        """How many actors the cluster holds: one per GPU, else one per CPU (at least one).

        The kind is fixed at start (the actors' options): a CPU-only cluster that gains a GPU
        node gets CPU actors on it.
        """
        if self.gpus:
            return int(resources.get("GPU", 0))
        return max(1, int(resources.get("CPU", 1)))

    def _add_slots(self, size: int) -> None:
        for index in range(len(self._slots), size):
            slot = ActorSlot(index, self._make, ray, self._notify)
            self._slots.append(slot)
            self._idle.append(slot)
        self.size = len(self._slots)

    async def _follow_cluster(self) -> None:
        """Add slots for nodes that join (a node that leaves keeps its slots: their actors
        wait for room, and a node that comes back fills them)."""
        while True:
            await asyncio.sleep(GROW_S)
            try:
                # Off the loop: a GCS round trip, slow when the cluster is busy or away.
                resources = await asyncio.to_thread(_resources)
            except Exception:  # the cluster is away now: look again later
                log.debug("executor.resources_failed", exc_info=True)
                continue
            self.cluster_gpus = resources.get("GPU", 0.0)
            if (size := self._fits(resources)) > self.size and not self.settings.workers:
                self._add_slots(size)
                log.info("executor.grown", executor="ray", workers=self.size)
            self._notify()  # a job waiting in _take may take a new slot; the state is sent

    def state(self) -> PoolState:
        pids = tuple(slot.pid for slot in self._slots if slot.pid is not None)
        return PoolState(self.size, len(pids), pids, self.cluster_gpus)

    def _runtime_env(self) -> dict[str, Any] | None:
        names = [n.strip() for n in self.settings.ray_env.split(",") if n.strip()]
        env = {name: os.environ[name] for name in names if name in os.environ}
        return {"env_vars": env} if env else None

    async def run(self, job: worker.JobInput, time_limit_s: float) -> worker.JobResult:
        """The pipeline's result for `job`, computed by a free actor (see the module doc)."""
        slot = await self._take()
        try:
            return await self._run_in(slot, job, time_limit_s)
        finally:
            self._idle.append(slot)
            self._notify()
            self._deliver((job.job_id, job.attempt, worker.END, 0))  # every report is in

    async def _take(self) -> ActorSlot:
        """An idle slot whose actor is warm; any idle one while no actor at all is warm.

        A retry after a lost node thus goes to an actor that runs, not to the replacement
        that waits for room on the cluster.
        """

        def pick() -> ActorSlot | None:
            warm = [slot for slot in self._idle if slot.warm]
            if warm or any(slot.warm for slot in self._slots):
                return warm[0] if warm else None
            return self._idle[0] if self._idle else None

        async with self._changed:
            while (slot := pick()) is None:
                await self._changed.wait()
        self._idle.remove(slot)
        return slot

    def _notify(self) -> None:
        asyncio.get_running_loop().create_task(self._wake())
        self._changed_cb()

    async def _wake(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _run_in(
        self, slot: ActorSlot, job: worker.JobInput, time_limit_s: float
    ) -> worker.JobResult:
        async with bounded(slot, job.job_id, time_limit_s, LOST, _lost):
            await slot.wait_warm()
            result = await self._stream(slot, job)
        return result

    async def _stream(self, slot: ActorSlot, job: worker.JobInput) -> worker.JobResult:
        # The photo goes to the object store (off the loop: a large photo is a long copy).
        image = await asyncio.to_thread(ray.put, job.image)
        stream = slot.handle.run.remote(dataclasses.replace(job, image=b""), image)
        done = False
        try:
            async for ref in stream:
                item = await ref
                if isinstance(item, PipelineResult | ArtResult):
                    done = True
                    return item
                # A step boundary: this report and every later one are void.
                if stop_asked(job.cancel_flag):
                    raise Cancelled(job_id=job.job_id)
                self._deliver(item)
        except rex.RayTaskError as exc:  # the pipeline's own failure, as the worker made it
            done = True
            cause = exc.cause
            raise (cause if isinstance(cause, JobFailure) else classify(cause)) from None
        finally:
            if not done:  # cancelled, timed out, or the server stops: stop the remote work
                _cancel(stream)
        raise WorkerDied("the Ray actor ended the job without a result")

    def close(self) -> None:
        if self._grow_task is not None:
            self._grow_task.cancel()
        for slot in self._slots:
            slot.kill()
        self._slots.clear()
        if self._owns_runtime:
            ray.shutdown()


def _cancel(stream: Any) -> None:
    try:
        ray.cancel(stream)
    except Exception:  # the actor or the cluster may be gone already
        log.debug("executor.cancel_failed", exc_info=True)


def _lost(exc: BaseException) -> str:
    return f"the Ray actor was lost: {type(exc).__name__}"


def _resources() -> dict[str, float]:
    """The cluster's total resources ({"CPU": 4.0, "GPU": 2.0, ...})."""
    return dict(ray.cluster_resources())  # type: ignore[no-untyped-call]
