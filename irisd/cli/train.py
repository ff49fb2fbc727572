"""`irisd train-segmenter`: train the U-Net on synthetic eyes and score it on the real sets."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from irisd.pipeline import training, unet

DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


@click.command("train-segmenter")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=unet.DEFAULT_PATH,
    show_default=True,
    help="Where to write the weights.",
)
@click.option(
    "--steps",
    type=click.IntRange(1),
    default=training.TrainConfig.steps,
    show_default=True,
    help="Optimiser steps (each a batch of freshly rendered eyes).",
)
@click.option(
    "--batch",
    type=click.IntRange(1),
    default=training.TrainConfig.batch,
    show_default=True,
    help="Images per step.",
)
@click.option(
    "--seed",
    type=int,
    default=training.TrainConfig.seed,
    show_default=True,
    help="Data and init seed.",
)
@click.option(
    "--threads",
    type=click.IntRange(1),
    default=training.TrainConfig.threads,
    show_default=True,
    help="torch threads (the renderer runs in one extra process).",
)
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="IRISD_DATA",
    default=DEFAULT_DATA,
    show_default=True,
    help="Real evaluation sets (never trained on); skipped when absent.",
)
def train_segmenter(out: Path, steps: int, batch: int, seed: int, threads: int, data: Path) -> None:
    """Train the iris/pupil segmenter on synthetic eyes only, then report real-set IoU."""
    console = Console()
    config = training.TrainConfig(steps=steps, batch=batch, seed=seed, threads=threads)
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

        model = training.train(config, on_step)
    train_s = time.perf_counter() - started
    unet.save_weights(
        model, out, {"seed": seed, "steps": steps, "batch": batch, "train_s": train_s}
    )
    params = sum(p.numel() for p in model.parameters())
    console.print(f"trained {params:,} parameters in {train_s:.0f} s → {out}")
    _report(console, out, data)


def _report(console: Console, weights: Path, data: Path) -> None:
    if not data.is_dir():
        console.print(f"no evaluation data at {data}; skipped")
        return
    segmenter = unet.load_segmenter("cpu", weights)
    if segmenter is None:
        raise click.ClickException(f"weights missing at {weights}")
    table = Table("set", "images", "iris IoU (mean)", "pupil IoU (mean)")
    for score in training.evaluate(segmenter, data):
        pupil = f"{score.mean(score.pupil):.3f}" if score.pupil else "-"
        table.add_row(score.name, str(score.count), f"{score.mean(score.iris):.3f}", pupil)
    console.print(table)
