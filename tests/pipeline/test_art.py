"""The art steps on drawn irises: texture-keeping fill, glare that spares light texture,
veils, white balance and exposure, resolution honesty, occlusion and the honest score."""

from __future__ import annotations

import dataclasses
import io
import math

import cv2
import numpy as np
import pytest
from PIL import Image

from bench.lib.pasted_reflections import from_linear, to_linear
from irisd.errors import QualityIssue
from irisd.options import PRINT_SIDE
from irisd.pipeline import (
    PipelineOptions,
    fill,
    gaze,
    input_quality,
    process,
    reflections,
    refusals,
    result_quality,
    tone,
)
from irisd.pipeline.fill import polar_fill
from irisd.pipeline.geometry import Circle, disk
from irisd.pipeline.segment import fit
from tests.pipeline.eyes import encode_png, light_iris, paste_glints, synthetic_eye

SIDE, IRIS_R, PUPIL_R = 400, 160.0, 50.0
CENTRE = (SIDE - 1) / 2
IRIS = Circle(CENTRE, CENTRE, IRIS_R)
PUPIL = Circle(CENTRE, CENTRE, PUPIL_R)


def ring() -> np.ndarray:
    return disk((SIDE, SIDE), IRIS) & ~disk((SIDE, SIDE), PUPIL)


def detail(grey: np.ndarray) -> np.ndarray:
    """Band-pass detail (what a print shows as texture)."""
    return cv2.GaussianBlur(grey, (0, 0), 0.8) - cv2.GaussianBlur(grey, (0, 0), 3.0)


def grey(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)


def test_polar_fill_keeps_texture_and_touches_nothing_else() -> None:
    clean = light_iris()
    holes = np.zeros((SIDE, SIDE), bool)
    cv2.circle(holes.view(np.uint8), (round(CENTRE + 100), round(CENTRE)), 18, 1, -1)
    cv2.rectangle(holes.view(np.uint8), (170, 60), (230, 95), 1, -1)
    holes &= ring()
    damaged = clean.copy()
    damaged[holes] = 255
    filled = polar_fill(damaged, holes, IRIS, PUPIL)
    band = cv2.dilate(holes.view(np.uint8), np.ones((7, 7), np.uint8)) > 0  # the fade
    assert np.array_equal(filled[~band], damaged[~band])
    around = (cv2.dilate(holes.view(np.uint8), np.ones((25, 25), np.uint8)) > 0) & ~holes & ring()
    texture = detail(grey(filled))
    energy = texture[holes].std() / texture[around].std()
    assert 0.8 <= energy <= 1.25  # texture, not a smooth smear, and not noisier
    assert abs(grey(filled)[holes].mean() - grey(clean)[holes].mean()) < 12


def test_bright_fibres_of_a_light_iris_are_not_glare() -> None:
    iris = light_iris()
    region = disk((SIDE, SIDE), IRIS)
    flagged = reflections.detect(iris, region, IRIS_R, PUPIL)
    assert (flagged & ring()).sum() / ring().sum() <= 0.02


def test_glints_on_a_light_iris_are_found_precisely() -> None:
    spots = [(CENTRE + 90, CENTRE - 40), (CENTRE - 70, CENTRE + 60), (CENTRE + 10, CENTRE + 110)]
    image, cores = paste_glints(light_iris(), spots, radius=8)
    found = reflections.detect(image, disk((SIDE, SIDE), IRIS), IRIS_R, PUPIL)
    assert (found & cores).sum() / cores.sum() >= 0.95
    changed = np.abs(image.astype(int) - light_iris().astype(int)).max(axis=2) > 10
    assert (found & changed).sum() / found.sum() >= 0.65  # little else touched (the glow's rim)


def test_a_large_glint_is_found_whole() -> None:
    # A glint as wide as a third of the background window lifts its own median background.
    spot = (CENTRE + 95, CENTRE + 10)
    image, core = paste_glints(light_iris(), [spot], radius=0.18 * IRIS_R)
    found = reflections.detect(image, disk((SIDE, SIDE), IRIS), IRIS_R, PUPIL)
    assert (found & core).sum() / core.sum() >= 0.95
    changed = np.abs(image.astype(int) - light_iris().astype(int)).max(axis=2) > 10
    assert (found & changed).sum() / found.sum() >= 0.65


def test_pale_flecks_of_a_window_on_a_dark_iris_are_found_and_nothing_else() -> None:
    # A dark brown iris (L* ~15) with the small near-grey flecks a window leaves in a dim
    # photo: twice the iris's light, not the 2.5 times a glint on a dark iris makes.
    texture = grey(light_iris()) / 160.0
    dark = np.clip(texture[..., None] * np.array([40.0, 28.0, 18.0]), 0, 255).astype(np.uint8)
    flecks = np.zeros((SIDE, SIDE), bool)
    for x, y in (
        (CENTRE + 80, CENTRE - 60),
        (CENTRE - 90, CENTRE - 30),
        (CENTRE + 20, CENTRE + 95),
    ):
        flecks[round(y) - 5 : round(y) + 5, round(x) - 4 : round(x) + 4] = True
    image = dark.copy()
    image[flecks] = (70, 67, 64)
    region = disk((SIDE, SIDE), IRIS)
    found = reflections.detect(image, region, IRIS_R, PUPIL)
    assert (found & flecks).sum() / flecks.sum() >= 0.9
    assert (found & ~flecks).sum() / ring().sum() <= 0.01  # a rim of their fade at most
    assert (reflections.detect(dark, region, IRIS_R, PUPIL) & ring()).sum() == 0


def test_a_window_veil_is_lifted_off_not_painted_over() -> None:
    clean = light_iris().astype(np.float32) * 0.55  # a mid-brown-level iris
    pane = np.zeros((SIDE, SIDE), bool)
    pane[110:170, 230:300] = True
    veiled = clean.copy()
    veiled[pane] += 0.3 * (255 - veiled[pane])  # a faint, semi-transparent window
    image = np.clip(veiled + 0.5, 0, 255).astype(np.uint8)
    found = reflections.find(image, disk((SIDE, SIDE), IRIS), IRIS_R, PUPIL)
    assert ((found.veil > 0) & pane).sum() / pane.sum() >= 0.7
    # the texture shows through: next to nothing to repaint (where the pane crosses the
    # bright collarette the two together make a glint-like blob)
    assert (found.opaque & pane).sum() / pane.sum() < 0.1
    lifted = grey(found.remove_veil(image))
    original = grey(np.clip(clean + 0.5, 0, 255).astype(np.uint8))
    inner = cv2.erode(pane.view(np.uint8), np.ones((15, 15), np.uint8)) > 0
    assert abs(lifted[inner].mean() - original[inner].mean()) < 15
    assert detail(lifted)[inner].std() > 0.3 * detail(original)[inner].std()


def test_a_bluish_veil_is_lifted_off_in_its_own_colour_leaving_no_tint() -> None:
    # A ring light bluer than the daylight the photo is balanced to: taking the same grey
    # off every channel left a lavender haze on dark brown irises (colour-dev clinic photos).
    clean = light_iris().astype(np.float32) * np.array([0.5, 0.36, 0.28], np.float32)
    pane = np.zeros((SIDE, SIDE), bool)
    pane[110:170, 230:300] = True
    veiled = clean.copy()
    veiled[pane] += 0.3 * (np.array([190.0, 215.0, 255.0]) - veiled[pane])
    image = np.clip(veiled + 0.5, 0, 255).astype(np.uint8)
    found = reflections.find(image, disk((SIDE, SIDE), IRIS), IRIS_R, PUPIL)
    assert found.light[2] > found.light[0]  # the light is bluer than its least channel
    inner = cv2.erode(pane.view(np.uint8), np.ones((15, 15), np.uint8)) > 0
    lifted = found.remove_veil(image).astype(np.float32)[inner].mean(axis=0)
    original = clean[inner].mean(axis=0)
    tint = (lifted[2] - lifted[0]) - (original[2] - original[0])  # blue over red, added
    assert abs(tint) < 8
    neutral = dataclasses.replace(found, light=np.ones(3, np.float32))
    grey_lift = neutral.remove_veil(image).astype(np.float32)[inner].mean(axis=0)
    assert (grey_lift[2] - grey_lift[0]) - (original[2] - original[0]) > 2 * abs(tint) + 8


def test_white_balance_takes_the_sclera_as_white_as_far_as_the_iris_keeps_its_colour() -> None:
    ring = disk((480, 640), Circle(320, 240, 100)) & ~disk((480, 640), Circle(320, 240, 50))

    def iris_ab(rgb: np.ndarray) -> np.ndarray:
        return cv2.cvtColor(rgb.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)[ring][:, 1:].mean(0)

    for factors, neutral in (((1.02, 1.0, 0.95), True), ((1.05, 1.0, 0.8), False)):
        eye = synthetic_eye().astype(np.float32) * np.array(factors, np.float32)
        cast = np.clip(eye, 0, 255).astype(np.uint8)
        balance = tone.white_balance(cast, Circle(320, 240, 110))
        assert balance.source == "sclera"
        balanced = balance.apply(cast)
        before, after = (image[240, 320 + 180].astype(float) for image in (cast, balanced))
        assert np.ptp(after) < (8 if neutral else 0.8 * np.ptp(before))  # towards white
        # the iris's colour moves by at most HUE_HOLD of its chroma (about 5 degrees of hue)
        shift = np.hypot(*(iris_ab(balanced) - iris_ab(cast)))
        assert shift <= tone.HUE_HOLD * np.hypot(*iris_ab(cast)) + 0.2


def test_dark_iris_is_lifted_to_a_printable_level_with_its_hue() -> None:
    dark = (synthetic_eye().astype(np.float32) * 0.12).astype(np.uint8)
    crop_ring = disk(dark.shape[:2], Circle(320, 240, 100)) & ~disk(
        dark.shape[:2], Circle(320, 240, 50)
    )
    lifted, exposure = tone.expose(dark, crop_ring)
    assert exposure.level_in < 15
    lab = cv2.cvtColor(lifted.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)[crop_ring]
    assert np.median(lab[:, 0]) >= 30
    before = cv2.cvtColor(dark.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)[crop_ring]
    hue = [math.degrees(math.atan2(np.median(v[:, 2]), np.median(v[:, 1]))) for v in (before, lab)]
    assert abs(hue[0] - hue[1]) < 10
    assert (lifted[crop_ring] >= 254).mean() < 0.01


def test_a_dark_iris_in_a_well_lit_photo_is_printed_as_the_dark_iris_it_is() -> None:
    # The sclera says how the photo was exposed: lit to WHITE_L, the iris is as dark as the
    # eye's; a dim sclera asks for the lift, as far as lighting it would take the iris.
    dark = (synthetic_eye().astype(np.float32) * 0.3).astype(np.uint8)
    ring = disk(dark.shape[:2], Circle(320, 240, 100)) & ~disk(dark.shape[:2], Circle(320, 240, 50))
    lit, kept = tone.expose(dark, ring, white=tone.WHITE_L)
    assert kept.level_out == kept.level_in < tone.TARGET_L - 5
    assert np.array_equal(lit, dark)
    _, dim = tone.expose(dark, ring, white=tone.WHITE_L - 25)
    _, unknown = tone.expose(dark, ring)
    assert (
        kept.level_in + 3 < dim.level_out < unknown.level_out == pytest.approx(tone.TARGET_L, abs=1)
    )


def test_the_pupil_stays_dark_when_a_dark_iris_is_lifted() -> None:
    dark = (synthetic_eye().astype(np.float32) * 0.12).astype(np.uint8)
    shape = dark.shape[:2]
    pupil = disk(shape, Circle(320, 240, 50))
    crop_ring = disk(shape, Circle(320, 240, 100)) & ~pupil
    lifted, _ = tone.expose(dark, crop_ring, pupil)
    lab_in, lab_out = (
        cv2.cvtColor(image.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)[..., 0]
        for image in (dark, lifted)
    )
    deep = disk(shape, Circle(320, 240, 40))
    assert np.abs(lab_out[deep] - lab_in[deep]).max() < 1.5  # denoised, not lifted
    assert np.median(lab_out[crop_ring]) >= 30


def test_a_wide_hole_is_filled_with_texture_not_flat_rows() -> None:
    # A lid over a third of the circle, with two more holes where one copy from beside it
    # (and one twice as far) would land: what no copy reached used to be a flat row median.
    clean = light_iris()
    ys, xs = np.mgrid[0:SIDE, 0:SIDE]
    angle = np.degrees(np.arctan2(ys - CENTRE, xs - CENTRE))
    spans = ((-150, -30), (2, 62), (118, 178))
    holes = ring() & np.logical_or.reduce([(angle > a) & (angle < b) for a, b in spans])
    damaged = clean.copy()
    damaged[holes] = 40
    filled = polar_fill(damaged, holes, IRIS, PUPIL)
    shown = ring() & ~(cv2.dilate(holes.view(np.uint8), np.ones((9, 9), np.uint8)) > 0)
    inner = cv2.erode(holes.view(np.uint8), np.ones((9, 9), np.uint8)) > 0

    def energy(image: np.ndarray) -> tuple[float, float]:
        """Texture in the holes against the rest, and the share of the holes left flat."""
        texture = detail(grey(image))
        local = cv2.blur(texture * texture, (7, 7)) ** 0.5
        return texture[inner].std() / texture[shown].std(), float((local[inner] < 2).mean())

    (result, flat), (own, own_flat) = energy(filled), energy(clean)
    assert 0.85 <= result / own <= 1.2
    assert flat <= own_flat + 0.02
    assert abs(grey(filled)[inner].mean() - grey(clean)[inner].mean()) < 15


def test_a_slice_fades_into_the_slice_filled_before_it() -> None:
    # A lid-sized hole is filled in slices; two copies from different places meet with a
    # step along a radius unless the later one fades into the earlier across a band.
    block = np.zeros((10, 60, 1), np.float32)  # columns 0-29 filled before (0), hole 30-59
    hole = np.zeros((10, 60), bool)
    hole[:, 30:] = True
    earlier = ~hole
    copied = np.full(block.shape, 100.0, np.float32)
    fill._fade_into(block, copied, hole, earlier, width=30)
    block[hole] = copied[hole]
    steps = np.abs(np.diff(block[..., 0], axis=1))
    assert steps.max() <= 100 / (fill.BLEND * 30) + 1e-3  # a ramp, not a step of 100
    assert (block[:, : 30 - math.ceil(fill.BLEND * 30)] == 0).all()  # nothing further back


def test_small_holes_are_filled_before_a_large_one_copies_from_beside_them() -> None:
    # A lid-sized hole copies texture from beside it. Glints there, still unfilled, would
    # block the copy (cells no copy reaches take the row's flat median); filled first from
    # their own surroundings, they pass it texture.
    rng = np.random.default_rng(3)
    sheet = rng.normal(128, 20, (40, 400, 1)).astype(np.float32)
    missing = np.zeros((40, 400), bool)
    missing[5:30, 200:225] = True  # the large hole: copies from 25 + GAP columns away
    shift = 25 + fill.GAP
    for start in (205 - shift, 205 + shift, 205 - 2 * shift, 205 + 2 * shift):
        missing[12:22, start : start + 6] = True  # glints where those copies (and 2x) land
    filled = fill.fill_sheet(sheet, missing, np.ones_like(missing))
    behind = filled[12:22, 205:209, 0]  # its cells whose every source holds a glint
    assert behind.std() > 0.5 * 20


def test_a_small_iris_is_never_enlarged_more_than_twice() -> None:
    options = PipelineOptions(output_size=2048, use_learned=False)
    result = process(encode_png(synthetic_eye(iris_r=60)), lambda step, progress: None, options)
    crop_side = 2 * math.ceil(60 * 1.06)
    assert result.width == result.height <= 2 * crop_side + 4
    assert result.width < PRINT_SIDE
    assert any("too small to print" in note for note in result.quality_notes)
    assert result.measures["result_enlargement"] <= 2.0


def test_a_print_sized_result_smaller_than_asked_carries_no_note_on_its_size() -> None:
    limited = result_quality.Outcome(0.0, 0.0, "fill", PRINT_SIDE + 200, 2048, 2.0, 45.0, 45.0, 0.5)
    assert result_quality.notes(limited) == ()
    small = dataclasses.replace(limited, side=PRINT_SIDE - 100)
    assert len(result_quality.notes(small)) == 1
    assert result_quality.notes(dataclasses.replace(small, requested=small.side)) == ()  # as asked


def test_a_thumbnail_is_refused_for_resolution_not_distance() -> None:
    thumbnail = cv2.resize(synthetic_eye(), (80, 60), interpolation=cv2.INTER_AREA)
    with pytest.raises(QualityIssue) as info:
        process(encode_png(thumbnail), lambda step, progress: None, PipelineOptions())
    assert info.value.text in (refusals.LOW_RESOLUTION, refusals.NOT_FOUND)
    far = synthetic_eye(width=320, height=240, iris_r=20)
    with pytest.raises(QualityIssue) as info:
        process(encode_png(far), lambda s, p: None, PipelineOptions(use_learned=False))
    assert info.value.text == refusals.TOO_SMALL


def lidded_eye() -> np.ndarray:
    """The synthetic eye with its upper lid (skin colour) over the top quarter of the iris."""
    eye = synthetic_eye()
    eye[:158] = (196, 150, 128)
    return eye


@pytest.mark.parametrize("occlusion", ["fill", "transparent"])
def test_lids_are_never_printed(occlusion: str) -> None:
    options = PipelineOptions(output_size=256, use_learned=False, occlusion=occlusion)  # type: ignore[arg-type]
    result = process(encode_png(lidded_eye()), lambda step, progress: None, options)
    image = np.asarray(Image.open(io.BytesIO(result.image)))
    scale = 256 / (2 * math.ceil(110 * 1.06))
    lid = image[round(128 - 100 * scale), 128]  # under the lid, inside the iris circle
    iris = image[round(128 + 80 * scale), 128]  # the open iris below the pupil
    if occlusion == "transparent":
        assert lid[3] == 0
    else:
        assert lid[3] == 255
        assert np.abs(lid[:3].astype(int) - iris[:3].astype(int)).max() < 60  # iris, not skin
        assert abs(int(lid[0]) - int(lid[2])) < 40  # skin is red-orange; this iris is not
    assert result.measures["result_completed"] > 0.05
    assert any("lids" in note.lower() for note in result.quality_notes)


def test_too_much_made_up_is_refused_with_its_cause() -> None:
    with pytest.raises(QualityIssue) as info:
        result_quality.cover_gate(repainted=result_quality.MAX_REPAINTED + 0.01, completed=0.0)
    assert info.value.text == refusals.REFLECTIONS
    with pytest.raises(QualityIssue) as info:
        result_quality.cover_gate(repainted=0.0, completed=result_quality.MAX_COMPLETED + 0.01)
    assert info.value.text == refusals.LIDS


def test_what_was_made_up_is_said_as_information_not_as_a_flaw() -> None:
    clean = result_quality.Outcome(0.0, 0.0, "fill", 2048, 2048, 1.0, 45.0, 45.0, 0.5)
    repainted = result_quality.Outcome(0.1, 0.3, "fill", 2048, 2048, 1.0, 45.0, 45.0, 0.5)
    assert (result_quality.notes(clean), result_quality.warnings(clean)) == ((), ())
    assert len(result_quality.notes(repainted)) == 2
    assert result_quality.warnings(repainted) == ()  # filled and completed: routine, said, no doubt


@pytest.mark.parametrize(
    ("part", "weak", "middling"),
    [
        ("size", {"side": 300}, {"side": 600}),
        ("framing", {"framing": 0.22}, {"framing": 0.35}),
        ("light", {"level_in": 6.0}, {"level_in": 15.0}),
    ],
)
def test_a_weak_part_lowers_the_score_and_says_to_check_the_print(
    part: str, weak: dict[str, float], middling: dict[str, float]
) -> None:
    good = result_quality.Outcome(0.0, 0.0, "fill", 2048, 2048, 1.0, 45.0, 45.0, 0.5, framing=0.6)
    poor = dataclasses.replace(good, **weak)
    assert result_quality.score(good) == 1.0
    assert result_quality.score(poor) < result_quality.CHECK
    assert result_quality.warnings(poor) == (result_quality.DOUBTS[part],)
    assert (
        result_quality.notes(poor)[0] == result_quality.DOUBTS[part]
    )  # flaws first among the notes
    assert result_quality.DOUBTS[part].startswith("Check this print")
    # Halfway, the part costs score, without a doubt said about it.
    fair = dataclasses.replace(good, **middling)
    assert result_quality.score(poor) < result_quality.score(fair) < result_quality.score(good)
    assert result_quality.warnings(fair) == ()


def test_sideways_gaze_is_told_by_the_sclera_on_one_side() -> None:
    straight = cv2.cvtColor(synthetic_eye(), cv2.COLOR_RGB2GRAY)
    assert not gaze.sideways(straight, Circle(320, 240, 110))
    turned = straight.copy()
    turned[:, : 320 - 115] = 40  # the eye's shadowed corner on one side: no white there
    assert gaze.sideways(turned, Circle(320, 240, 110))


def test_a_light_amber_iris_as_light_as_the_sclera_is_outlined() -> None:
    # In the red-weighted grey, this amber iris is as light as the white of the eye (no
    # limbus at all: "We couldn't find an iris"); its colour still sets it apart.
    image = synthetic_eye(iris_colour=(255, 212, 120))
    result = process(encode_png(image), lambda step, progress: None, PipelineOptions())
    assert result.measures["iris_radius_px"] == pytest.approx(110.0, rel=0.05)
    assert math.hypot(result.measures["iris_x"] - 320, result.measures["iris_y"] - 240) <= 6


def good_measures() -> input_quality.Measures:
    """The measures of a good photo, which the gate passes."""
    return input_quality.Measures(
        iris_radius_px=200.0,
        pupil_radius_px=80.0,
        usable_area=0.9,
        sharpness=0.1,
        texture=0.05,
        limbus_contrast=40.0,
        pupil_contrast=40.0,
        pupil_iris_ratio=0.4,
        concentricity=0.2,
        inside_fraction=1.0,
        margin=1.0,
        mean_level=100.0,
        iris_level=100.0,
        clipped=0.0,
        pupil_assumed=0.0,
        edge_contact=0.0,
        beyond=0.0,
        iris_share=0.5,
        gaze=0.1,
    )


def test_an_outline_whose_pupil_sits_far_off_the_iris_centre_is_refused() -> None:
    # A limbus circle pulled onto the sclera leaves the pupil a third or more of the radius
    # off centre: printing it shows skin, and glints filled from the pupil come out dark.
    good = good_measures()
    input_quality.gate(good)
    with pytest.raises(QualityIssue) as refused:
        input_quality.gate(dataclasses.replace(good, concentricity=0.4))
    assert refused.value.text == refusals.UNSURE
    # so is one that leaves out much of what the network sees as iris
    with pytest.raises(QualityIssue) as refused:
        input_quality.gate(dataclasses.replace(good, beyond=0.3))
    assert refused.value.text == refusals.UNSURE
    # on an eye looking sideways (sclera on one side only) it asks to look at the camera
    with pytest.raises(QualityIssue) as refused:
        input_quality.gate(dataclasses.replace(good, concentricity=0.4, gaze=-0.6))
    assert refused.value.text == refusals.GAZE
    input_quality.gate(dataclasses.replace(good, gaze=-0.6))  # a good outline of such an eye passes


def test_beyond_is_the_share_of_the_networks_iris_outside_the_outline() -> None:
    seen = disk((400, 400), Circle(200, 200, 100)).astype(np.float32)
    assert fit.beyond(seen, Circle(200, 200, 100)) < 0.01
    assert fit.beyond(seen, Circle(200, 200, 110)) == 0.0
    shifted = fit.beyond(seen, Circle(250, 200, 100))  # half a radius off
    assert 0.25 < shifted < 0.4
    assert fit.beyond(np.zeros((400, 400), np.float32), Circle(200, 200, 100)) == 0.0
    other_eye = seen.copy()
    other_eye[350:, 350:] = 1.0  # a region the outline does not touch
    assert fit.beyond(other_eye, Circle(200, 200, 100)) < 0.01


def test_unbacked_is_the_share_of_the_shown_iris_the_network_sees_no_iris_in() -> None:
    seen = disk((200, 200), Circle(100, 100, 50)).astype(np.float32)  # the working copy
    mask = disk((800, 800), Circle(400, 400, 200))  # the same iris at full resolution
    assert fit.unbacked(seen, mask) < 0.01
    wider = disk((800, 800), Circle(400, 400, 400 / np.sqrt(2)))  # twice the area
    assert 0.45 < fit.unbacked(seen, wider) < 0.55
    faint = seen * 0.3  # unsure is not "no iris"
    assert fit.unbacked(faint, wider) == fit.unbacked(seen, wider)
    assert fit.unbacked(seen, np.zeros((800, 800), bool)) == 0.0


def test_a_print_that_may_not_be_iris_says_so_first_and_scores_lower_the_less_is_iris() -> None:
    sure = result_quality.Outcome(0.0, 0.0, "fill", 2048, 2048, 1.0, 45.0, 45.0, 0.5, unbacked=0.01)
    unsure = dataclasses.replace(sure, unbacked=result_quality.NOTE_UNBACKED + 0.05)
    both = dataclasses.replace(unsure, completed=0.3)
    assert result_quality.notes(sure) == ()
    assert result_quality.notes(unsure) == (result_quality.NOT_IRIS,)
    assert result_quality.notes(both)[0] == result_quality.NOT_IRIS  # before the lids' note
    worse = dataclasses.replace(sure, unbacked=0.5)
    assert result_quality.score(sure) > result_quality.score(unsure) > result_quality.score(worse)
    assert result_quality.warnings(unsure) == (result_quality.NOT_IRIS,)


def test_a_dim_photo_is_lifted_to_the_colour_the_eye_shows_in_good_light() -> None:
    # The same eye in good light and with 1/16 of the light (in linear light, as a camera
    # sees it): lifted, the dim one is to show the iris's colour, not a greyer one. Chroma
    # against lightness as an exposure change leaves it: C*/(L* + 16).
    bright = synthetic_eye(iris_colour=(150, 100, 60))
    dim_rgb = from_linear(to_linear(bright) / 16)
    ring = disk(dim_rgb.shape[:2], Circle(320, 240, 100)) & ~disk(
        dim_rgb.shape[:2], Circle(320, 240, 50)
    )
    lifted, exposure = tone.expose(dim_rgb, ring)
    assert exposure.level_in < 20

    def vividness(rgb: np.ndarray) -> float:
        lab = cv2.cvtColor(rgb.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)[ring]
        return float(np.median(np.hypot(lab[:, 1], lab[:, 2])) / (np.median(lab[:, 0]) + 16))

    kept = vividness(lifted) / vividness(bright)
    assert 0.85 < kept < 1.2, f"{kept:.2f} of the eye's colour"


def test_a_dim_photo_of_a_faint_limbus_is_told_to_find_more_light() -> None:
    # A light iris in dim light: its limbus step is small in grey levels, but not for how
    # dark the iris is. That is a photo to take in more light, not one without an iris.
    dim = dataclasses.replace(good_measures(), limbus_contrast=7.0, iris_level=35.0)
    for measures, told in (
        (dim, refusals.TOO_DARK),
        (dataclasses.replace(dim, iris_level=100.0), refusals.NOT_FOUND),  # lit and faint
        (dataclasses.replace(dim, limbus_contrast=2.0), refusals.NOT_FOUND),  # too faint
    ):
        with pytest.raises(QualityIssue) as refused:
            input_quality.gate(measures)
        assert refused.value.text == told
    input_quality.gate(dataclasses.replace(dim, limbus_contrast=12.0))


def test_a_wide_hole_does_not_repeat_one_motif_slice_after_slice() -> None:
    # A lid-sized hole is filled in slices. Each slice used to copy the one filled just
    # before it, so one patch of texture came back at every slice's width across the lid.
    rng = np.random.default_rng(5)
    sheet = cv2.GaussianBlur(rng.normal(128, 30, (40, 800)).astype(np.float32), (0, 0), 1.0)
    missing = np.zeros(sheet.shape, bool)
    missing[4:36, 300:560] = True  # four slices of at most MAX_SPAN of the circle
    filled = fill.fill_sheet(sheet[:, :, None], missing, np.ones_like(missing))[:, :, 0]
    hole = filled[4:36, 300:560]
    detail = hole - cv2.blur(hole, (3, 3))
    repeats = [
        np.corrcoef(detail[:, :-shift].ravel(), detail[:, shift:].ravel())[0, 1]
        for shift in range(8, 130)
    ]
    assert max(repeats) < 0.3
