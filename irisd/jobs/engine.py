"""The job engine: submit → queue → attempt (load → compute → save) → finish; cancel."""

from __future__ import annotations

from typing import Any

from irisd.config import Settings
from irisd.db import Database
from irisd.metrics import Metrics
from irisd.storage import Storage


class Engine:
    """Placeholder while the engine is written; the API stays the same."""

    def __init__(
        self, settings: Settings, db: Database, storage: Storage, hub: Any, metrics: Metrics
    ) -> None:
        self.settings = settings
        self.db = db
        self.storage = storage
        self.hub = hub
        self.metrics = metrics

    async def start(self) -> None:
        """Start the worker pool and the dispatcher."""

    async def stop(self) -> None:
        """Stop dispatching and shut the worker pool down."""

    def alive(self) -> bool:
        return True
