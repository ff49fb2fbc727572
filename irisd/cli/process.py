"""`irisd process FILE... -o DIR`: run the pipeline locally, without a server."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from irisd.errors import IrisdError, JobFailure
from irisd.jobs.model import Step
from irisd.options import OCCLUSIONS, OUTPUT_SIZES, Occlusion, OutputFormat
from irisd.pipeline import PipelineOptions, PipelineResult
from irisd.pipeline import process as run_pipeline


@dataclass
class Outcome:
    """What happened to one input file (the --json record)."""

    file: str
    status: str
    output: str | None = None
    mask: str | None = None
    debug: str | None = None
    error_type: str | None = None
    message: str | None = None
    quality_score: float | None = None
    quality_notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # the notes that are flaws
    processing_time_ms: int = 0
    measures: dict[str, float] = field(default_factory=dict)


def write_outputs(source: Path, out_dir: Path, result: PipelineResult) -> Outcome:
    """Write <stem>.<ext>, <stem>_mask.png and, with --debug, <stem>_debug.png."""
    image_path = out_dir / f"{source.stem}.{result.ext}"
    mask_path = out_dir / f"{source.stem}_mask.png"
    image_path.write_bytes(result.image)
    mask_path.write_bytes(result.mask)
    debug_path = None
    if result.debug_overlay is not None:
        debug_path = out_dir / f"{source.stem}_debug.png"
        debug_path.write_bytes(result.debug_overlay)
    return Outcome(
        file=str(source),
        status="completed",
        output=str(image_path),
        mask=str(mask_path),
        debug=None if debug_path is None else str(debug_path),
        quality_score=result.quality_score,
        quality_notes=list(result.quality_notes),
        warnings=list(result.warnings),
        measures=result.measures,
    )


def process_one(
    source: Path, out_dir: Path, options: PipelineOptions, progress: Progress, task: TaskID
) -> Outcome:
    """Run the pipeline on one file, moving its progress bar; failures become an Outcome."""

    def report(step: str, value: int) -> None:
        progress.update(task, completed=value, description=f"{source.name}: {Step(step).display}")

    start = time.perf_counter()
    try:
        outcome = write_outputs(source, out_dir, run_pipeline(source.read_bytes(), report, options))
    except JobFailure as failure:
        outcome = Outcome(
            str(source), "failed", error_type=failure.error_type, message=failure.text
        )
    except IrisdError as error:  # decode: not an image, too large
        outcome = Outcome(str(source), "failed", error_type="invalid_input", message=error.text)
    except OSError as error:
        outcome = Outcome(str(source), "failed", error_type="io_error", message=str(error))
    outcome.processing_time_ms = round(1000 * (time.perf_counter() - start))
    done = "Complete!" if outcome.status == "completed" else "Failed"
    progress.update(task, completed=100, description=f"{source.name}: {done}")
    return outcome


def summary(outcomes: list[Outcome]) -> Table:
    """The table printed after all files."""
    table = Table(title="irisd process")
    for column in ("file", "status", "quality", "time", "output / reason"):
        table.add_column(column)
    for o in outcomes:
        quality = "" if o.quality_score is None else f"{o.quality_score:.2f}"
        status = "[green]ok" if o.status == "completed" else "[red]failed"
        status = "[yellow]check" if o.warnings else status
        table.add_row(Path(o.file).name, status, quality, f"{o.processing_time_ms} ms", _detail(o))
    return table


def _detail(outcome: Outcome) -> str:
    """The output file and the result's quality notes, one a line; or why it failed."""
    if outcome.status != "completed":
        return outcome.message or ""
    return "\n".join([outcome.output or "", *outcome.quality_notes])


@click.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the results (created if missing).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document instead of the table."
)
@click.option(
    "--debug", is_flag=True, help="Also write <name>_debug.png with boundaries and highlights."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["png", "jpeg"]),
    default="png",
    show_default=True,
    help="Result format: transparent PNG or JPEG on black.",
)
@click.option(
    "--size",
    type=click.IntRange(OUTPUT_SIZES.start, OUTPUT_SIZES.stop - 1),
    default=2048,
    show_default=True,
    help="Side of the square result, px.",
)
@click.option(
    "--learned/--classical",
    default=True,
    show_default=True,
    help="Both segmentation paths, cross-checked (see irisd.toml), or the classical alone.",
)
@click.option(
    "--occlusion",
    type=click.Choice(OCCLUSIONS),
    default="fill",
    show_default=True,
    help="Iris covered by lids or lashes: completed (a full disc) or left transparent.",
)
def process(
    files: tuple[Path, ...],
    out_dir: Path,
    as_json: bool,
    debug: bool,
    fmt: str,
    size: int,
    learned: bool,
    occlusion: Occlusion,
) -> None:
    """Process eye photos FILE... locally and write the results to -o DIR.

    Exit status 0 when every file was processed, 1 when any failed.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    output_format: OutputFormat = "jpeg" if fmt == "jpeg" else "png"
    options = PipelineOptions(
        output_size=size,
        output_format=output_format,
        use_learned=learned,
        occlusion=occlusion,
        debug=debug,
    )
    console = Console(stderr=as_json)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:>3.0f}%"),
        TimeElapsedColumn(),
    )
    outcomes = []
    with Progress(*columns, console=console, transient=as_json) as progress:
        for source in files:
            task = progress.add_task(source.name, total=100)
            outcomes.append(process_one(source, out_dir, options, progress, task))
    if as_json:
        click.echo(json.dumps({"results": [_record(o) for o in outcomes]}, indent=2))
    else:
        console.print(summary(outcomes))
    if any(o.status != "completed" for o in outcomes):
        raise SystemExit(1)


def _record(outcome: Outcome) -> dict[str, Any]:
    return {key: value for key, value in vars(outcome).items()}
