"""Open TCP connections, per client address and in all, against caps; refusals logged sparingly.

Slowloris (issue 25 #1): ~20,000 connections that never finished their request head took
every file descriptor, then asyncio logged each failed accept (95 MB in 40 s). The head
timeout (`[server] header_timeout_s`, api/http_runner.py) ends each such connection; these caps
bound how many can be open meanwhile. Past a cap a new connection is closed as soon as it is
accepted, before it is read or parsed, and the total cap is kept below the process's file
limit so accept() itself never runs out.
"""

from __future__ import annotations

import resource
import time
from collections import Counter
from collections.abc import Callable

from irisd.config import ServerSettings
from irisd.logs import get_logger
from irisd.metrics import Metrics

log = get_logger(__name__)

# Descriptors kept for everything but client sockets: SQLite and its WAL, worker pipes,
# stored files being read or written, the listening sockets.
FD_RESERVE = 256
# At most one `connection.refused` line per this many seconds, carrying the count.
REFUSAL_LOG_EVERY_S = 10.0


class ConnectionLimit:
    """Counts open connections by peer address; `admit` says whether one more may open."""

    def __init__(
        self,
        total: int,
        per_address: int,
        metrics: Metrics | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total  # 0: no cap
        self.per_address = per_address  # 0: no cap
        self._open: Counter[str] = Counter()
        self._metrics = metrics or Metrics()
        self._metrics.gauge("irisd_http_connections", lambda: {(): float(self.open)})
        self._clock = clock
        self._refused = 0  # since the last refusal line
        self._logged_at: float | None = None

    @classmethod
    def from_settings(cls, server: ServerSettings, metrics: Metrics) -> ConnectionLimit:
        total = fit_fd_limit(server.max_connections)
        return cls(total, server.max_connections_per_address, metrics)

    @property
    def open(self) -> int:
        return self._open.total()

    def admit(self, address: str) -> bool:
        """Count a new connection from `address`, or refuse it (False) past either cap."""
        over_total = self.total and self.open >= self.total
        if over_total or (self.per_address and self._open[address] >= self.per_address):
            self._note_refusal(address, "total" if over_total else "address")
            return False
        self._open[address] += 1
        return True

    def release(self, address: str) -> None:
        """An admitted connection from `address` has closed."""
        self._open[address] -= 1
        if self._open[address] <= 0:
            del self._open[address]

    def _note_refusal(self, address: str, cap: str) -> None:
        # One line per window, not one per connection: a flood must not become a log flood.
        self._metrics.inc("irisd_connections_refused_total", cap=cap)
        self._refused += 1
        now = self._clock()
        if self._logged_at is not None and now - self._logged_at < REFUSAL_LOG_EVERY_S:
            return
        log.warning(
            "connection.refused", cap=cap, remote=address, refused=self._refused, open=self.open
        )
        self._logged_at, self._refused = now, 0


def fit_fd_limit(wanted: int) -> int:
    """The total cap this process can hold: raises the soft file limit if it must and may."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = (wanted or soft) + FD_RESERVE
    if soft != resource.RLIM_INFINITY and soft < needed:
        raised = needed if hard == resource.RLIM_INFINITY else min(hard, needed)
        resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
        soft = raised
    room = max(1, soft - FD_RESERVE)
    if wanted and wanted <= room:
        return wanted
    if wanted:
        log.warning("connection.cap_lowered", max_connections=wanted, fd_limit=soft, cap=room)
    return room
