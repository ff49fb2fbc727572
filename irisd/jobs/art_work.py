"""The art kinds' work in a worker process: decode the prints, call `irisd.art`, encode.

Runs where the pipeline runs (a pool worker or a Ray actor), through `worker.execute`. Takes
and returns plain values only: the kind, its JSON parameters (built by jobs/art_params.py on
the server) and the encoded prints in; an `ArtResult` out. Progress goes through the same
`report(step, progress)` as the pipeline's, so a cancel stops the work at its next report.

Each kind's steps and their checkpoints (the texts are jobs/model.py's ART_DISPLAY):

    style        preparing 5, 10 · styling 20 (the 512 px preview), 30..80 · finishing 85, 90
    fusion       preparing 5, 10 · blending 20..80 · postprocessing 85, 90
    composition  preparing 5, 10 · layout 20..80 · (encoding under layout) 90
    export       preparing 5, 10 · upscaling 20..80 · finishing 85, 90

The server then reports saving 95 and 100 as it does for processing.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from PIL import Image

from irisd.errors import QualityIssue
from irisd.pipeline.types import Report

PREVIEW_SIDE = 512  # the app's preview and the console's tiles (jobs/previews.py's SIDE)
PREVIEW_QUALITY = 80
UNREADABLE = "This result can no longer be read. Process the photo again, then try once more."


@dataclass(frozen=True)
class ArtResult:
    """One art job's output: the encoded file (`format` "png" or "tiff"), its size, a WebP
    preview of at most PREVIEW_SIDE px, and what the kind adds to its Job (`info`)."""

    image: bytes
    format: str
    width: int
    height: int
    preview: bytes | None = None
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def ext(self) -> str:
        return "tif" if self.format == "tiff" else self.format


Fraction = Callable[[float], None]


def run(kind: str, params: str, sources: Sequence[bytes], report: Report) -> ArtResult:
    """Run the art `kind` on the encoded `sources` with its JSON `params`."""
    report("preparing", 5)
    prints = [decode(data) for data in sources]
    values: dict[str, Any] = json.loads(params or "{}")
    report("preparing", 10)
    return _KINDS[kind](prints, values, report)


def decode(data: bytes) -> np.ndarray:
    """An encoded print as HxWx4 uint8 BGRA (a JPEG result gets an opaque alpha)."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None or image.ndim not in (2, 3):
        raise QualityIssue(UNREADABLE)
    if image.dtype != np.uint8:  # a 16-bit PNG
        image = (image / 257).astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGRA)
    if image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2BGRA)
    return image


def png(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", image)
    if not ok:
        raise RuntimeError("PNG encoding failed")
    return bytes(data.tobytes())


def preview(image: np.ndarray) -> bytes:
    """A WebP of at most PREVIEW_SIDE px, its transparency kept."""
    rgba = Image.fromarray(cv2.cvtColor(image, cv2.COLOR_BGRA2RGBA))
    rgba.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
    out = io.BytesIO()
    rgba.save(out, format="WEBP", quality=PREVIEW_QUALITY, method=4)
    return out.getvalue()


def shrink(image: np.ndarray, side: int) -> np.ndarray:
    """The image at most `side` px on its longer side (INTER_AREA: no aliasing)."""
    height, width = image.shape[:2]
    scale = side / max(height, width)
    if scale >= 1:
        return image
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def span(report: Report, step: str, start: int, end: int) -> Fraction:
    """A `report(fraction)` for the art functions: 0..1 mapped onto start..end of `step`, in
    whole tens, so a long loop sends a handful of states, not one per call."""

    def on(fraction: float) -> None:
        value = start + (end - start) * min(max(float(fraction), 0.0), 1.0)
        report(step, max(start, int(value) // 10 * 10))

    return on


def _style(prints: list[np.ndarray], params: dict[str, Any], report: Report) -> ArtResult:
    from irisd.art import styles  # the art modules load on a worker's first art job

    [source] = prints
    preset = str(params["preset"])
    report("styling", 20)
    small = styles.stylise(shrink(source, PREVIEW_SIDE), preset)
    report("styling", 30)
    full = styles.stylise(source, preset, span(report, "styling", 30, 80))
    report("finishing", 85)
    data, light = png(full), preview(small)
    report("finishing", 90)
    return ArtResult(data, "png", full.shape[1], full.shape[0], light)


def _fusion(prints: list[np.ndarray], params: dict[str, Any], report: Report) -> ArtResult:
    from irisd.art import fusion

    report("blending", 20)
    fused = fusion.fuse(prints, params["mode"], report=span(report, "blending", 20, 80))
    report("postprocessing", 85)
    data, light = png(fused), preview(fused)
    report("postprocessing", 90)
    return ArtResult(data, "png", fused.shape[1], fused.shape[0], light)


def _composition(prints: list[np.ndarray], params: dict[str, Any], report: Report) -> ArtResult:
    from irisd.art import layout

    report("layout", 20)
    laid = layout.compose(prints, params["layout"], report=span(report, "layout", 20, 80))
    data, light = png(laid), preview(laid)
    report("layout", 90)
    return ArtResult(data, "png", laid.shape[1], laid.shape[0], light)


def _export(prints: list[np.ndarray], params: dict[str, Any], report: Report) -> ArtResult:
    from irisd.art import export

    [source] = prints
    report("upscaling", 20)
    done = export.export(
        source,
        native_px=int(params["native_px"]),
        print_size=params.get("print_size"),
        format=params.get("format", "png"),
        report=span(report, "upscaling", 20, 80),
    )
    report("finishing", 85)
    light = preview(source)  # the print as the app showed it: a preview, not the HD file
    info = {
        "dpi": done.dpi,
        "format": done.format,
        "enlarged": done.enlarged,
        "native_px": done.native_px,
        "detail_dpi": done.detail_dpi,
        "print_size": params.get("print_size"),
    }
    report("finishing", 90)
    return ArtResult(done.data, done.format, done.width, done.height, light, info)


_KINDS: dict[str, Callable[[list[np.ndarray], dict[str, Any], Report], ArtResult]] = {
    "style": _style,
    "fusion": _fusion,
    "composition": _composition,
    "export": _export,
}
