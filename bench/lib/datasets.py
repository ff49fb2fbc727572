"""The real eye sets under $IRISD_DATA (default ../shared/data): one reader for benches and tests.

Research data outside the repository (MMU has no licence, MOBIUS is research-only): read
here to measure, never copied into the repository, never trained on for shipped weights.

    mmu-kozlova/     manifest.csv, images/*.bmp, masks/*_mask.bmp (white: visible iris;
                     no pupil label)
    mobius-samples/  manifest.csv, images/*.jpg, masks/*.png (pure green: iris, pure blue:
                     pupil)

Reference circles are *derived* from the masks (`derived_circle`, `derived_pupil`): no set
annotates circles. `iou` compares a predicted mask with the truth. Benches and tests alike
import it as `bench.lib.datasets`.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from irisd.pipeline.geometry import Circle, area_circle, fit_circle

REPO = Path(__file__).resolve().parents[2]
# MMU persons (see `mmu_person`): 1-30 calibrate, 31-45 test.
MMU_CALIBRATION_PERSONS = range(1, 31)
MMU_TEST_PERSONS = range(31, 46)


@dataclass
class Item:
    """One photo with ground truth."""

    name: str
    image: Path
    iris: np.ndarray  # (H, W) bool GT visible iris
    pupil: np.ndarray | None = None  # (H, W) bool GT pupil, where the set labels it


def data_root() -> Path:
    """$IRISD_DATA, else ../shared/data beside the repository (it may not exist)."""
    return Path(os.environ.get("IRISD_DATA") or REPO.parent / "shared" / "data")


def require_root() -> Path:
    """`data_root()`, or exit saying where it looked (for bench scripts)."""
    root = data_root()
    if not root.is_dir():
        raise SystemExit(f"no data at {root} (set IRISD_DATA)")
    return root


def read_rgb(path: Path) -> np.ndarray:
    """An image file as (H, W, 3) uint8 RGB (the sets' photos and colour masks)."""
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise FileNotFoundError(path)
    rgb: np.ndarray = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    return rgb


def mmu_iris(mask: Path) -> np.ndarray:
    """(H, W) bool visible iris of an MMU mask (white)."""
    return np.asarray(read_rgb(mask)[..., 0] > 127)


def mobius_labels(mask: Path) -> tuple[np.ndarray, np.ndarray]:
    """(iris, pupil) (H, W) bool of a MOBIUS mask (pure green, pure blue)."""
    r, g, b = np.moveaxis(read_rgb(mask) > 127, 2, 0)
    return g & ~r & ~b, b & ~r & ~g


def gt_iris(mask: Path) -> np.ndarray:
    """(H, W) bool visible iris of either set's mask (MMU .bmp, MOBIUS .png)."""
    return mmu_iris(mask) if mask.suffix == ".bmp" else mobius_labels(mask)[0]


def mmu_person(folder: int) -> int:
    """MMU image folder → person 1-45 (MMU has no folder 4; see mmu-kozlova/SOURCE.md)."""
    return folder if folder <= 3 else folder - 1


def _manifest(base: Path) -> list[dict[str, str]]:
    with (base / "manifest.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def mmu_pairs(root: Path, persons: range) -> list[tuple[Path, Path]]:
    """(image, mask) paths of the MMU images of `persons`, in manifest order."""
    base = root / "mmu-kozlova"
    return [
        (base / row["image"], base / row["mask"])
        for row in _manifest(base)
        if mmu_person(int(row["mmu_folder"])) in persons
    ]


def mmu_items(root: Path, split: str) -> list[Item]:
    """MMU `split` "test" (folders 31-45) or "calibration" (folders 1-30), in manifest order.

    Split by MMU *folder*, not person (`mmu_pairs`), as every bench result so far was.
    """
    base = root / "mmu-kozlova"
    keep = range(31, 46) if split == "test" else range(1, 31)
    return [
        Item(row["image"], base / row["image"], mmu_iris(base / row["mask"]))
        for row in _manifest(base)
        if int(row["mmu_folder"]) in keep
    ]


def mobius_items(root: Path) -> list[Item]:
    """The MOBIUS samples (6 photos, iris and pupil labelled), in manifest order."""
    base = root / "mobius-samples"
    out = []
    for row in _manifest(base):
        iris, pupil = mobius_labels(base / row["mask"])
        out.append(Item(row["image"], base / row["image"], iris, pupil))
    return out


def iou(pred: np.ndarray, truth: np.ndarray) -> float:
    """Intersection over union of two (H, W) bool masks; 1.0 when both are empty."""
    union = int(np.count_nonzero(pred | truth))
    return 1.0 if union == 0 else int(np.count_nonzero(pred & truth)) / union


def hull_arcs(iris: np.ndarray, half_width_deg: float, on_mask: bool = False) -> np.ndarray | None:
    """(N, 2) x/y points of the convex hull of a visible-iris mask on its lateral arcs.

    The hull closes the pupil and the C-shapes left by lids; within `half_width_deg` of the
    horizontal on either side, lids rarely cut. With `on_mask`, hull points more than a pixel
    from the mask (the chords where a lid does cut) are dropped too. None when the mask is
    (nearly) empty.
    """
    points = cv2.findNonZero(iris.astype(np.uint8))
    if points is None or len(points) < 10:
        return None
    hull = np.zeros(iris.shape, np.uint8)
    cv2.fillConvexPoly(hull, cv2.convexHull(points), 1)
    contours, _ = cv2.findContours(hull, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    outline = max(contours, key=cv2.contourArea).reshape(-1, 2).astype(np.float64)
    moments = cv2.moments(hull, binaryImage=True)
    cx, cy = moments["m10"] / moments["m00"], moments["m01"] / moments["m00"]
    angle = np.degrees(np.arctan2(outline[:, 1] - cy, outline[:, 0] - cx))
    lateral = (np.abs(angle) < half_width_deg) | (np.abs(angle) > 180 - half_width_deg)
    if on_mask:
        near = cv2.dilate(iris.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        lateral &= near[outline[:, 1].astype(int), outline[:, 0].astype(int)]
    return outline[lateral] if lateral.sum() > 10 else outline


def derived_circle(iris: np.ndarray) -> Circle | None:
    """GT iris circle derived from a visible-iris mask ("derived", not annotated): least
    squares on the hull's lateral arcs."""
    arcs = hull_arcs(iris, 30)
    return None if arcs is None else fit_circle(arcs)


def derived_pupil(pupil: np.ndarray) -> Circle | None:
    """GT pupil circle from a pupil label: centroid and equal-area radius."""
    return area_circle(pupil) if np.count_nonzero(pupil) >= 10 else None
