"""Drawing the contact sheets of bench/images/sheets.py: panels, captions, tiles and PNG sheets.

An `Entry` (a photo's `Outcome`, its GT where known, the input shown) becomes a tile: the
input cropped to the window the result covers beside the result on mid-grey, captioned (file,
verdict, quality_score, size, enlargement, printed-lid share, first note); `write_sheets`
lays the tiles out by a `Layout` and writes the sheets, printing their paths.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from bench.lib.art_runs import Art, Outcome
from bench.lib.datasets import Item, derived_circle
from bench.lib.lid_scores import lid_score

FONT = cv2.FONT_HERSHEY_SIMPLEX
GAP = 6
LINE = 14  # caption line height, px
CAPTION_LINES = 5
HEADER = 22
BACKGROUND = (40, 40, 40)
MID_GREY = 128
WHITE, RED, GREEN = (235, 235, 235), (255, 120, 110), (60, 220, 60)
PADDING = 1.1  # window half-side in iris radii around a refused photo's GT iris
# Hershey fonts are ASCII: typographic quotes, dashes and the ellipsis are spelled plainly.
ASCII = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
     "\u2026": "...", "\u2192": "->", "\u2264": "<=", "\u2265": ">="}
)  # fmt: skip


@dataclass(frozen=True)
class Layout:
    panel: int  # side of the input and of the result panel, px
    columns: int
    rows: int
    scale: float  # caption font scale

    @property
    def tile(self) -> tuple[int, int]:
        return 2 * self.panel + 3 * GAP, self.panel + 2 * GAP + CAPTION_LINES * LINE

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows


@dataclass(frozen=True)
class Entry:
    """One photo to show: its outcome, and (where known) its GT for the crop and the caption."""

    outcome: Outcome
    item: Item | None
    input_rgb: np.ndarray  # what the input panel shows (the clean photo for synthetic ones)


# --- panels --------------------------------------------------------------------------------


def window(entry: Entry) -> tuple[float, float, float]:
    """(x0, y0, side) of the input window shown: what the result covers, else the GT iris."""
    art = entry.outcome.art
    if art is not None:
        scale = art.disc_out.r / art.disc_in.r
        x0 = art.disc_in.x - art.disc_out.x / scale
        y0 = art.disc_in.y - art.disc_out.y / scale
        return x0, y0, art.rgba.shape[0] / scale
    h, w = entry.input_rgb.shape[:2]
    iris = derived_circle(entry.item.iris) if entry.item is not None else None
    if iris is None:
        side = float(min(h, w))
        return (w - side) / 2, (h - side) / 2, side
    half = PADDING * iris.r
    return iris.x - half, iris.y - half, 2 * half


def crop(image: np.ndarray, box: tuple[float, float, float], panel: int) -> np.ndarray:
    """The square window of an image (zero outside it) resized to `panel` px."""
    x0, y0, side = round(box[0]), round(box[1]), max(1, round(box[2]))
    h, w = image.shape[:2]
    out = np.zeros((side, side, *image.shape[2:]), image.dtype)
    sx0, sy0, sx1, sy1 = max(0, x0), max(0, y0), min(w, x0 + side), min(h, y0 + side)
    if sx1 > sx0 and sy1 > sy0:
        out[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = image[sy0:sy1, sx0:sx1]
    flags = cv2.INTER_AREA if side > panel else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(out, (panel, panel), interpolation=flags))


def input_panel(entry: Entry, panel: int, outline: bool) -> np.ndarray:
    box = window(entry)
    view = crop(entry.input_rgb, box, panel)
    if outline and entry.item is not None:
        visible = crop(entry.item.iris.astype(np.uint8) * 255, box, panel) > 127
        contours, _ = cv2.findContours(
            visible.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE
        )
        cv2.drawContours(view, contours, -1, GREEN, 1)
    return view


def result_panel(art: Art, panel: int) -> np.ndarray:
    """The result on mid-grey (transparency shows as grey), resized to `panel` px."""
    alpha = art.rgba[:, :, 3:].astype(np.float32) / 255.0
    flat = art.rgba[:, :, :3].astype(np.float32) * alpha + MID_GREY * (1.0 - alpha)
    side = art.rgba.shape[0]
    flags = cv2.INTER_AREA if side > panel else cv2.INTER_LINEAR
    flat = cv2.resize(
        np.clip(flat + 0.5, 0, 255).astype(np.uint8), (panel, panel), interpolation=flags
    )
    return np.asarray(flat)


# --- captions and tiles --------------------------------------------------------------------


def caption(entry: Entry) -> list[tuple[str, tuple[int, int, int]]]:
    """Caption lines (text, colour): file; verdict and figures; message or first note."""
    outcome = entry.outcome
    lines = [(outcome.name, WHITE)]
    art = outcome.art
    if art is None:
        lines.append(("REFUSED", RED))
        return [*lines, *((text, RED) for text in [outcome.message])]
    res = art.result
    enlarge = art.disc_out.r / res.measures.get("iris_radius_px", art.disc_in.r)
    lid = lid_score(entry.item, art) if entry.item is not None else None
    lid_text = f"  lid {lid.lid:.1f}%" if lid is not None else ""
    lines.append(
        (
            f"ok  q {res.quality_score:.2f}  {res.width}x{res.height}  x{enlarge:.1f}{lid_text}",
            WHITE,
        )
    )
    if res.quality_notes:
        lines.append((res.quality_notes[0], (255, 210, 120)))
    return lines


def draw_caption(
    tile: np.ndarray, lines: list[tuple[str, tuple[int, int, int]]], top: int, scale: float
) -> None:
    width = tile.shape[1] - 2 * GAP
    char = cv2.getTextSize("abcdefghijklmnopqrstuvwxyz", FONT, scale, 1)[0][0] / 26
    room = max(10, int(width / char))
    rows: list[tuple[str, tuple[int, int, int]]] = []
    for text, colour in lines:
        plain = text.translate(ASCII).encode("ascii", "replace").decode()
        rows += [(part, colour) for part in textwrap.wrap(plain, room) or [""]]
    if len(rows) > CAPTION_LINES:
        rows = rows[:CAPTION_LINES]
        rows[-1] = (rows[-1][0][: room - 3] + "...", rows[-1][1])
    for i, (text, colour) in enumerate(rows):
        y = top + (i + 1) * LINE - 3
        cv2.putText(tile, text, (GAP, y), FONT, scale, colour, 1, cv2.LINE_AA)


def tile(entry: Entry, layout: Layout, outline: bool) -> np.ndarray:
    width, height = layout.tile
    p = layout.panel
    out = np.full((height, width, 3), BACKGROUND, np.uint8)
    out[GAP : GAP + p, GAP : GAP + p] = input_panel(entry, p, outline)
    right = out[GAP : GAP + p, 2 * GAP + p : 2 * GAP + 2 * p]
    if entry.outcome.art is not None:
        right[:] = result_panel(entry.outcome.art, p)
    else:
        right[:] = MID_GREY // 2
        cv2.putText(right, "refused", (p // 2 - 35, p // 2), FONT, 0.6, RED, 1, cv2.LINE_AA)
    draw_caption(out, caption(entry), GAP + p + GAP // 2, layout.scale)
    return out


def sheet(entries: list[Entry], layout: Layout, title: str, outline: bool) -> np.ndarray:
    width, height = layout.tile
    rows = -(-len(entries) // layout.columns)
    out = np.full((HEADER + rows * height, layout.columns * width, 3), BACKGROUND, np.uint8)
    cv2.putText(out, title, (GAP, HEADER - 7), FONT, 0.5, WHITE, 1, cv2.LINE_AA)
    for i, entry in enumerate(entries):
        top, left = HEADER + (i // layout.columns) * height, (i % layout.columns) * width
        out[top : top + height, left : left + width] = tile(entry, layout, outline)
        cv2.rectangle(out, (left, top), (left + width - 1, top + height - 1), (70, 70, 70), 1)
    return out


def write_sheets(
    entries: Iterable[Entry], layout: Layout, stem: str, title: str, folder: Path, outline: bool
) -> list[Path]:
    listed = list(entries)
    paths = []
    for start in range(0, len(listed), layout.per_sheet):
        part = listed[start : start + layout.per_sheet]
        number = start // layout.per_sheet + 1
        path = folder / (
            f"{stem}-{number:02d}.png" if len(listed) > layout.per_sheet else f"{stem}.png"
        )
        heading = f"{title}: {start + 1}-{start + len(part)} of {len(listed)}"
        cv2.imwrite(str(path), sheet(part, layout, heading, outline)[:, :, ::-1])
        paths.append(path)
        print(path, flush=True)
    return paths
