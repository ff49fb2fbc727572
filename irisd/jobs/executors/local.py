"""The local executor (the default): one single-process ProcessPoolExecutor per worker slot.

One slot per worker (rather than one pool of N) so that a worker that dies or must be
killed (time limit) breaks only its own slot and only the job running in it: a
ProcessPoolExecutor cannot be reused once one of its processes died. The engine hands at most
`size` jobs over at once, so nothing ever waits inside a pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from typing import Any

from irisd.config import JobsSettings
from irisd.errors import ConfigError
from irisd.jobs import worker
from irisd.jobs.executors.faults import bounded
from irisd.jobs.executors.pipes import relay
from irisd.logs import get_logger

log = get_logger(__name__)

# "spawn", never "fork": the server has threads (aiosqlite, the bridge), and a forked child
# of a threaded process can deadlock on a lock some thread held at fork time.
_CONTEXT = multiprocessing.get_context("spawn")


def gpu_count(settings: JobsSettings) -> int:
    """GPUs the workers may use (0 for device "cpu"); imports torch only when asked to look."""
    if settings.device == "cpu":
        return 0
    import torch

    count = int(torch.cuda.device_count()) if torch.cuda.is_available() else 0
    if settings.device == "cuda" and count == 0:
        raise ConfigError("[jobs] device: 'cuda' but no GPU is available")
    return count


def pool_size(settings: JobsSettings, gpus: int) -> int:
    """settings.jobs.workers, or 0 → one per GPU, else min(cores, 2)."""
    if settings.workers > 0:
        return settings.workers
    return gpus or min(os.cpu_count() or 1, 2)


JOIN_TIMEOUT_S = 5.0  # the reader wakes at once on the sentinel; this only bounds a bug


class Bridge:
    """Reads a slot's report pipe in a thread (pipes.relay) and hands each message to the loop."""

    def __init__(
        self,
        reader: Connection,
        writer: Connection,
        loop: asyncio.AbstractEventLoop,
        deliver: Callable[[Any], None],
        name: str,
    ) -> None:
        self.reader = reader
        self.writer = writer  # the worker's end; the server writes only the stop sentinel
        self._thread = threading.Thread(
            target=relay, args=(reader, loop, deliver), name=name, daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Wake the reader with the sentinel, wait for it, close both ends."""
        with contextlib.suppress(OSError):  # already closed: the reader has ended
            self.writer.send(None)
        self._thread.join(JOIN_TIMEOUT_S)
        self.reader.close()
        self.writer.close()


class Slot:
    """One worker process: its pool of one, its report pipe and reader thread."""

    def __init__(
        self,
        config: worker.WorkerConfig,
        bridge_factory: Callable[..., Bridge],
        warm_start: bool = False,
    ):
        self.config = config
        self._bridge_factory = bridge_factory
        self._warm_start = warm_start
        self.warming: Future[int] | None = None
        self.pool, self.bridge = self._open()
        # True after the worker died before ever finishing a job: it may not start at all.
        self.suspect = False
        self.proven = False

    def _open(self) -> tuple[ProcessPoolExecutor, Bridge]:
        reader, writer = _CONTEXT.Pipe(duplex=False)
        bridge = self._bridge_factory(reader, writer, f"irisd-bridge-{self.config.index}")
        bridge.start()
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=_CONTEXT,
            initializer=worker.initialize,
            initargs=(self.config, writer),
        )
        if self._warm_start:
            # A pool starts its process on the first submit: a no-op now makes the worker
            # start and load its models while the server starts, not when the first job comes.
            self.warming = pool.submit(worker.ping)
        return pool, bridge

    def warm(self) -> bool:
        """The worker has started and loaded its models (always, without warm start)."""
        if self.warming is None:
            return True
        return self.warming.done() and self.warming.exception() is None

    def pids(self) -> list[int]:
        processes: dict[int, Any] = getattr(self.pool, "_processes", None) or {}
        return list(processes)

    @property
    def index(self) -> int:
        return self.config.index

    def replace(self) -> None:
        """Kill this slot's process (if alive) and start a fresh pool and pipe."""
        self.close()
        self.suspect = not self.proven
        self.proven = False
        self.pool, self.bridge = self._open()

    def close(self) -> None:
        processes: dict[int, Any] = getattr(self.pool, "_processes", None) or {}
        for process in list(processes.values()):
            with contextlib.suppress(OSError, ValueError):
                process.kill()  # a job may run for minutes; shutdown must not wait for it
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.bridge.stop()


class Executor:
    """Runs `worker.run` in a free slot; replaces a slot's worker that died or hung."""

    def __init__(
        self, settings: JobsSettings, deliver: Callable[[Any], None], *, load_models: bool = True
    ) -> None:
        self.settings = settings
        self._deliver = deliver
        self._load_models = load_models
        gpus = gpu_count(settings)
        self.size = pool_size(settings, gpus)
        self.device = "cuda" if gpus else "cpu"
        self._gpus = gpus
        self._slots: list[Slot] = []
        self._free: asyncio.Queue[Slot] = asyncio.Queue()

    def start(self) -> None:
        loop = asyncio.get_running_loop()

        def bridge(reader: Any, writer: Any, name: str) -> Bridge:
            return Bridge(reader, writer, loop, self._deliver, name)

        threads = 2 if self._gpus else max(1, (os.cpu_count() or 1) // self.size)
        for index in range(self.size):
            config = worker.WorkerConfig(
                index,
                self.settings.pipeline,
                self.device,
                self._gpus,
                threads,
                os.getpid(),
                self._load_models,
                self.settings.studio,
            )
            slot = Slot(config, bridge, self.settings.warm_start)
            self._slots.append(slot)
            self._free.put_nowait(slot)
        log.info("executor.started", workers=self.size, device=self.device, threads=threads)

    def alive(self) -> bool:
        """False when every slot's worker died before finishing any job (e.g. a broken pipeline)."""
        return bool(self._slots) and not all(s.suspect for s in self._slots)

    def warm(self) -> bool:
        """At least one worker is ready to run a job at once (started, models loaded)."""
        return any(slot.warm() for slot in self._slots)

    def pids(self) -> list[int]:
        return [pid for slot in self._slots for pid in slot.pids()]

    async def run(self, job: worker.JobInput, time_limit_s: float) -> worker.JobResult:
        """The pipeline's result for `job`, computed in a worker process.

        Raises WorkerDied (→ server_error) when the worker died, TimeoutError
        (→ transient_error) when it ran past `time_limit_s` (the worker is killed), or the
        JobFailure the worker raised.
        """
        slot = await self._free.get()
        try:
            return await self._run_in(slot, job, time_limit_s)
        finally:
            self._free.put_nowait(slot)

    async def _run_in(
        self, slot: Slot, job: worker.JobInput, time_limit_s: float
    ) -> worker.JobResult:
        future = asyncio.wrap_future(self._submit(slot, job))
        async with bounded(slot, job.job_id, time_limit_s, (BrokenProcessPool,), _died):
            result: worker.JobResult = await future
        slot.proven, slot.suspect = True, False
        return result

    def _submit(self, slot: Slot, job: worker.JobInput) -> Any:
        try:
            return slot.pool.submit(worker.run, job)
        except BrokenProcessPool:
            # The worker died while idle (nothing of this job ran): start afresh, uncounted.
            slot.replace()
            return slot.pool.submit(worker.run, job)

    def close(self) -> None:
        for slot in self._slots:
            slot.close()
        self._slots.clear()


def _died(_: BaseException) -> str:
    return "the worker process died"
