"""The Ray executor: the pipeline runs in actors on a Ray cluster (`[jobs] executor = "ray"`).

The server keeps everything else (API, WebSockets, the SQLite queue, storage I/O). Ray itself
runs in a child process, the driver (driver.py: `ray.init`, the actors and their slots,
pool.py), because Ray ends its driver's process when the cluster goes away.
This side keeps the Executor protocol: it sends each job down a pipe and hands each report
coming back to the engine, then returns the result or raises the driver's classified error.

When the driver ends (the cluster stopped, or it could not be reached), the jobs it held fail
as WorkerDied (a server error: one retry), `alive()` is False (/readyz: not ready), and
another driver starts after a back-off (RESTART_S, doubling). A job that finds no driver
waits for one within its time limit, then fails as WorkerDied. Each driver state the
driver sends (PoolState) gives `size` (the engine's `resized`: a node joined), the warm
actors and their pids, and the cluster's GPUs for /metrics.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import ray  # noqa: F401 - fail here, at start, when Ray is not installed (executors.check)

from irisd.config import JobsSettings
from irisd.errors import WorkerDied
from irisd.jobs import worker
from irisd.jobs.executors.contract import Deliver, Resized
from irisd.jobs.executors.pipes import relay
from irisd.jobs.executors.ray import driver
from irisd.jobs.executors.ray.messages import Cancel, Done, PoolState, Run
from irisd.logs import get_logger
from irisd.metrics import Metrics

log = get_logger(__name__)

_CONTEXT = multiprocessing.get_context("spawn")  # the server has threads: never fork
RESTART_S = (0.5, 15.0)  # back-off before starting another driver: first, longest
STABLE_S = 30.0  # a driver that ran this long was a success: the back-off starts afresh
GRACE_S = 10.0  # past the job's time limit, which the driver enforces: only bounds a hang
JOIN_S = 10.0  # a stopping driver kills its actors first
DRIVER_LOST = "the Ray driver ended: the cluster went away"


class RayExecutor:
    """Pipeline actors on a Ray cluster, driven from a child process (see the module doc)."""

    def __init__(
        self,
        settings: JobsSettings,
        deliver: Deliver,
        metrics: Metrics,
        *,
        load_models: bool,
        resized: Resized | None = None,
    ) -> None:
        self.settings = settings
        self.size = settings.workers or 1  # until the driver says (then `resized`)
        self._deliver = deliver
        self._metrics = metrics
        self._load_models = load_models
        self._resized = resized
        self._state: PoolState | None = None  # None: no driver connected
        self._connected = asyncio.Event()
        self._calls: dict[int, asyncio.Future[worker.JobResult]] = {}
        self._ids = itertools.count()
        self._conn: Connection | None = None
        self._process: BaseProcess | None = None
        self._sender = ThreadPoolExecutor(1, thread_name_prefix="irisd-ray-send")  # in order
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._register_metrics()
        self._task = asyncio.create_task(self._supervise(), name="irisd-ray-driver")
        log.info("executor.started", executor="ray", address=self.settings.ray_address)

    def alive(self) -> bool:
        """A driver is connected to the cluster, and at least one actor is warm."""
        return self.warm()

    def warm(self) -> bool:
        """An actor has loaded its models (each does when it starts: a warm start always)."""
        return self._state is not None and self._state.warm > 0

    def pids(self) -> list[int]:
        return list(self._state.pids) if self._state is not None else []

    async def run(self, job: worker.JobInput, time_limit_s: float) -> worker.JobResult:
        """The pipeline's result for `job`, computed by an actor (see the module doc)."""
        started = time.monotonic()
        try:
            async with asyncio.timeout(time_limit_s):
                await self._connected.wait()
        except TimeoutError:
            raise WorkerDied("the Ray cluster is not reachable") from None
        left = time_limit_s - (time.monotonic() - started)
        call = next(self._ids)
        future: asyncio.Future[worker.JobResult] = asyncio.get_running_loop().create_future()
        self._calls[call] = future
        try:
            await self._send(Run(call, job, left))
            async with asyncio.timeout(left + GRACE_S):
                return await future
        finally:
            if self._calls.pop(call, None) is not None:  # no answer: cancelled or hung
                self._post(Cancel(call))

    # --- the driver process ---------------------------------------------------------------

    async def _supervise(self) -> None:
        """Start the driver; when it ends, fail its jobs and start another after a back-off."""
        delay = RESTART_S[0]
        while True:
            started = time.monotonic()
            try:
                await self._drive()
            except Exception:  # e.g. the spawn failed: try again as for a driver that ended
                log.exception("executor.driver_failed")
            if time.monotonic() - started > STABLE_S:
                delay = RESTART_S[0]
            log.warning("executor.driver_ended", restart_in_s=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RESTART_S[1])

    async def _drive(self) -> None:
        loop = asyncio.get_running_loop()
        ours, theirs = _CONTEXT.Pipe()
        process = _CONTEXT.Process(
            target=driver.main,
            args=(theirs, self.settings, self._load_models),
            name="irisd-ray-driver",
            daemon=True,  # ended with the server (a SIGKILLed server: its pipe closes)
        )
        process.start()
        theirs.close()  # the driver's end: its death closes the pipe for our reader
        self._conn, self._process = ours, process
        ended: asyncio.Future[None] = loop.create_future()
        threading.Thread(
            target=relay,
            args=(ours, loop, self._on_message, partial(_resolve, ended)),
            name="irisd-ray-read",
            daemon=True,
        ).start()
        try:
            await ended
        finally:
            self._conn = None
            self._lost()
            await asyncio.to_thread(_end, process)
            ours.close()

    def _on_message(self, message: Any) -> None:
        if isinstance(message, PoolState):
            self._on_state(message)
        elif isinstance(message, Done):
            future = self._calls.pop(message.call, None)
            if future is None or future.done():
                return  # its caller stopped waiting
            if message.error is not None:
                future.set_exception(message.error)
            else:
                future.set_result(message.result)  # type: ignore[arg-type]
        else:
            self._deliver(message)  # a pipeline report

    def _on_state(self, state: PoolState) -> None:
        if self._state is None:
            log.info("executor.connected", executor="ray", workers=state.size)
        self._state = state
        self._connected.set()
        if state.size != self.size:
            self.size = state.size
            if self._resized is not None:
                self._resized(state.size)

    def _lost(self) -> None:
        """The driver ended: not ready, and the jobs it held are lost with it."""
        if self._state is not None:
            log.warning("executor.disconnected", executor="ray")
        self._state = None
        self._connected.clear()
        calls, self._calls = self._calls, {}
        for future in calls.values():
            if not future.done():
                future.set_exception(WorkerDied(DRIVER_LOST))

    async def _send(self, message: Run) -> None:
        conn = self._conn
        if conn is None:
            raise WorkerDied(DRIVER_LOST)
        try:  # off the loop: a photo is a long write; one sender thread keeps them whole
            await asyncio.get_running_loop().run_in_executor(self._sender, conn.send, message)
        except OSError:
            raise WorkerDied(DRIVER_LOST) from None

    def _post(self, message: Cancel | None) -> None:
        """Send without waiting (a cancel, the stop); lost with the driver, which is fine."""
        if (conn := self._conn) is not None:
            with contextlib.suppress(RuntimeError):  # after close: the driver stops anyway
                self._sender.submit(_quiet_send, conn, message)

    def _register_metrics(self) -> None:
        def actors() -> dict[tuple[Any, ...], float]:
            return {(): float(self._state.warm if self._state else 0)}

        def gpus() -> dict[tuple[Any, ...], float]:
            return {(): float(self._state.cluster_gpus if self._state else 0.0)}

        self._metrics.gauge("irisd_ray_actors", actors)
        self._metrics.gauge("irisd_ray_cluster_gpus", gpus)

    def close(self) -> None:
        """Stop the driver (it kills its actors) and its supervisor."""
        if self._task is not None:
            self._task.cancel()
        self._post(None)
        self._sender.shutdown(wait=True)
        if self._process is not None:
            _end(self._process)
        self._lost()


def _end(process: BaseProcess) -> None:
    """Wait for a stopping driver; kill one that does not stop."""
    process.join(JOIN_S)
    if process.is_alive():
        process.kill()
        process.join()


def _quiet_send(conn: Connection, message: Any) -> None:
    with contextlib.suppress(OSError):
        conn.send(message)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
