"""The pipeline run: decode → segment → gate → balance and fill → expose, enhance → encode.

Reports progress at the API.md checkpoints (loading 5→10, segmenting 20→30→40,
removing_reflections 50→60, enhancing 70→80→90) and a few values in between.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from irisd.errors import QualityIssue
from irisd.pipeline import (
    enhance,
    fill,
    input_quality,
    occlusion,
    output,
    overlay,
    pupil,
    reflections,
    refusals,
    result_quality,
    rim,
    specks,
    tone,
)
from irisd.pipeline.decode import decode
from irisd.pipeline.geometry import Circle, disk, gray, round_kernel
from irisd.pipeline.segment import LIMBUS_INSET, Segmentation, chroma, locate, outline
from irisd.pipeline.types import PipelineOptions, PipelineResult, Report

# The fill starts this far (iris radii) outside a reflection's detected edge: its last glow
# would otherwise set the colour the fill is matched to, and leave a pale smear.
GLOW_MARGIN = 0.03


@dataclass(frozen=True)
class Cleaned:
    """The iris crop after white balance and filling, with its geometry (crop coordinates)."""

    crop: output.Crop
    rgb: np.ndarray  # (S, S, 3) uint8, balanced; reflections (and, to fill, lids) filled
    disc: Circle  # the printed iris disc, crop pixels
    iris_disk: np.ndarray  # (S, S) bool, inside `disc`
    ring: np.ndarray  # (S, S) bool: the iris disk less the pupil
    hidden: np.ndarray  # (S, S) bool: iris covered by lids and lashes
    highlights: np.ndarray  # (S, S) bool
    repainted: float  # share of the ring filled over reflections
    completed: float  # share of the ring hidden by lids or lashes
    white: float | None  # the sclera's L* (tone.Balance.white)


def run(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    """Process one encoded photo; raises QualityIssue when the photo is the problem."""
    report("loading", 5)
    rgb = decode(image, options.max_pixels)
    report("loading", 10)
    seg, measures = segment_and_gate(rgb, report, options)
    report("removing_reflections", 50)
    cleaned = clean(rgb, seg, report, options)
    report("removing_reflections", 60)
    result = finish(rgb, seg, cleaned, measures, report, options)
    report("enhancing", 90)
    return result


def segment_and_gate(
    rgb: np.ndarray, report: Report, options: PipelineOptions
) -> tuple[Segmentation, input_quality.Measures]:
    """Segmenting step (20 → 40): exposure check, localisation, outline, quality gate."""
    report("segmenting", 20)
    mean_level = input_quality.exposure_gate(rgb)
    located = locate(rgb, options.use_learned)
    if located is None:
        raise QualityIssue(refusals.NOT_FOUND)
    report("segmenting", 30)
    seg = outline(rgb, located)
    report("segmenting", 35)
    measures = input_quality.measure(rgb, seg, mean_level)
    input_quality.gate(measures)
    report("segmenting", 40)
    return seg, measures


def clean(rgb: np.ndarray, seg: Segmentation, report: Report, options: PipelineOptions) -> Cleaned:
    """Removing-reflections step (50 → 60): white balance, then highlights (and, with
    `occlusion = "fill"`, lids and lashes) filled from the iris's own texture."""
    crop = output.square_around(seg.iris)
    balance = tone.white_balance(rgb, seg.iris)
    pixels = balance.apply(output.extract(rgb, crop))
    shape = (crop.side, crop.side)
    # The print's disc is the inner side of the limbus, where the segmentation mask stops too.
    # The limbus circle lies in the middle of the blurred iris-sclera transition, whose outer
    # half printed as a pale or grey rim (bench/images/art.py, MMU test, share of the disc
    # printed as lid or sclera: median 1.33 % at 1.0, 1.07 % here; GT iris not printed 7.0 ->
    # 6.1 %).
    iris, pupil = crop.circle(seg.iris.resized(LIMBUS_INSET)), crop.circle(seg.pupil)
    iris_disk, pupil_disk = disk(shape, iris), disk(shape, pupil)
    ring = iris_disk & ~pupil_disk
    visible = output.extract(seg.mask, crop)
    region = reflections.search_region(visible | pupil_disk, iris_disk, iris.r)
    hidden = occlusion.covered(gray(pixels), visible, ring, iris.r, chroma(pixels))
    found = reflections.find(pixels, region, iris.r, pupil, (ring & ~hidden) | pupil_disk)
    pixels = found.remove_veil(pixels)
    dots = specks.find(pixels, iris_disk & ~hidden & ~found.opaque, iris.r)
    highlights = found.opaque | dots
    hidden &= ~highlights
    # Repainted: of the whole print (a window reflected in the pupil is painted over too);
    # completed: of the iris ring, where lids cover it.
    repainted = float(highlights.sum()) / max(1, int(iris_disk.sum()))
    completed = float(hidden.sum()) / max(1, int(ring.sum()))
    result_quality.cover_gate(repainted, completed)
    report("removing_reflections", 55)
    fill_lids = options.occlusion == "fill"
    glow = round_kernel(GLOW_MARGIN * iris.r)
    glare = (cv2.dilate(found.opaque.astype(np.uint8), glow) > 0) | dots  # specks have no glow
    holes = (glare | hidden) if fill_lids else glare
    filled = fill.polar_fill(pixels, holes & iris_disk, iris, pupil)
    return Cleaned(
        crop, filled, iris, iris_disk, ring, hidden, highlights, repainted, completed, balance.white
    )


def finish(
    rgb: np.ndarray,
    seg: Segmentation,
    cleaned: Cleaned,
    measures: input_quality.Measures,
    report: Report,
    options: PipelineOptions,
) -> PipelineResult:
    """Enhancing step (70 → 90): denoise and expose, clean the pupil and the rim, sharpen,
    resize, encode."""
    report("enhancing", 70)
    side = result_quality.output_side(options.output_size, cleaned.crop.side)
    visible_ring = cleaned.ring & ~cleaned.hidden & ~cleaned.highlights
    exposed, exposure = tone.expose(
        cleaned.rgb, visible_ring, cleaned.iris_disk & ~cleaned.ring, cleaned.white
    )
    outlined = cleaned.crop.circle(seg.pupil)
    # An assumed pupil is no outline to paint: it is looked for in the photo.
    black = outlined if seg.pupil_seen else pupil.found(exposed, outlined)
    toned = exposed if black is None else pupil.clean(exposed, black)
    toned = rim.clean(toned, cleaned.disc)
    report("enhancing", 80)
    scale = side / cleaned.crop.side
    final = enhance.resize(enhance.sharpen(toned, 1.0), side)
    opacity = output.alpha(side, cleaned.disc.scaled(scale))
    if options.occlusion == "transparent":
        opacity = output.cut(opacity, ~cleaned.hidden)
    report("enhancing", 85)
    outcome = result_quality.Outcome(
        repainted=cleaned.repainted,
        completed=cleaned.completed,
        occlusion=options.occlusion,
        side=side,
        requested=options.output_size,
        enlargement=scale,
        level_in=exposure.level_in,
        level_out=exposure.level_out,
        noise=tone.grain(toned, visible_ring),
        unbacked=seg.unbacked,
        framing=measures.iris_share,
    )
    # The mask is where the print shows the photo's own iris: the ring less what was filled
    # (lids and lashes, if printed at all, and reflections). A veil or a rim's wash taken off
    # leaves the iris's own texture: it stays in.
    shown = output.place(rgb.shape[:2], cleaned.crop, visible_ring)
    debug = None
    if options.debug:
        debug = overlay.draw(
            rgb, seg, output.place(rgb.shape[:2], cleaned.crop, cleaned.highlights)
        )
    return PipelineResult(
        image=output.encode(final, opacity, options.output_format),
        format=options.output_format,
        mask=output.encode_mask(shown),
        width=side,
        height=side,
        quality_score=result_quality.score(outcome),
        measures={
            **measures.as_dict(),
            **outcome.as_dict(),
            "iris_x": round(seg.iris.x, 2),
            "iris_y": round(seg.iris.y, 2),
            "source_" + seg.source: 1.0,
        },
        quality_notes=result_quality.notes(outcome),
        warnings=result_quality.warnings(outcome),
        debug_overlay=debug,
    )
