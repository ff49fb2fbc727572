"""Real photos through `irisd.pipeline.process`, the result decoded and its disc placed.

`run_bytes` processes one encoded photo into an `Outcome`: the decoded input and its `Art`
(the result as RGBA, the mask, and the output disc in output and in input pixels, from the
measures or else the enclosing circle of the mask), or the refusal sentence. Used by
bench/images/art.py, sheets.py and light_segmentation.py.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import cv2
import numpy as np

from bench.lib.datasets import Item
from irisd.errors import QualityIssue
from irisd.pipeline import PipelineOptions, PipelineResult, process
from irisd.pipeline.geometry import Circle


@dataclass(frozen=True)
class Art:
    """A decoded result with its disc in output and in input pixels."""

    result: PipelineResult
    rgba: np.ndarray  # (S, S, 4) uint8 RGBA
    mask: np.ndarray  # (H, W) bool, input size: where original pixels are printed
    disc_out: Circle  # the opaque disc, output pixels
    disc_in: Circle  # the same disc, input pixels
    disc_from: str  # "measures" or "mask"

    def to_input(self, plane: np.ndarray, shape: tuple[int, int], flags: int) -> np.ndarray:
        """An output-sized plane warped onto the input's (H, W) grid."""
        scale = self.disc_out.r / self.disc_in.r
        forward = np.array(
            [
                [scale, 0.0, self.disc_out.x - scale * self.disc_in.x],
                [0.0, scale, self.disc_out.y - scale * self.disc_in.y],
            ],
            np.float32,
        )
        size = (shape[1], shape[0])
        return np.asarray(cv2.warpAffine(plane, forward, size, flags=flags | cv2.WARP_INVERSE_MAP))


@dataclass(frozen=True)
class Outcome:
    """One photo through the pipeline: its art, or the refusal sentence."""

    name: str
    rgb: np.ndarray  # (H, W, 3) uint8, the decoded input
    art: Art | None
    message: str  # refusal sentence; "" when accepted
    seconds: float


def decode_rgb(data: bytes) -> np.ndarray:
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if bgr is None:
        raise ValueError("undecodable input")
    return np.ascontiguousarray(bgr[:, :, ::-1])


def run_bytes(name: str, data: bytes, options: PipelineOptions) -> Outcome:
    """`process` one encoded photo; a QualityIssue becomes a refused Outcome."""
    rgb = decode_rgb(data)
    start = time.perf_counter()
    try:
        result = process(data, lambda step, progress: None, options)
    except QualityIssue as issue:
        return Outcome(name, rgb, None, issue.text, time.perf_counter() - start)
    seconds = time.perf_counter() - start
    return Outcome(name, rgb, unpack(result, rgb.shape[:2]), "", seconds)


def run_items(items: list[Item], options: PipelineOptions) -> list[Outcome]:
    return [run_bytes(item.name, item.image.read_bytes(), options) for item in items]


def largest_outline(plane: np.ndarray) -> np.ndarray | None:
    """(N, 1, 2) contour of the largest component of a bool plane, or None when empty."""
    contours, _ = cv2.findContours(plane.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    return max(contours, key=cv2.contourArea) if contours else None


def enclosing(plane: np.ndarray) -> Circle | None:
    outline = largest_outline(plane)
    if outline is None:
        return None
    (x, y), r = cv2.minEnclosingCircle(outline)
    return Circle(float(x), float(y), float(r))


def unpack(result: PipelineResult, shape: tuple[int, int]) -> Art:
    """Decode the result image and mask and place the output disc in both frames."""
    image = cv2.imdecode(np.frombuffer(result.image, np.uint8), cv2.IMREAD_UNCHANGED)
    if image.ndim == 3 and image.shape[2] == 4:
        rgba = cv2.cvtColor(image, cv2.COLOR_BGRA2RGBA)
    else:  # JPEG: black outside the disc, so the disc is read from the non-black pixels
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        rgba = np.dstack([rgb, np.where(rgb.max(axis=2) > 8, 255, 0).astype(np.uint8)])
    mask = cv2.imdecode(np.frombuffer(result.mask, np.uint8), cv2.IMREAD_GRAYSCALE) > 0
    if mask.shape != shape:
        raise ValueError(f"mask {mask.shape} is not the input's size {shape}")
    side = rgba.shape[0]
    disc_out = enclosing(rgba[:, :, 3] > 127) or Circle(side / 2, side / 2, side / 2)
    m = result.measures
    if {"iris_x", "iris_y", "iris_radius_px"} <= m.keys():
        disc_in, source = Circle(m["iris_x"], m["iris_y"], m["iris_radius_px"]), "measures"
    else:
        found = enclosing(mask)
        if found is None:
            raise ValueError("empty mask and no iris circle in the measures")
        disc_in, source = found, "mask"
    return Art(result, rgba, mask, disc_out, disc_in, source)
