"""Live job state fan-out to WebSockets (temporary stub by the lead; the websocket engineer owns this file)."""

from __future__ import annotations

from irisd.config import WsSettings
from irisd.db import Database
from irisd.jobs.model import LiveState
from irisd.metrics import Metrics


class Hub:
    def __init__(self, settings: WsSettings, db: Database, metrics: Metrics) -> None:
        self.settings = settings
        self.db = db
        self.metrics = metrics

    def publish(self, state: LiveState) -> None:
        pass

    async def close(self) -> None:
        pass
