"""Quality measures in the spirit of ISO/IEC 29794-6 (no learned weights) and the gate.

Thresholds were calibrated on MMU persons 1-30 and the MOBIUS samples so that their good
photos pass (see bench/segmentation.py); each failure raises QualityIssue naming the cause.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from irisd.errors import QualityIssue
from irisd.pipeline import gaze
from irisd.pipeline.geometry import Circle, gray
from irisd.pipeline.learned import MAX_CONCENTRICITY, UNSURE
from irisd.pipeline.segment import Segmentation

NOT_FOUND = "We couldn't find an iris in this photo."
TOO_DARK = "This photo is too dark. Take it in brighter light, without covering the lens."
TOO_BRIGHT = "This photo is overexposed. Avoid direct light or turn off the flash."
TOO_SMALL = "Your iris is too small in this photo. Move the camera closer to your eye."
LOW_RESOLUTION = (
    "This photo's resolution is too low for an iris print. Send the original photo, not a"
    " thumbnail or screenshot, or take it at the camera's full resolution."
)
REFLECTIONS = (
    "Strong reflections cover your iris. Turn away from windows and lamps, or shade the eye."
)
LIDS = (
    "Your eyelids or lashes cover too much of your iris. Open your eye wider and look"
    " straight at the camera."
)
BLURRY = "This photo looks blurry. Hold the camera steady and tap to focus on your eye."
CLOSED = "Your eye looks closed or covered. Open your eye wide and look at the camera."
CUT_OFF = "Your iris is cut off at the edge of the photo. Centre your eye in the frame."

# Calibrated limits. In brackets: the smallest value among correctly segmented (IoU > 0.5)
# calibration photos (MMU persons 1-30: 116 of 116 / MOBIUS: 3 of 6).
MIN_MEAN_LEVEL = 30.0  # mean grey level of the whole photo, 0..255 [116 / 85]
MAX_CLIPPED = 0.5  # fraction of visible-iris pixels at >= 250 [0 / 0]
MIN_IRIS_RADIUS = 40.0  # px at full resolution [48.5 / 297]
# An iris this large a share of the photo's shorter side is close enough: when it is still
# too small in pixels, the photo itself is too small (a thumbnail), not taken too far away.
CLOSE_ENOUGH = 0.25
MIN_LIMBUS_CONTRAST = 10.0  # grey levels across the limbus [17.0 / 21.2]
# An iris darker than this (median grey level) has its steps smaller by as much: below the
# limbus contrast above but not below its share of it, the eye is there and the photo too
# dim to outline it (a light iris photographed with 1/16 of the light keeps a third of its
# limbus step, bench/dim_colour.py), and the person is told so rather than "no iris".
LIT_IRIS = 100.0
MIN_PUPIL_CONTRAST = 2.0  # across the pupil boundary, when one is seen [25.8 / 7.8]
MIN_SHARPNESS = 0.02  # see `sharpness_and_texture` [0.032 / 0.040]; a sigma-6 blurred eye: 0.009
# Below this most of the "iris" has no texture at all: a flat shape with a few edges, not an
# eye (text on a plain background gives 0.0; a sigma-6 blurred eye 0.0033) [0.026 / 0.031].
MIN_TEXTURE = 0.0015
MIN_USABLE = 0.35  # visible fraction of the pupil-limbus annulus [0.51 / 0.71]
MIN_INSIDE = 0.85  # fraction of the iris disk inside the frame [1.0 / 1.0]
# Frame edge under the network's iris, share of the circumference [0 / 0, and 0 on all 182
# photos]: any real cut. Circles fitted to a cut iris come out too small, so inside_fraction
# alone passed an MMU eye moved half out of the frame; and the art crop would miss a piece.
MAX_EDGE_CONTACT = 0.05
# An outline that leaves out this share of what the network sees as visible iris is in the
# wrong place (a circle on part of the iris, or pulled onto a lid). Accepted outlines of the
# real photos (MMU 1-45, MOBIUS): at most 0.12; of synthetic light irises, right (circle IoU
# at least 0.7): at most 0.13, wrong (IoU 0.44-0.66): 0.20-0.52 (bench/light_segmentation.py).
MAX_BEYOND = 0.2
SHARPNESS_RADIUS = 100.0  # the iris is resampled to this radius before measuring sharpness


@dataclass(frozen=True)
class Measures:
    """Per-photo quality measures; `as_dict` is what goes into PipelineResult.measures."""

    iris_radius_px: float
    pupil_radius_px: float
    usable_area: float
    sharpness: float
    texture: float
    limbus_contrast: float
    pupil_contrast: float
    pupil_iris_ratio: float
    concentricity: float
    inside_fraction: float
    margin: float
    mean_level: float
    iris_level: float
    clipped: float
    pupil_assumed: float  # 1.0 when the pupil was invisible and its hole assumed
    edge_contact: float  # see learned.edge_contact
    beyond: float  # see learned.beyond
    iris_share: float  # iris diameter over the photo's shorter side
    gaze: float  # sclera asymmetry around the outline (gaze.asymmetry): off straight ahead

    def as_dict(self) -> dict[str, float]:
        return {name: round(float(value), 4) for name, value in vars(self).items()}


def exposure_gate(rgb: np.ndarray) -> float:
    """Mean grey level of the photo; raises QualityIssue when it is far too dark."""
    step = _sample_step(rgb)
    level = float(gray(rgb[::step, ::step]).mean())
    if level < MIN_MEAN_LEVEL:
        raise QualityIssue(TOO_DARK, mean_level=level)
    return level


def sharpness_and_texture(rgb: np.ndarray, seg: Segmentation) -> tuple[float, float]:
    """High-frequency energy inside the visible iris relative to its brightness: its mean
    (sharpness, 0..~1) and its median (texture: near 0 where most of the "iris" is flat).

    The iris crop is resampled to a fixed radius first, so the values do not depend on the
    photo's resolution; the energy is |Laplacian of Gaussian| over the mean grey level.
    """
    iris = seg.iris
    x0, y0 = max(0, int(iris.x - iris.r)), max(0, int(iris.y - iris.r))
    x1 = min(rgb.shape[1], int(iris.x + iris.r) + 1)
    y1 = min(rgb.shape[0], int(iris.y + iris.r) + 1)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return 0.0, 0.0
    scale = SHARPNESS_RADIUS / max(iris.r, 1.0)
    size = (max(4, round((x1 - x0) * scale)), max(4, round((y1 - y0) * scale)))
    crop = cv2.resize(gray(rgb[y0:y1, x0:x1]), size, interpolation=cv2.INTER_AREA)
    mask = (
        np.asarray(
            cv2.resize(
                seg.mask[y0:y1, x0:x1].astype(np.uint8), size, interpolation=cv2.INTER_NEAREST
            )
        )
        > 0
    )
    mask = cv2.erode(mask.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    if mask.sum() < 50:
        return 0.0, 0.0
    smooth = cv2.GaussianBlur(crop, (0, 0), 1.0)
    response = np.abs(cv2.Laplacian(smooth, cv2.CV_32F, ksize=3))[mask]
    level = max(float(crop[mask].mean()), 10.0)
    return float(response.mean()) / level, float(np.median(response)) / level


def inside_fraction(shape: tuple[int, int], seg: Segmentation) -> float:
    """Fraction of the iris disk inside the frame (sampled on a 64x64 grid)."""
    iris = seg.iris
    grid = np.linspace(-1, 1, 64)
    xs, ys = np.meshgrid(iris.x + iris.r * grid, iris.y + iris.r * grid)
    inside_disk = np.hypot(xs - iris.x, ys - iris.y) <= iris.r
    in_frame = (xs >= 0) & (xs < shape[1]) & (ys >= 0) & (ys < shape[0])
    return float((inside_disk & in_frame).sum() / max(1, inside_disk.sum()))


def gaze_asymmetry(rgb: np.ndarray, iris: Circle) -> float:
    """`gaze.asymmetry` around `iris`, on a copy of about 0.25 MP (the sides are wide)."""
    step = _sample_step(rgb)
    return gaze.asymmetry(gray(rgb[::step, ::step]), iris.scaled(1 / step))


def _sample_step(rgb: np.ndarray) -> int:
    """The pixel step that leaves about 0.25 MP of a photo: enough for its broad levels."""
    return max(1, int(np.sqrt(rgb.shape[0] * rgb.shape[1] / 250_000)))


def measure(rgb: np.ndarray, seg: Segmentation, mean_level: float) -> Measures:
    """All measures of one segmented photo."""
    iris, pupil = seg.iris, seg.pupil
    h, w = rgb.shape[:2]
    annulus = max(1.0, np.pi * (iris.r**2 - pupil.r**2))
    x0, y0 = max(0, int(iris.x - iris.r)), max(0, int(iris.y - iris.r))
    x1, y1 = min(w, int(iris.x + iris.r) + 2), min(h, int(iris.y + iris.r) + 2)
    visible = seg.mask[y0:y1, x0:x1]  # the mask is empty outside the iris box
    pixels = rgb[y0:y1, x0:x1][visible]
    levels = gray(pixels[None, :, :])[0] if len(pixels) else np.zeros(1, np.float32)
    margin = min(iris.x, iris.y, w - iris.x, h - iris.y) / iris.r - 1.0
    sharp, texture = sharpness_and_texture(rgb, seg)
    return Measures(
        iris_radius_px=iris.r,
        pupil_radius_px=pupil.r,
        usable_area=min(1.0, float(visible.sum()) / annulus),
        sharpness=sharp,
        texture=texture,
        limbus_contrast=seg.limbus_contrast,
        pupil_contrast=seg.pupil_contrast,
        pupil_iris_ratio=pupil.r / iris.r,
        concentricity=iris.distance(pupil) / iris.r,
        inside_fraction=inside_fraction((h, w), seg),
        margin=margin,
        mean_level=mean_level,
        iris_level=float(np.median(levels)),
        clipped=float((levels >= 250).mean()),
        pupil_assumed=0.0 if seg.pupil_seen else 1.0,
        edge_contact=seg.edge_contact,
        beyond=seg.beyond,
        iris_share=2 * iris.r / max(1, min(h, w)),
        gaze=gaze_asymmetry(rgb, iris),
    )


def gate(m: Measures) -> None:
    """Raise QualityIssue with the first failing cause, most fundamental first."""
    checks = (
        (
            m.limbus_contrast < MIN_LIMBUS_CONTRAST * min(1.0, m.iris_level / LIT_IRIS)
            or (m.pupil_contrast < MIN_PUPIL_CONTRAST and not m.pupil_assumed)
            or m.texture < MIN_TEXTURE,
            NOT_FOUND,
        ),
        (m.limbus_contrast < MIN_LIMBUS_CONTRAST, TOO_DARK),
        (m.inside_fraction < MIN_INSIDE or m.edge_contact > MAX_EDGE_CONTACT, CUT_OFF),
        # after CUT_OFF: a cut iris is off centre too, and "cut off" says what to do; an
        # outline that fails on an eye looking sideways says to look at the camera
        (m.concentricity > MAX_CONCENTRICITY or m.beyond > MAX_BEYOND, _unsure(m)),
        (m.iris_radius_px < MIN_IRIS_RADIUS, _too_small(m)),
        (m.clipped > MAX_CLIPPED, TOO_BRIGHT),
        (m.sharpness < MIN_SHARPNESS, BLURRY),
        (m.usable_area < MIN_USABLE, CLOSED),
    )
    for failed, message in checks:
        if failed:
            raise QualityIssue(message, **m.as_dict())


def _unsure(m: Measures) -> str:
    return gaze.GAZE if gaze.turned(m.gaze) else UNSURE


def _too_small(m: Measures) -> str:
    """Resolution or distance: an iris that fills the frame was not taken too far away."""
    return LOW_RESOLUTION if m.iris_share >= CLOSE_ENOUGH else TOO_SMALL


def score(m: Measures) -> float:
    """Overall quality 0..1: the mean of per-measure utilities, each saturating at 'good'."""
    parts = (
        _ramp(m.iris_radius_px, MIN_IRIS_RADIUS, 120.0),
        _ramp(m.usable_area, MIN_USABLE, 0.85),
        _ramp(m.sharpness, MIN_SHARPNESS, 0.12),
        _ramp(m.limbus_contrast, MIN_LIMBUS_CONTRAST, 40.0),
        _ramp(m.pupil_contrast, MIN_PUPIL_CONTRAST, 30.0),
        1.0 - _ramp(m.concentricity, 0.05, 0.3),
        _ramp(m.inside_fraction, MIN_INSIDE, 1.0),
        1.0 - _ramp(m.clipped, 0.01, MAX_CLIPPED),
    )
    return round(float(np.clip(np.mean(parts), 0.0, 1.0)), 4)


def _ramp(value: float, low: float, high: float) -> float:
    """0 at `low`, 1 at `high`, linear in between."""
    return float(np.clip((value - low) / (high - low), 0.0, 1.0))
