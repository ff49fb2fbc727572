"""The Ray driver: a child process of the server that owns `ray.init`, the actors and slots.

Ray's core worker ends the process it runs in when its cluster goes away: the next
`ray.put` finds the object store's socket closed ("The connection to the plasma store is
failed. Terminate the process."), and a GCS unreachable for gcs_rpc_server_reconnect_timeout_s
ends it too. As the server's own driver that took the API down with the cluster. So the
driver runs here, spawned by the server's RayExecutor (executor.py), which starts another
when it ends. One duplex pipe carries the messages of messages.py, read by pipes.relay.

This module imports Ray only in the child, after setting the GCS time-out for it.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from functools import partial
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from irisd import logs
from irisd.config import JobsSettings, LoggingSettings
from irisd.jobs.executors.pipes import relay
from irisd.jobs.executors.ray.messages import Cancel, Done, PoolState, Run
from irisd.logs import get_logger

if TYPE_CHECKING:
    from irisd.jobs.executors.ray.pool import ActorPool

log = get_logger(__name__)

# The driver gives up on an unreachable GCS after this (Ray's default is 60 s): the server
# then knows within seconds that the cluster is away, and starts a driver that waits for it.
GCS_TIMEOUT_S = 10
PROBE_S = 2.0  # a connect to the GCS port before `ray.init`, which waits long for a dead one


def main(conn: Connection, settings: JobsSettings, load_models: bool) -> None:
    """The child's entry point: join the cluster, serve the pipe until it closes."""
    logs.configure(LoggingSettings())  # stderr, as the server's; never stdout
    os.environ.setdefault("RAY_gcs_rpc_server_reconnect_timeout_s", str(GCS_TIMEOUT_S))
    if not _reachable(settings.ray_address):
        log.warning("ray.cluster_unreachable", address=settings.ray_address)
        return  # the server starts another driver after its back-off
    asyncio.run(_serve(conn, settings, load_models))


def _reachable(address: str) -> bool:
    """Whether the GCS port of "host:port" takes a connection ("" and "auto": assumed)."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        return True
    try:
        with socket.create_connection((host, int(port)), timeout=PROBE_S):
            return True
    except OSError:
        return False


async def _serve(conn: Connection, settings: JobsSettings, load_models: bool) -> None:
    # Imports Ray: only now, after the GCS time-out is set.
    from irisd.jobs.executors.ray.pool import ActorPool

    sent: list[PoolState] = []

    def changed() -> None:
        state = pool.state()
        if not sent or sent[-1] != state:
            sent[:] = [state]
            conn.send(state)  # only this loop's thread writes to the pipe

    pool = ActorPool(settings, conn.send, load_models=load_models, changed=changed)
    pool.start()
    changed()  # connected: the server may send jobs from now on
    inbox: asyncio.Queue[Any] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    stop = partial(inbox.put_nowait, None)  # the server sent None, or has gone
    threading.Thread(target=relay, args=(conn, loop, inbox.put_nowait, stop), daemon=True).start()
    calls: dict[int, asyncio.Task[None]] = {}
    try:
        while (message := await inbox.get()) is not None:
            if isinstance(message, Run):
                task = calls[message.call] = asyncio.create_task(_run(pool, message, conn))
                task.add_done_callback(partial(_forget, calls, message.call))
            elif isinstance(message, Cancel) and message.call in calls:
                calls[message.call].cancel()  # the server stopped waiting: stop the work too
    finally:
        for task in calls.values():
            task.cancel()
        await asyncio.gather(*calls.values(), return_exceptions=True)
        pool.close()


async def _run(pool: ActorPool, run: Run, conn: Connection) -> None:
    try:
        result = await pool.run(run.job, run.time_limit_s)
    except Exception as exc:  # noqa: BLE001 - the job's failure: the server classifies it
        try:
            conn.send(Done(run.call, None, exc))
        except Exception:  # noqa: BLE001 - an exception that does not pickle: a server error
            conn.send(Done(run.call, None, RuntimeError(repr(exc))))
    else:
        conn.send(Done(run.call, result, None))


def _forget(calls: dict[int, asyncio.Task[None]], call: int, _: asyncio.Task[None]) -> None:
    calls.pop(call, None)
