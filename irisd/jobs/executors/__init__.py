"""The executors: what runs the pipeline for the engine, and the choice among them.

    contract.py  the Protocol every executor keeps (and `Deliver`, `Resized`)
    local.py     the default: one worker process per slot (a process pool of one each)
    ray/         actors on a Ray cluster (`[jobs] executor = "ray"`), driven from a child
    pipes.py     the one reader of a report pipe, used by both
    faults.py    the one mapping of a lost worker and a job past its time limit

A new backend is one more module (or package) here that keeps `contract.Executor`, and
one more branch in `create`. Nothing above this package changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from irisd.config import JobsSettings
from irisd.errors import ConfigError
from irisd.jobs.executors.contract import Deliver, Executor, Resized
from irisd.metrics import Metrics

if TYPE_CHECKING:
    from irisd.jobs.executors.ray.executor import RayExecutor

__all__ = ["Deliver", "Executor", "Resized", "check", "create"]


def check(settings: JobsSettings) -> None:
    """Before anything starts: a clear ConfigError when `executor = "ray"` has no Ray."""
    if settings.executor == "ray":
        _ray_executor()


def create(
    settings: JobsSettings,
    deliver: Deliver,
    metrics: Metrics,
    *,
    load_models: bool,
    resized: Resized | None = None,
) -> Executor:
    """The executor `[jobs] executor` names."""
    if settings.executor == "ray":
        ray_executor = _ray_executor()
        return ray_executor(settings, deliver, metrics, load_models=load_models, resized=resized)
    from irisd.jobs.executors.local import Executor as LocalExecutor  # a fixed pool: never resized

    return LocalExecutor(settings, deliver, load_models=load_models)


def _ray_executor() -> type[RayExecutor]:
    try:
        from irisd.jobs.executors.ray.executor import RayExecutor
    except ImportError as exc:
        if exc.name is not None and exc.name.partition(".")[0] != "ray":
            raise  # our own import failed, not Ray's
        raise ConfigError(
            "[jobs] executor = \"ray\" needs Ray, which is not installed: pip install 'irisd[ray]'"
        ) from None
    return RayExecutor
