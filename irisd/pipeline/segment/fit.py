"""What the network's map says: its iris and pupil circles, and how an outline sits on it.

`fit` fits circles to the U-Net's probabilities (`unet.Segmenter.predict`); `edge_contact`,
`beyond` and `unbacked` measure an outline against the map for the gate and the grading.
"""

from __future__ import annotations

import cv2
import numpy as np

from irisd.pipeline.geometry import Circle, area_circle, disk, fit_circle

NO_IRIS = 0.1  # P(iris) below which the network sees no iris at a pixel (`unbacked`)


def fit(probs: np.ndarray) -> tuple[Circle, Circle, float] | None:
    """Iris and pupil circles (input pixels) and confidence from (H, W, 3) probabilities."""
    labels = np.argmax(probs, axis=2)
    eye = _largest(labels > 0)
    if eye is None or eye.sum() < 50:
        return None
    pupil_region = _largest((labels == 2) & eye)
    if pupil_region is None:
        return None
    iris = _lateral_circle(eye)
    pupil = area_circle(pupil_region)
    confidence = float(probs.max(axis=2)[eye].mean())
    if iris is None:
        return None
    return iris, pupil, confidence


def edge_contact(iris_prob: np.ndarray, radius: float) -> float:
    """How much of the frame's edge the network's iris (its largest region) lies on, as a
    share of the iris circumference (`radius` in the same pixels): > 0 when the frame cuts
    the iris, which circle fits then underestimate."""
    region = _largest(iris_prob > 0.5)
    if region is None:
        return 0.0
    border = int(region.sum()) - int(region[1:-1, 1:-1].sum())
    return border / (2 * np.pi * max(radius, 1.0))


def beyond(iris_prob: np.ndarray, iris: Circle) -> float:
    """The share of the network's visible iris (its map, `iris` in the same pixels) that
    lies outside the outline: > 0 when the outline leaves out iris the network sees. Only
    the regions the outline touches count (another eye in the photo is not this one)."""
    inside = disk(iris_prob.shape, iris)
    count, labels = cv2.connectedComponents((iris_prob > 0.5).astype(np.uint8))
    touched = np.zeros(count, bool)
    touched[np.unique(labels[inside])] = True
    touched[0] = False
    seen = touched[labels]
    total = int(seen.sum())
    return float((seen & ~inside).sum()) / total if total else 0.0


def unbacked(iris_prob: np.ndarray, visible: np.ndarray) -> float:
    """The share of a visible-iris mask (`visible`, (H, W) bool at any resolution) where the
    network's map (`iris_prob`, the working copy) sees no iris at all: > 0 when the outline
    took in skin, shadow or sclera that the network tells apart from the iris."""
    h, w = iris_prob.shape
    small = cv2.resize(visible.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA) >= 0.5
    total = int(small.sum())
    return float((small & (iris_prob < NO_IRIS)).sum()) / total if total else 0.0


def _largest(mask: np.ndarray) -> np.ndarray | None:
    """The largest 8-connected component of a bool mask, or None when empty."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        mask.astype(np.uint8), connectivity=8
    )
    if count < 2:
        return None
    index = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return np.asarray(labels == index)


def _lateral_circle(region: np.ndarray) -> Circle | None:
    """Circle through the region's outer contour on its lateral arcs (lids cut top/bottom)."""
    contours, _ = cv2.findContours(
        region.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE
    )
    points = max(contours, key=cv2.contourArea).reshape(-1, 2).astype(np.float64)
    centre = points.mean(axis=0)
    angle = np.degrees(np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0]))
    lateral = (np.abs(angle) < 50) | (np.abs(angle) > 130)
    return fit_circle(points[lateral] if lateral.sum() >= 8 else points)
