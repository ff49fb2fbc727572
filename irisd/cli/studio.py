"""`irisd style`, `irisd fuse`, `irisd export`: the art studio's kinds on local prints, no server.

Each runs the very code a worker runs for the job kind (`irisd.jobs.art_work.run`), on
prints written by `irisd process` (or downloaded from the box), with a progress bar that
shows the app's step texts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, get_args

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from irisd.art.export import PRINT_SIZES
from irisd.art.fusion import BlendMode
from irisd.art.layout import Layout
from irisd.art.styles import PRESETS
from irisd.errors import JobFailure
from irisd.jobs.art_work import ArtResult, run
from irisd.jobs.model import JobKind, display_of, step_named

PRINT = click.Path(exists=True, dir_okay=False, path_type=Path)
OUT_FILE = click.Path(dir_okay=False, path_type=Path)


def run_kind(
    kind: JobKind, params: dict[str, Any], prints: Sequence[Path], label: str
) -> ArtResult:
    """Run the art `kind` on the print files with a progress bar; exit 1 on a failure."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:>3.0f}%"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task(label, total=100)

        def report(step: str, value: int) -> None:
            shown = display_of(kind, step_named(step))
            progress.update(task, completed=value, description=f"{label}: {shown}")

        try:
            result = run(
                kind.value, json.dumps(params), tuple(p.read_bytes() for p in prints), report
            )
        except (JobFailure, ValueError) as failure:
            progress.update(task, description=f"{label}: Failed")
            text = failure.text if isinstance(failure, JobFailure) else str(failure)
            raise click.ClickException(text) from None
        progress.update(task, completed=100, description=f"{label}: Complete!")
    return result


def _written(result: ArtResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(result.image)
    click.echo(f"{path} ({result.width}x{result.height}, {len(result.image)} bytes)")


@click.command()
@click.argument("prints", nargs=-1, required=True, type=PRINT)
@click.option(
    "--preset",
    required=True,
    type=click.Choice([p.id for p in PRESETS]),
    help="The style preset (the app's ids).",
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for <name>_<preset>.png and its 512 px <name>_<preset>_preview.webp.",
)
def style(prints: tuple[Path, ...], preset: str, out_dir: Path) -> None:
    """Style each iris print PRINTS... (PNGs of `irisd process`) with a preset."""
    for source in prints:
        result = run_kind(JobKind.STYLE, {"preset": preset}, [source], source.name)
        _written(result, out_dir / f"{source.stem}_{preset}.png")
        if result.preview is not None:
            (out_dir / f"{source.stem}_{preset}_preview.webp").write_bytes(result.preview)


@click.command()
@click.argument("prints", nargs=-1, required=True, type=PRINT)
@click.option(
    "--mode",
    type=click.Choice(get_args(BlendMode)),
    default="poisson",
    show_default=True,
    help="How a fusion blends the irises into one.",
)
@click.option(
    "--layout",
    type=click.Choice(get_args(Layout)),
    default=None,
    help="Lay the irises out side by side (a composition) instead of blending them.",
)
@click.option("-o", "--output", "out_file", required=True, type=OUT_FILE, help="The PNG to write.")
def fuse(prints: tuple[Path, ...], mode: str, layout: str | None, out_file: Path) -> None:
    """Blend 2 to 4 iris prints PRINTS... into one (or lay them out with --layout)."""
    if not 2 <= len(prints) <= 4:
        raise click.UsageError("Give 2 to 4 prints.")
    if layout is None:
        result = run_kind(JobKind.FUSION, {"mode": mode}, prints, "fusion")
    else:
        result = run_kind(JobKind.COMPOSITION, {"layout": layout}, prints, "composition")
    _written(result, out_file)


@click.command()
@click.argument("print_file", metavar="PRINT", type=PRINT)
@click.option(
    "--print-size",
    type=click.Choice([size.id for size in PRINT_SIZES]),
    default=None,
    help="The print size; without one, the photo's own detail at 300 dpi (never enlarged).",
)
@click.option(
    "--native-px",
    type=click.IntRange(min=1),
    default=None,
    help="The iris's diameter in the original photo, px (2 x iris_radius_px of "
    "`irisd process --json`); default: the print's own width.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["png", "tiff"]), default="png", show_default=True
)
@click.option("-o", "--output", "out_file", required=True, type=OUT_FILE, help="The file to write.")
def export(
    print_file: Path, print_size: str | None, native_px: int | None, fmt: str, out_file: Path
) -> None:
    """Export an iris print PRINT for a print size: sRGB, with its dpi in the file."""
    native = native_px
    if native is None:
        from PIL import Image

        with Image.open(print_file) as opened:
            native = opened.width
    params = {"native_px": native, "print_size": print_size, "format": fmt}
    result = run_kind(JobKind.EXPORT, params, [print_file], print_file.name)
    _written(result, out_file)
    info = result.info
    enlarged = " (enlarged past the photo's own detail)" if info.get("enlarged") else ""
    click.echo(f"{info.get('dpi')} dpi{enlarged}")
