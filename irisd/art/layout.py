"""Compositions: two to four iris prints laid out side by side on one canvas.

Every print gets the same square cell; gutters between cells and the margins round them are
all the same width (GUTTER of a cell, the nearest width that divides the canvas exactly).
The background is transparent, as a print's corners are: the app and the console show the
canvas on their own background, and an export flattens it as it does a print.

- `horizontal`: one row, `size` wide; `vertical`: one column, `size` tall.
- `grid_2x2`: a square canvas of two rows of two cells. Four prints fill it; three leave
  the third centred under the first two (a triangle, not an empty corner); two sit on the
  diagonal, top left and bottom right (the square kept, not a row in disguise).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

from irisd.art.print_disc import check_count, resized

Layout = Literal["horizontal", "vertical", "grid_2x2"]
LAYOUTS: tuple[Layout, ...] = get_args(Layout)

GUTTER = 1 / 16  # of a cell's side


class UnknownLayout(ValueError):
    """Not one of LAYOUTS."""


@dataclass(frozen=True)
class Cell:
    """Where one print goes on the canvas: top-left corner and side, px."""

    x: int
    y: int
    side: int


def cells(count: int, layout: Layout, size: int) -> tuple[tuple[int, int], list[Cell]]:
    """The canvas's (width, height) and each print's cell, in order."""
    if layout not in LAYOUTS:
        raise UnknownLayout(f"layout must be one of {', '.join(LAYOUTS)}")
    across = 2 if layout == "grid_2x2" else count  # cells along the long side
    side, gutter = _fit(size, across)
    step = side + gutter
    if layout == "horizontal":
        return (size, side + 2 * gutter), [
            Cell(gutter + i * step, gutter, side) for i in range(count)
        ]
    if layout == "vertical":
        return (side + 2 * gutter, size), [
            Cell(gutter, gutter + i * step, side) for i in range(count)
        ]
    grid: dict[int, list[tuple[float, float]]] = {
        2: [(0, 0), (1, 1)],
        3: [(0, 0), (1, 0), (0.5, 1)],
        4: [(0, 0), (1, 0), (0, 1), (1, 1)],
    }
    return (size, size), [
        Cell(gutter + round(col * step), gutter + round(row * step), side)
        for col, row in grid[count]
    ]


def _fit(size: int, across: int) -> tuple[int, int]:
    """(cell side, gutter) with across * side + (across + 1) * gutter == size exactly, the
    gutter as near GUTTER of the side as that allows."""
    target = size * GUTTER / (across + (across + 1) * GUTTER)
    for delta in range(size):
        for gutter in (round(target) + delta, round(target) - delta):
            if gutter >= 1 and (size - (across + 1) * gutter) % across == 0:
                side = (size - (across + 1) * gutter) // across
                if side >= 1:
                    return side, gutter
    raise ValueError(f"a canvas of {size} px is too small for {across} prints")


def compose(
    prints: Sequence[np.ndarray],
    layout: Layout,
    size: int = 2048,
    report: Callable[[float], None] | None = None,
) -> np.ndarray:
    """One BGRA canvas, long side `size`, with the 2..4 BGRA prints in their cells."""
    check_count(prints)
    (width, height), placed = cells(len(prints), layout, size)
    canvas = np.zeros((height, width, 4), np.uint8)
    for k, (image, cell) in enumerate(zip(prints, placed, strict=True)):
        canvas[cell.y : cell.y + cell.side, cell.x : cell.x + cell.side] = resized(image, cell.side)
        if report is not None:
            report((k + 1) / len(prints))
    return canvas
