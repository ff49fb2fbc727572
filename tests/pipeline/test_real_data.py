"""Boundaries on real photos with ground truth (research data; skipped when absent).

The data lives outside the repository ($IRISD_DATA, default ../shared/data) and is never
copied into it; bench/datasets.py reads it. Reference circles are derived from the GT masks
(`datasets.derived_circle`, as the benches score them).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bench.datasets import data_root, derived_circle, gt_iris
from irisd.errors import QualityIssue
from irisd.pipeline import PipelineOptions, process, quality
from irisd.pipeline.decode import decode
from irisd.pipeline.geometry import Circle
from irisd.pipeline.segment import segment

ROOT = data_root()

# (set, image, GT mask): MMU test persons and one MOBIUS photo whose derived circle is reliable.
CASES = [
    ("mmu-kozlova", "images/34_left_sitil4.bmp", "masks/34_left_sitil4_mask.bmp"),
    ("mmu-kozlova", "images/38_left_tickl1.bmp", "masks/38_left_tickl1_mask.bmp"),
    ("mmu-kozlova", "images/41_right_vimalar1.bmp", "masks/41_right_vimalar1_mask.bmp"),
    ("mmu-kozlova", "images/44_left_yannl4.bmp", "masks/44_left_yannl4_mask.bmp"),
    ("mobius-samples", "images/1_1i_Ls_1.jpg", "masks/1_1i_Ls_1.png"),
]


def derived(iris: np.ndarray) -> Circle:
    circle = derived_circle(iris)
    assert circle is not None
    return circle


@pytest.mark.parametrize("use_learned", [False, True], ids=["classical", "combined"])
@pytest.mark.parametrize(("dataset", "image", "mask"), CASES, ids=[c[1] for c in CASES])
def test_boundaries_match_ground_truth(
    dataset: str, image: str, mask: str, use_learned: bool
) -> None:
    base = ROOT / dataset
    if not (base / image).is_file():
        pytest.skip(f"research data not found at {base} (set IRISD_DATA)")
    rgb = decode((base / image).read_bytes(), 100_000_000)
    seg = segment(rgb, use_learned=use_learned)
    assert seg is not None
    truth = gt_iris(base / mask)
    iou = (seg.mask & truth).sum() / (seg.mask | truth).sum()
    reference = derived(truth)
    assert iou >= 0.7
    assert seg.iris.distance(reference) <= 0.08 * reference.r
    assert abs(seg.iris.r - reference.r) <= 0.08 * reference.r


def test_an_iris_cut_by_the_frame_is_refused_as_cut_off() -> None:
    # Half an MMU eye: circles fitted to what is left come out too small and entirely inside
    # the frame, so only the network's iris running into the edge shows the cut.
    base = ROOT / "mmu-kozlova"
    image, mask = CASES[0][1:]
    if not (base / image).is_file():
        pytest.skip(f"research data not found at {base} (set IRISD_DATA)")
    rgb = decode((base / image).read_bytes(), 100_000_000)
    iris = derived(gt_iris(base / mask))
    cut = np.ascontiguousarray(rgb[:, int(iris.x - 0.5 * iris.r) :])
    ok, png = cv2.imencode(".png", cut[:, :, ::-1])
    assert ok
    with pytest.raises(QualityIssue) as refused:
        process(png.tobytes(), lambda step, progress: None, PipelineOptions())
    assert refused.value.text == quality.CUT_OFF
    assert refused.value.context["edge_contact"] > quality.MAX_EDGE_CONTACT


def test_a_disagreement_goes_to_the_stronger_evidence() -> None:
    # The paths disagree here (MMU 36_left_tanwnl1): the classical circle's disk covers
    # under half of the network's eye, the network's circle has its own limbus edge. It was
    # refused as "couldn't outline"; the network's circle is the one to keep.
    base = ROOT / "mmu-kozlova"
    image, mask = "images/36_left_tanwnl1.bmp", "masks/36_left_tanwnl1_mask.bmp"
    if not (base / image).is_file():
        pytest.skip(f"research data not found at {base} (set IRISD_DATA)")
    seg = segment(decode((base / image).read_bytes(), 100_000_000), use_learned=True)
    assert seg is not None
    assert seg.source == "edge_backed"
    truth = gt_iris(base / mask)
    assert (seg.mask & truth).sum() / (seg.mask | truth).sum() >= 0.7
