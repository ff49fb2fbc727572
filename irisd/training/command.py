"""`irisd train-segmenter`: train the U-Net on synthetic eyes and write its weights.

It reads no photos: the shipped weights must never be trained on the research sets, and
scoring on them is a bench (`bench/pipeline/segmenter_scores.py --weights PATH`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from irisd.pipeline.segment import unet
from irisd.training.train import TrainConfig, train

Decorated = Callable[..., Any]  # a click command function


def _setting(name: str, text: str, least: int | None = 1) -> Callable[[Decorated], Decorated]:
    """`--NAME`: an int option whose default is the `TrainConfig` field of that name."""
    kind = int if least is None else click.IntRange(least)
    default = getattr(TrainConfig, name)
    return click.option(f"--{name}", type=kind, default=default, show_default=True, help=text)


@click.command("train-segmenter")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=unet.DEFAULT_PATH,
    show_default=True,
    help="Where to write the weights.",
)
@_setting("steps", "Optimiser steps (each a batch of freshly rendered eyes).")
@_setting("batch", "Images per step.")
@_setting("seed", "Data and init seed.", least=None)
@_setting("threads", "torch threads (the renderer runs in one extra process).")
def train_segmenter(out: Path, steps: int, batch: int, seed: int, threads: int) -> None:
    """Train the iris/pupil segmenter on synthetic eyes only and write its weights."""
    console = Console()
    config = TrainConfig(steps=steps, batch=batch, seed=seed, threads=threads)
    started = time.perf_counter()
    columns = (
        TextColumn("training"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("loss {task.fields[loss]:.3f}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("train", total=steps, loss=float("nan"))

        def on_step(step: int, loss: float) -> None:
            progress.update(task, completed=step, loss=loss)

        model = train(config, on_step)
    train_s = time.perf_counter() - started
    unet.save_weights(
        model, out, {"seed": seed, "steps": steps, "batch": batch, "train_s": train_s}
    )
    params = sum(p.numel() for p in model.parameters())
    console.print(f"trained {params:,} parameters in {train_s:.0f} s → {out}")
    console.print(f"score it on the real sets: bench/pipeline/segmenter_scores.py --weights {out}")
