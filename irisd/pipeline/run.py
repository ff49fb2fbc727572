"""The pipeline run: decode → segment → gate → remove reflections → enhance → encode.

Reports progress at the API.md checkpoints (loading 5→10, segmenting 20→30→40,
removing_reflections 50→60, enhancing 70→80→90) and a few values in between.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from irisd.errors import QualityIssue
from irisd.pipeline import enhance, output, overlay, quality, reflections
from irisd.pipeline.decode import decode
from irisd.pipeline.geometry import disk
from irisd.pipeline.segment import Segmentation, locate, outline
from irisd.pipeline.types import PipelineOptions, PipelineResult, Report


@dataclass(frozen=True)
class Cleaned:
    """The iris crop after highlight removal, with its geometry (crop coordinates)."""

    crop: output.Crop
    rgb: np.ndarray  # (S, S, 3) uint8
    iris_disk: np.ndarray  # (S, S) bool
    highlights: np.ndarray  # (S, S) bool


def run(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    """Process one encoded photo; raises QualityIssue when the photo is the problem."""
    report("loading", 5)
    rgb = decode(image, options.max_pixels)
    report("loading", 10)
    seg, measures = segment_and_gate(rgb, report, options)
    report("removing_reflections", 50)
    cleaned = clean(rgb, seg, report)
    report("removing_reflections", 60)
    result = finish(rgb, seg, cleaned, measures, report, options)
    report("enhancing", 90)
    return result


def segment_and_gate(
    rgb: np.ndarray, report: Report, options: PipelineOptions
) -> tuple[Segmentation, quality.Measures]:
    """Segmenting step (20 → 40): exposure check, localisation, outline, quality gate."""
    report("segmenting", 20)
    mean_level = quality.exposure_gate(rgb)
    located = locate(rgb, options.use_learned)
    if located is None:
        raise QualityIssue(quality.NOT_FOUND)
    report("segmenting", 30)
    seg = outline(rgb, located)
    report("segmenting", 35)
    measures = quality.measure(rgb, seg, mean_level)
    quality.gate(measures)
    report("segmenting", 40)
    return seg, measures


def clean(rgb: np.ndarray, seg: Segmentation, report: Report) -> Cleaned:
    """Removing-reflections step (50 → 60): highlights inside iris + pupil filled on the crop."""
    crop = output.square_around(seg.iris)
    pixels = output.extract(rgb, crop)
    iris = crop.circle(seg.iris)
    iris_disk = disk((crop.side, crop.side), iris)
    visible = output.extract(seg.mask, crop) | disk((crop.side, crop.side), crop.circle(seg.pupil))
    region = reflections.search_region(visible, iris_disk, iris.r)
    holes = reflections.detect(pixels, region, iris.r)
    report("removing_reflections", 55)
    return Cleaned(crop, reflections.fill(pixels, holes), iris_disk, holes)


def finish(
    rgb: np.ndarray,
    seg: Segmentation,
    cleaned: Cleaned,
    measures: quality.Measures,
    report: Report,
    options: PipelineOptions,
) -> PipelineResult:
    """Enhancing step (70 → 90): denoise, contrast, resize, sharpen, encode."""
    report("enhancing", 70)
    side = options.output_size
    toned = enhance.local_contrast(enhance.denoise(cleaned.rgb), cleaned.iris_disk)
    report("enhancing", 80)
    scale = side / cleaned.crop.side
    final = enhance.resize(enhance.sharpen(toned, 1.0), side)
    opacity = output.alpha(side, cleaned.crop.circle(seg.iris).scaled(scale))
    report("enhancing", 85)
    debug = None
    if options.debug:
        debug = overlay.draw(rgb, seg, _highlights_in_input(rgb.shape[:2], cleaned))
    return PipelineResult(
        image=output.encode(final, opacity, options.output_format),
        format=options.output_format,
        mask=output.encode_mask(seg.mask),
        width=side,
        height=side,
        quality_score=quality.score(measures),
        measures={**measures.as_dict(), "source_" + seg.source: 1.0},
        debug_overlay=debug,
    )


def _highlights_in_input(shape: tuple[int, int], cleaned: Cleaned) -> np.ndarray:
    """The crop's highlight mask placed back in input coordinates, (H, W) bool."""
    out = np.zeros(shape, bool)
    c = cleaned.crop
    h, w = shape
    x0, y0 = max(0, c.x0), max(0, c.y0)
    x1, y1 = min(w, c.x0 + c.side), min(h, c.y0 + c.side)
    if x1 > x0 and y1 > y0:
        out[y0:y1, x0:x1] = cleaned.highlights[y0 - c.y0 : y1 - c.y0, x0 - c.x0 : x1 - c.x0]
    return out
