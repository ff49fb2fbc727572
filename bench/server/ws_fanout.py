"""1,000 concurrent WebSocket watchers: the server's CPU (% of one core) and RSS, idle and busy.

A real `irisd serve` (one worker, pipeline `bench.lib.pipelines:gated`) gets JOBS jobs: the
first is held in processing at its gate, the others wait in line behind it. Phases, each
measured over WINDOW_S from /proc/<pid>/stat (utime+stime) and /proc/<pid>/status (VmRSS)
of the server process, its worker processes counted separately:

    idle, 0 watchers       the jobs held, nobody watching
    idle, N watchers       N sockets on /ws/jobs/{id}, spread evenly over the jobs; none
                           finished, so each gets a keepalive every keepalive_s (>= 2 N msg/s)
    jobs running           the gate released: jobs run (9 reports each), N watchers
    floor                  for scale: a bare asyncio loop (no irisd, no aiohttp) writing a
                           frame of the same size to N loopback sockets every keepalive_s,
                           i.e. the kernel's and the event loop's share of the same traffic

The N client sockets live in this process (one ClientSession, connector limit 0); only the
server's CPU is measured. Targets for N = 1,000 idle watchers: < 2 % of one core and
< 100 MB more than with none.

    .venv/bin/python -m bench.server.ws_fanout [--watchers 1000] [--jobs 50] [--window 10]
        [--deflate]
        [--py-spy OUT]   (profile the idle phase; needs `pip install py-spy`)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.lib.harness import Bench, children, cpu_seconds, cpu_times, raise_fd_limit, rss_mb

TARGET_CPU_PCT = 2.0
TARGET_RSS_MB = 100.0
TARGET_FLOOR_RATIO = 1.3  # irisd's CPU with N idle watchers over the floor's, same run
KEEPALIVE_S = 0.5  # irisd.toml's [ws] keepalive_s, which the bench's server runs with
CONNECT_AT_ONCE = 50


@dataclass
class Sample:
    name: str
    cpu_pct: float
    kernel_pct: float  # the part of cpu_pct in the kernel (stime): socket writes, mostly
    workers_cpu_pct: float
    rss_mb: float
    messages: int  # received by all watchers during the window
    quietest: int  # fewest messages any still-open watcher received during the window
    window_s: float


class Watchers:
    """N sockets on /ws/jobs/{id}, each counting the messages it receives."""

    def __init__(self, bench: Bench, job_ids: list[str], count: int, compress: int) -> None:
        self.bench = bench
        self.compress = compress  # 15: ask for permessage-deflate, as browsers and OkHttp do
        self.targets = [job_ids[i % len(job_ids)] for i in range(count)]
        self.counts = [0] * count
        self.size = 0  # bytes in the last message received: the floor phase sends as many
        self.open = [True] * count
        self.ready = asyncio.Event()
        self._ready = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._gate = asyncio.Semaphore(CONNECT_AT_ONCE)

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._watch(i)) for i in range(len(self.targets))]

    async def _watch(self, index: int) -> None:
        url = self.bench.ws_url(f"/ws/jobs/{self.targets[index]}")
        async with self._gate:
            ws = await self.bench.http.ws_connect(url, compress=self.compress)
        async with ws:
            async for msg in ws:
                self.counts[index] += 1
                self.size = len(msg.data)
                if self.counts[index] == 1:
                    self._ready += 1
                    if self._ready == len(self.targets):
                        self.ready.set()
        self.open[index] = False  # the server closed it: its job finished

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def measure(name: str, pid: int, window_s: float, watchers: Watchers | None = None) -> Sample:
    workers = children(pid)
    (user, kernel), work = cpu_times(pid), sum(map(cpu_seconds, workers))
    started = time.monotonic()
    counts = list(watchers.counts) if watchers else []
    await asyncio.sleep(window_s)  # the measuring window itself, not a synchronisation
    elapsed = time.monotonic() - started
    (user2, kernel2), work2 = cpu_times(pid), sum(map(cpu_seconds, workers))
    deltas = [0]
    if watchers:
        pairs = zip(counts, watchers.counts, watchers.open, strict=True)
        deltas = [b - a for a, b, still in pairs if still] or [0]
    cpu = max(0.0, 100 * (user2 + kernel2 - user - kernel) / elapsed)
    return Sample(
        name, cpu, 100 * (kernel2 - kernel) / elapsed, 100 * (work2 - work) / elapsed,
        rss_mb(pid), sum(deltas), min(deltas), elapsed,
    )  # fmt: skip


async def submit_held(bench: Bench, jobs: int) -> list[str]:
    """JOBS jobs; the first one blocks at its gate (a FIFO made before it is submitted)."""
    photos = [await bench.upload() for _ in range(jobs)]
    os.mkfifo(bench.work / f"{photos[0]}.gate")
    return [await bench.submit(photo) for photo in photos]


async def held(bench: Bench, job_id: str) -> None:
    """Return once the first job reported from behind its gate (status processing, 10)."""
    async with bench.http.ws_connect(bench.ws_url(f"/ws/jobs/{job_id}")) as ws:
        async for msg in ws:
            data = json.loads(msg.data)
            if data.get("status") == "processing" and data.get("progress", 0) >= 10:
                return
    raise RuntimeError("the held job's socket closed before it reached its gate")


def release(bench: Bench, photo_gate: str) -> None:
    with open(bench.work / photo_gate, "w") as fifo:  # noqa: PTH123 - a FIFO, opened once
        fifo.write("go")


async def profile(pid: int, window_s: float, out: str) -> None:
    """py-spy (if installed: `pip install py-spy`) on the server: top functions, self/total."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    proc = await asyncio.create_subprocess_exec(
        spy, "record", "--pid", str(pid), "--duration", str(int(window_s)), "--nonblocking",
        "--format", "raw", "--output", out, "--rate", "1000",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    await proc.wait()
    own, inclusive = tally(Path(out))
    total = sum(own.values()) or 1
    print(f"py-spy on the server, {total} busy samples; top self, then inclusive (ours):")
    for label, counter in (("self", own), ("incl", inclusive)):
        for frame, n in counter.most_common(10):
            print(f"  {label} {100 * n / total:5.1f}%  {frame[:110]}")


def tally(raw: Path) -> tuple[Counter[str], Counter[str]]:
    """Self samples per frame, and inclusive samples per irisd/aiohttp frame."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if not frames or "selectors.py" in frames[-1]:
            continue  # waiting in epoll: not work
        own[frames[-1]] += int(count)
        for frame in set(frames):
            if "irisd/" in frame or "aiohttp/" in frame:
                inclusive[frame] += int(count)
    return own, inclusive


async def run(args: argparse.Namespace) -> list[Sample]:
    count, jobs, window_s, spy = args.watchers, args.jobs, args.window, args.py_spy
    # One bench user plays every watcher: the per-user socket cap is off for it.
    async with Bench("gated", ws={"max_sockets_per_user": 0}) as bench:
        job_ids = await submit_held(bench, jobs)
        await held(bench, job_ids[0])
        samples = [await measure("idle, 0 watchers", bench.pid, window_s)]
        watchers = Watchers(bench, job_ids, count, 15 if args.deflate else 0)
        started = time.monotonic()
        watchers.start()
        try:
            await asyncio.wait_for(watchers.ready.wait(), 60)
            print(f"{count} watchers connected in {time.monotonic() - started:.1f} s")
            await asyncio.sleep(1.0)  # let the connection burst's garbage settle
            name = f"idle, {count} watchers"
            samples.append(await measure(name, bench.pid, window_s, watchers))
            if spy:
                await profile(bench.pid, window_s, spy)
            gate = next(p.name for p in bench.work.glob("*.gate"))
            await asyncio.to_thread(release, bench, gate)
            name = f"jobs running, {count} watchers"
            samples.append(await measure(name, bench.pid, window_s, watchers))
        finally:
            with contextlib.suppress(Exception):
                await watchers.close()
    samples.append(await floor(count, watchers.size, KEEPALIVE_S, window_s))
    return samples


FLOOR_SERVER = """
import asyncio, sys
count, size, period = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
async def main():
    writers, ready = [], asyncio.Event()
    def accept(reader, writer):
        writers.append(writer)
        if len(writers) == count:
            ready.set()
    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await ready.wait()
    frame = bytes([0x81, 126]) + size.to_bytes(2, "big") + b"x" * size
    loop = asyncio.get_running_loop()
    due = loop.time()
    while True:
        due += period
        await asyncio.sleep(max(0.0, due - loop.time()))
        for writer in writers:
            writer.transport.write(frame)
asyncio.run(main())
"""


async def floor(count: int, size: int, period_s: float, window_s: float) -> Sample:
    """The same traffic from a bare asyncio server to N raw loopback readers."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", FLOOR_SERVER, str(count), str(size), str(period_s),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    port = int(await proc.stdout.readline())
    received = [0]

    async def read(reader: asyncio.StreamReader) -> None:
        while await reader.read(65536):
            received[0] += 1

    streams = [await asyncio.open_connection("127.0.0.1", port) for _ in range(count)]
    readers = [asyncio.create_task(read(reader)) for reader, _writer in streams]
    try:
        await asyncio.sleep(2 * period_s)  # past the first ticks
        before = received[0]
        sample = await measure("floor (bare asyncio writes)", proc.pid, window_s)
        sample.messages = received[0] - before  # reads, about one per frame
    finally:
        proc.kill()
        await proc.wait()
        for task in readers:
            task.cancel()
        for _reader, writer in streams:
            writer.close()
    return sample


def report(samples: list[Sample], count: int) -> None:
    print(f"{'phase':32} {'server CPU':>11} {'(kernel)':>9} {'workers CPU':>12} {'RSS':>9}"
          f" {'msgs/s':>8} {'min/watcher/s':>14}")  # fmt: skip
    for s in samples:
        print(f"{s.name:32} {s.cpu_pct:10.1f}% {s.kernel_pct:8.1f}% {s.workers_cpu_pct:11.1f}%"
              f" {s.rss_mb:7.1f}MB {s.messages / s.window_s:8.0f}"
              f" {s.quietest / s.window_s:14.2f}")  # fmt: skip
    base, idle = samples[0], samples[1]
    extra_cpu = idle.cpu_pct - base.cpu_pct
    extra_rss = idle.rss_mb - base.rss_mb
    rate = idle.messages / idle.window_s
    per_msg_us = (extra_cpu / 100) / rate * 1e6 if rate else float("nan")
    print(f"keepalive traffic, {count} idle watchers: {rate:.0f} msg/s received "
          f"(contract: >= {count / KEEPALIVE_S:.0f}/s); server CPU per message "
          f"{per_msg_us:.0f} us")  # fmt: skip
    for what, value, limit, unit in (
        ("CPU", idle.cpu_pct, TARGET_CPU_PCT, "% of one core"),
        ("RSS growth", extra_rss, TARGET_RSS_MB, "MB"),
    ):
        verdict = "MET" if value < limit else "MISSED"
        print(f"target {what} < {limit:g} {unit} with {count} idle watchers: {verdict} "
              f"({value:.1f} {unit})")  # fmt: skip
    print(f"(CPU above the 0-watcher idle: {extra_cpu:.1f} % of one core)")
    floor = samples[-1]
    print(f"floor, a bare asyncio loop writing the same bytes to {count} sockets: "
          f"{floor.cpu_pct:.1f} % ({floor.kernel_pct:.1f} % kernel); irisd above it: "
          f"{idle.cpu_pct - floor.cpu_pct:+.1f} points")  # fmt: skip
    ratio = idle.cpu_pct / floor.cpu_pct if floor.cpu_pct else float("nan")
    verdict = "MET" if ratio <= TARGET_FLOOR_RATIO else "MISSED"
    print(f"irisd / floor, same run: {ratio:.2f}x (target <= {TARGET_FLOOR_RATIO:g}x): {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--watchers", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--window", type=float, default=10.0)
    parser.add_argument("--py-spy", metavar="OUT", help="profile the idle-watchers phase")
    parser.add_argument("--deflate", action="store_true", help="clients ask for compression")
    args = parser.parse_args()
    raise_fd_limit()
    samples = asyncio.run(run(args))
    report(samples, args.watchers)


if __name__ == "__main__":
    main()
