"""The Ray actor: the pipeline loaded once (the same `warm_up`), one job at a time.

It runs in a Ray worker process on any node. `run` is a streaming generator: it yields each
`(job_id, attempt, step, progress)` report as the pipeline makes it, then the result, so the
server pushes progress as it comes (no polling). The pipeline runs in the actor's one
pipeline thread while the actor's event loop streams; a cancel of the stream (`ray.cancel`)
makes the pipeline stop at its next report, as the flag file does for a local worker.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

from irisd.jobs import worker


class PipelineActor:
    """Wrapped with `ray.remote(...)` by the executor (this module does not import Ray)."""

    def __init__(self, config: worker.WorkerConfig) -> None:
        worker.prepare(config)  # the pipeline and its models, once per actor
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="irisd-pipeline")

    def pid(self) -> int:
        """The actor's process id; answering it means the actor is warm."""
        return os.getpid()

    async def run(
        self, job: worker.JobInput, image: bytes
    ) -> AsyncIterator[worker.ReportMessage | worker.JobResult]:
        """Yields the pipeline's reports, then its result; raises the JobFailure it raised."""
        loop = asyncio.get_running_loop()
        reports: asyncio.Queue[worker.ReportMessage] = asyncio.Queue()
        stop = threading.Event()
        end = (job.job_id, job.attempt, worker.END, 0)

        def send(message: worker.ReportMessage) -> None:
            loop.call_soon_threadsafe(reports.put_nowait, message)

        task = dataclasses.replace(job, image=image)  # the photo came through the object store
        future = loop.run_in_executor(self._thread, worker.execute, task, send, stop.is_set)
        future.add_done_callback(lambda _: reports.put_nowait(end))  # even if END was lost
        try:
            while (message := await reports.get())[2] != worker.END:
                yield message
        finally:  # cancelled, or the server stopped reading: the pipeline stops at its next step
            stop.set()
        yield await future
