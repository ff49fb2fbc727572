"""irisd.art.layout.compose on real prints: each print in its cell, untouched apart from its
scaling, even gutters, the long side as asked, a transparent background."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from irisd.art.layout import LAYOUTS, Cell, Layout, UnknownLayout, cells, compose
from irisd.art.print_disc import PrintCount
from tests.art.blend_prints import real_prints

SIZE = 1600


def gaps(placed: list[Cell], across: bool) -> list[int]:
    """Distances between neighbouring cells along one axis (cells in a line)."""
    ordered = sorted(placed, key=lambda c: c.x if across else c.y)
    return [
        (b.x - a.x - a.side) if across else (b.y - a.y - a.side)
        for a, b in itertools.pairwise(ordered)
    ]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("count", [2, 3, 4])
def test_each_print_is_in_its_cell_scaled_and_otherwise_untouched(
    count: int, layout: Layout
) -> None:
    prints = real_prints()[:count]
    canvas = compose(prints, layout, SIZE)
    (width, height), placed = cells(count, layout, SIZE)
    assert canvas.shape == (height, width, 4)
    assert max(width, height) == SIZE
    covered = np.zeros((height, width), bool)
    for image, cell in zip(prints, placed, strict=True):
        window = canvas[cell.y : cell.y + cell.side, cell.x : cell.x + cell.side]
        # Inside the disc (opaque in both), the cell is the print shrunk by area averaging.
        expected = cv2.resize(image, (cell.side, cell.side), interpolation=cv2.INTER_AREA)
        solid = (window[:, :, 3] == 255) & (expected[:, :, 3] == 255)
        assert solid.mean() > 0.6
        diff = np.abs(window[solid, :3].astype(int) - expected[solid, :3].astype(int))
        assert diff.max() <= 1
        assert not covered[cell.y : cell.y + cell.side, cell.x : cell.x + cell.side].any()
        covered[cell.y : cell.y + cell.side, cell.x : cell.x + cell.side] = True
    # The background is transparent.
    assert (canvas[~covered, 3] == 0).all()


@pytest.mark.parametrize("layout", ["horizontal", "vertical"])
@pytest.mark.parametrize("count", [2, 3, 4])
def test_a_row_or_column_has_even_gutters_and_margins(count: int, layout: Layout) -> None:
    (width, height), placed = cells(count, layout, SIZE)
    across = layout == "horizontal"
    first, last = placed[0], placed[-1]
    gutter = first.x if across else first.y
    ends = (
        [first.y, height - first.y - first.side]
        if across
        else [first.x, width - first.x - first.side]
    )
    far = (width - last.x - last.side) if across else (height - last.y - last.side)
    assert gutter > 0
    assert set(gaps(placed, across)) == {gutter}
    assert ends == [gutter, gutter]
    assert far == gutter


def test_grid_of_four_fills_two_rows_of_two_with_even_gutters() -> None:
    (width, height), placed = cells(4, "grid_2x2", SIZE)
    assert (width, height) == (SIZE, SIZE)
    gutter = placed[0].x
    assert [(c.x, c.y) for c in placed] == [
        (gutter, gutter),
        (2 * gutter + placed[0].side, gutter),
        (gutter, 2 * gutter + placed[0].side),
        (2 * gutter + placed[0].side, 2 * gutter + placed[0].side),
    ]
    assert 2 * placed[0].side + 3 * gutter == SIZE


def test_grid_of_three_centres_the_third_under_the_first_two() -> None:
    (width, _), placed = cells(3, "grid_2x2", SIZE)
    third = placed[2]
    assert third.y == placed[0].y + placed[0].side + placed[0].x
    assert abs(third.x + third.side / 2 - width / 2) <= 1


def test_grid_of_two_sets_them_on_the_diagonal() -> None:
    (_, _), placed = cells(2, "grid_2x2", SIZE)
    first, second = placed
    assert (first.x, first.y) == (first.x, first.x)
    assert (second.x, second.y) == (SIZE - first.x - second.side, SIZE - first.x - second.side)


def test_composing_leaves_the_prints_as_they_were_and_reports_progress_up_to_done() -> None:
    prints = real_prints()[:3]
    before = [image.copy() for image in prints]
    seen: list[float] = []
    compose(prints, "horizontal", 800, seen.append)
    assert all(np.array_equal(a, b) for a, b in zip(prints, before, strict=True))
    assert seen == sorted(seen)
    assert seen[-1] == 1.0


@pytest.mark.parametrize("count", [0, 1, 5])
def test_fewer_than_two_or_more_than_four_prints_are_refused(count: int) -> None:
    image = np.zeros((64, 64, 4), np.uint8)
    with pytest.raises(PrintCount):
        compose([image] * count, "horizontal")


def test_an_unknown_layout_is_refused() -> None:
    image = np.zeros((64, 64, 4), np.uint8)
    with pytest.raises(UnknownLayout):
        compose([image, image], "diagonal")  # type: ignore[arg-type]
    assert issubclass(UnknownLayout, ValueError)
