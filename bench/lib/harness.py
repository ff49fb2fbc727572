"""What the WebSocket benches share: a real `irisd serve` subprocess, a user, jobs, /proc reads.

`Bench` makes a temp data dir, writes the config, starts `irisd serve` on 127.0.0.1:0
(tests/support/server.py: the URL comes from its first stdout line), creates a user with
`irisd users add` against the same config, logs in (irisd.client, as `irisd submit` does),
and on exit stops the server (SIGTERM, then SIGKILL) and removes the temp dir. Loopback only.
"""

from __future__ import annotations

import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

import aiohttp

from bench.lib.pipelines import BENCH_DIR_ENV
from irisd.client import API, Client
from irisd.config import Settings, replace
from tests.support import images
from tests.support.server import ServerProcess

REPO = Path(__file__).resolve().parents[2]

EMAIL = "bench@example.test"
PASSWORD = "bench password, loopback only"  # a throwaway local account
CLK_TCK = os.sysconf("SC_CLK_TCK")


def raise_fd_limit() -> int:
    """Soft fd limit up to the hard one (the server subprocess inherits it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return max(soft, hard)


class Bench:
    """A started server, its temp dir, and a logged-in aiohttp session."""

    def __init__(self, pipeline: str, **changes: Any) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="irisd-bench-"))
        self.work = self.tmp / "work"  # the pipelines' directory (BENCH_DIR_ENV)
        self.work.mkdir()
        settings = replace(
            Settings(data_dir=str(self.tmp / "data")),
            server={"host": "127.0.0.1", "port": 0},
            # One bench user submits every job: no per-user limit of its own.
            jobs={"workers": 1, "device": "cpu", "pipeline": f"bench.lib.pipelines:{pipeline}",
                  "queue_limit": 5000, "user_queue_limit": 0},
            logging={"level": "warning", "format": "json"},
        )  # fmt: skip
        self.settings = replace(settings, **changes)
        self.server = ServerProcess(self.settings, self.tmp / "irisd.toml")
        self.session: aiohttp.ClientSession | None = None
        self.client: Client | None = None
        self.url = ""

    async def __aenter__(self) -> Bench:
        os.environ[BENCH_DIR_ENV] = str(self.work)  # inherited by the server and its workers
        try:
            self.url = self.server.start()
            self._add_user()
            connector = aiohttp.TCPConnector(limit=0)
            self.session = aiohttp.ClientSession(connector=connector)
            self.client = Client(self.session, self.url)
            await self.client.login(EMAIL, PASSWORD)
        except BaseException:
            await self.__aexit__(None, None, None)
            raise
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.session is not None:
            await self.session.close()
        if self.server.proc is not None and self.server.proc.poll() is None:
            try:
                self.server.stop()
            except subprocess.TimeoutExpired:
                self.server.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _add_user(self) -> None:
        subprocess.run(
            [sys.executable, "-m", "irisd", "users", "add", EMAIL, "--password", PASSWORD,
             "--config", str(self.server.config_path)],
            check=True, cwd=REPO, capture_output=True,
        )  # fmt: skip

    @property
    def http(self) -> aiohttp.ClientSession:
        assert self.session is not None
        return self.session

    @property
    def pid(self) -> int:
        assert self.server.proc is not None
        return self.server.proc.pid

    @property
    def api(self) -> Client:
        assert self.client is not None
        return self.client

    async def upload(self) -> str:
        return str((await self.api.upload(images.jpeg(64, 48)))["id"])

    async def submit(self, photo_id: str) -> str:
        reply = await self.api.post(f"{API}/processing/submit", {"photo_id": photo_id})
        return str(reply.expect(201)["job_id"])

    async def job(self, job_id: str) -> dict[str, Any]:
        body: dict[str, Any] = (await self.api.get(f"{API}/processing/jobs/{job_id}")).expect(200)
        return body

    def ws_url(self, path: str) -> str:
        return self.api.ws_url(path)


# --- /proc ---------------------------------------------------------------------------------


def cpu_times(pid: int) -> tuple[float, float]:
    """(utime, stime) of `pid` (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK  # fields 14, 15 of proc(5)


def cpu_seconds(pid: int) -> float:
    return sum(cpu_times(pid))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    """Direct child pids (the worker processes of the server)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), nearest rank; values need not be sorted."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(values_ms: list[float]) -> str:
    if not values_ms:
        return "no samples"
    return (
        f"n={len(values_ms)} p50={percentile(values_ms, 50):.1f} ms "
        f"p99={percentile(values_ms, 99):.1f} ms max={max(values_ms):.1f} ms "
        f"mean={statistics.fmean(values_ms):.1f} ms"
    )
