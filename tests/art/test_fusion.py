"""irisd.art.fusion.fuse on real prints (colour-dev through the pipeline): each source shows in
its own sector, no seam where they meet, a clean round black pupil, a disc like a print."""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np
import pytest

from bench.lib.blend_scores import border_step, own_texture, seam_ratio, sector_middle
from irisd.art.fusion import BLEND_MODES, BlendMode, Frame, fuse
from irisd.art.print_disc import PrintCount, disc_of
from tests.art.blend_prints import SIDE, real_prints

SIZE = SIDE  # fused at the prints' own size: nothing resampled more than it must be
COUNTS = (2, 3, 4)
REACH, STRIP = 0.02 * SIZE, 0.02 * SIZE  # px from a border, px wide: past the cross-fade


@cache
def fused(count: int, mode: BlendMode) -> np.ndarray:
    return fuse(real_prints()[:count], mode, SIZE)


@cache
def registered(count: int) -> tuple[Frame, list[np.ndarray]]:
    """The frame a fusion of `count` prints uses, and each print registered on it."""
    prints = real_prints()[:count]
    discs = [disc_of(image) for image in prints]
    frame = Frame.of(SIZE, discs)
    return frame, [frame.warp(image, disc) for image, disc in zip(prints, discs, strict=True)]


def hard_cut(count: int) -> np.ndarray:
    """The same registered prints cut at the sector borders with no blending: the seam the
    measures must see."""
    frame, sources = registered(count)
    weights = frame.sector_weights(count, feather_px=0.5)
    return np.asarray(sum(s * w[:, :, None] for s, w in zip(sources, weights, strict=True)))


@pytest.mark.parametrize("mode", BLEND_MODES)
@pytest.mark.parametrize("count", COUNTS)
def test_each_print_shows_its_own_texture_in_its_own_sector(count: int, mode: BlendMode) -> None:
    frame, sources = registered(count)
    out = fused(count, mode)
    for k in range(count):
        middle = sector_middle(frame, count, k)
        assert own_texture(out, sources[k], middle) > 0.9, f"print {k} lost in its sector"
        for j in set(range(count)) - {k}:
            assert abs(own_texture(out, sources[j], middle)) < 0.1, f"print {j} in {k}'s sector"


@pytest.mark.parametrize("mode", BLEND_MODES)
@pytest.mark.parametrize("count", COUNTS)
def test_the_borders_are_no_busier_than_the_iris_itself(count: int, mode: BlendMode) -> None:
    frame, _ = registered(count)
    # The measure sees a seam: cut hard, the borders carry several times the iris's gradients.
    assert seam_ratio(hard_cut(count), frame, count) > 3.0
    assert seam_ratio(fused(count, mode), frame, count) <= 1.0


@pytest.mark.parametrize("count", COUNTS)
def test_poisson_matches_the_light_of_the_prints_where_they_meet(count: int) -> None:
    # Blue, green, grey and brown prints differ by 10-30 levels of luma, and not evenly: cut
    # hard, each border steps by about that, ring by ring. The solve makes the rings agree
    # where the sectors meet; what is left of the step is the two irises' own texture.
    frame, _ = registered(count)
    hard = border_step(hard_cut(count), frame, count, REACH, STRIP)
    assert border_step(fused(count, "poisson"), frame, count, REACH, STRIP) < 0.75 * hard


@pytest.mark.parametrize("mode", BLEND_MODES)
def test_the_pupil_is_black_round_and_centred(mode: BlendMode) -> None:
    frame, _ = registered(4)
    out = fused(4, mode)
    blacks = [disc_of(image).black for image in real_prints()]
    inside = frame.rho < 0.8 * frame.pupil_r
    assert out[inside, :3].max() <= max(max(b) for b in blacks) + 1
    # Round and centred on the disc: dark all round just inside its edge, iris all round
    # just outside it (a dark crypt at the pupil's edge may reach past it, as in a print).
    dark = out[:, :, :3].max(axis=2) <= 40
    edge_in = (frame.rho > 0.85 * frame.pupil_r) & (frame.rho < 0.92 * frame.pupil_r)
    edge_out = (frame.rho > 1.15 * frame.pupil_r) & (frame.rho < 1.25 * frame.pupil_r)
    assert dark[edge_in].all()
    assert dark[edge_out].mean() < 0.1


@pytest.mark.parametrize("mode", BLEND_MODES)
def test_the_result_is_a_disc_with_alpha_like_a_print(mode: BlendMode) -> None:
    frame, _ = registered(2)
    out = fused(2, mode)
    assert out.shape == (SIZE, SIZE, 4)
    assert out.dtype == np.uint8
    # (3 px: OpenCV draws an anti-aliased circle as a polygon, as it draws a print's.)
    assert (out[frame.rho > frame.iris.r + 3, 3] == 0).all()
    assert (out[frame.rho < frame.iris.r - 3, 3] == 255).all()


def test_a_lid_cut_out_of_one_print_changes_the_poisson_fusion_only_where_it_is() -> None:
    # A print made with occlusion = "transparent" has its lids cut out. Their black must not
    # enter the solve: it darkened the whole other half of the disc by 16 levels.
    prints = real_prints()[:2]
    cut = prints[0].copy()
    cut[:150] = 0  # the top lid, transparent
    with_lid = fuse([cut, prints[1]], "poisson", SIZE)
    without = fused(2, "poisson")
    assert (with_lid[:, :, 3] == 0).sum() > (without[:, :, 3] == 0).sum() + 10_000
    opaque = (with_lid[:, :, 3] == 255).astype(np.uint8)
    # a tenth of the side clear of the cut: the solve's smooth correction meets the new edge
    # within that (blue2's print: changes over 10 levels reach 70 px below the cut)
    away = cv2.erode(opaque, np.ones((2 * SIZE // 10 + 1,) * 2, np.uint8)) > 0
    change = np.abs(with_lid[:, :, :3].astype(int) - without[:, :, :3].astype(int)).max(axis=2)
    assert change[away].mean() < 3
    assert np.percentile(change[away], 99.9) <= 10


def test_fusing_leaves_the_prints_as_they_were_and_reports_progress_up_to_done() -> None:
    prints = real_prints()[:2]
    before = [image.copy() for image in prints]
    seen: list[float] = []
    out = fuse(prints, "poisson", 512, seen.append)
    assert out.shape == (512, 512, 4)
    assert all(np.array_equal(a, b) for a, b in zip(prints, before, strict=True))
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert len(seen) >= 3


@pytest.mark.parametrize("count", [0, 1, 5])
def test_fewer_than_two_or_more_than_four_prints_are_refused(count: int) -> None:
    image = np.zeros((64, 64, 4), np.uint8)
    with pytest.raises(PrintCount):
        fuse([image] * count, "poisson")
    assert issubclass(PrintCount, ValueError)


def test_an_unknown_blend_mode_is_refused() -> None:
    image = np.zeros((64, 64, 4), np.uint8)
    with pytest.raises(ValueError, match="blend mode"):
        fuse([image, image], "multiply")  # type: ignore[arg-type]
