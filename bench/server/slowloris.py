"""Slowloris against a real `irisd serve`: can other clients still get in, and what is logged?

CONNS raw TCP connections from this process (from 127.0.0.2 and on: other client addresses,
spread over ADDRESSES of them) each send a request line and one header, then
one more header line every TRICKLE_S and never finish the head (the attack of issue 25 #1).
Meanwhile a prober (from 127.0.0.1) asks GET /healthz every PROBE_S on a fresh connection.
Prints the probes' latency percentiles and failures, how many attack connections the server
closed or refused, its open fds at the end, and how many bytes it logged during the attack.

    .venv/bin/python -m bench.server.slowloris [--conns 2500] [--seconds 20] [--server-fds 2048]
        [--addresses 1]

`--server-fds` is the server's RLIMIT_NOFILE (its soft limit): lower than --conns shows fd
exhaustion without needing 20,000 sockets on a small machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import resource
import time
from pathlib import Path

from bench.lib.harness import Bench, percentile

PROBE_S = 0.25
TRICKLE_S = 2.0
OPEN_AT_ONCE = 200


class Attack:
    """Connections that never finish their request head; counts how each one ended."""

    def __init__(self, host: str, port: int, count: int, addresses: int) -> None:
        self.host, self.port, self.count = host, port, count
        self.sources = [f"127.0.0.{2 + i}" for i in range(addresses)]
        self.opened = 0
        self.refused = 0  # connect failed or reset at once
        self.closed_by_server = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._gate = asyncio.Semaphore(OPEN_AT_ONCE)

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._one(i)) for i in range(self.count)]

    async def _one(self, index: int) -> None:
        try:
            async with self._gate:
                reader, writer = await asyncio.open_connection(
                    self.host, self.port, local_addr=(self.sources[index % len(self.sources)], 0)
                )
                writer.write(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n")
                await writer.drain()
        except OSError:
            self.refused += 1
            return
        self.opened += 1
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(TRICKLE_S):  # the attacker's pace
                        if not await reader.read(1024):
                            break  # EOF: the server closed it
                        continue
                writer.write(f"X-{index}: x\r\n".encode())
                await writer.drain()
        except OSError:
            pass
        self.closed_by_server += 1
        writer.close()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def probe(bench: Bench, seconds: float) -> tuple[list[float], int]:
    """Latencies (ms) of GET /healthz on fresh connections, and how many failed (5 s limit)."""
    latencies: list[float] = []
    failed = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.monotonic()
        try:
            async with asyncio.timeout(5):
                async with bench.http.get(
                    f"{bench.url}/healthz", headers={"Connection": "close"}
                ) as reply:
                    await reply.read()
                    ok = reply.status == 200
        except (OSError, TimeoutError, Exception):  # noqa: BLE001 - a failed probe is the data
            ok = False
        if ok:
            latencies.append((time.monotonic() - started) * 1000)
        else:
            failed += 1
        await asyncio.sleep(PROBE_S)  # the prober's pace
    return latencies, failed


def log_bytes(bench: Bench) -> int:
    return bench.server.log_path.stat().st_size if bench.server.log_path.exists() else 0


def open_fds(pid: int) -> int:
    return sum(1 for _ in Path(f"/proc/{pid}/fd").iterdir())


async def main(conns: int, seconds: float, server_fds: int, addresses: int) -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(server_fds, hard), hard))  # the server's
    bench = Bench("ok", logging={"level": "info", "format": "json"})
    async with bench:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # this process: every socket
        host, port = bench.url.removeprefix("http://").rsplit(":", 1)
        logged = log_bytes(bench)
        attack = Attack(host, int(port), conns, addresses)
        attack.start()
        try:
            latencies, failed = await probe(bench, seconds)
            fds = open_fds(bench.pid)
        finally:
            await attack.stop()
        logged = log_bytes(bench) - logged
    print(
        f"{conns} slow connections from {addresses} address(es) for {seconds:.0f} s, "
        f"server fd limit {server_fds}"
    )
    print(
        f"  attack: {attack.opened} opened, {attack.refused} refused at connect, "
        f"{attack.closed_by_server} closed by the server; server fds at the end: {fds}"
    )
    if latencies:
        print(
            f"  /healthz: {len(latencies)} ok, {failed} failed; "
            f"p50 {percentile(latencies, 50):.0f} ms, p99 {percentile(latencies, 99):.0f} ms, "
            f"max {max(latencies):.0f} ms"
        )
    else:
        print(f"  /healthz: 0 ok, {failed} failed")
    print(f"  server log during the attack: {logged / 1e6:.2f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conns", type=int, default=2500)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--server-fds", type=int, default=2048)
    parser.add_argument("--addresses", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(main(args.conns, args.seconds, args.server_fds, args.addresses))
