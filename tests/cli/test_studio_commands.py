"""`irisd style`, `irisd fuse`, `irisd export`: the art kinds on local prints, the job's own
code (irisd.jobs.art_work) with a progress bar; real prints, real files written."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from click.testing import CliRunner
from PIL import Image

from irisd.cli.studio import export, fuse, style
from tests.support.pipelines import DISC_SIDE, disc_print


def prints(tmp_path: Path, count: int) -> list[str]:
    paths = []
    for seed in range(count):
        path = tmp_path / f"iris{seed}.png"
        path.write_bytes(disc_print(seed=seed))
        paths.append(str(path))
    return paths


def test_style_writes_the_styled_print_and_its_preview(tmp_path: Path) -> None:
    [source] = prints(tmp_path, 1)
    out = tmp_path / "out"
    result = CliRunner().invoke(style, [source, "--preset", "stained_glass", "-o", str(out)])
    assert result.exit_code == 0, result.output
    styled = cv2.imread(str(out / "iris0_stained_glass.png"), cv2.IMREAD_UNCHANGED)
    original = cv2.imread(source, cv2.IMREAD_UNCHANGED)
    assert styled.shape == original.shape == (DISC_SIDE, DISC_SIDE, 4)
    assert not np.array_equal(styled, original)
    with Image.open(out / "iris0_stained_glass_preview.webp") as preview:
        assert max(preview.size) <= 512


def test_fuse_blends_or_lays_out_two_to_four_prints(tmp_path: Path) -> None:
    sources = prints(tmp_path, 3)
    fused, laid = tmp_path / "fused.png", tmp_path / "laid.png"
    blended = CliRunner().invoke(fuse, [*sources[:2], "--mode", "alpha", "-o", str(fused)])
    assert blended.exit_code == 0, blended.output
    layout = CliRunner().invoke(fuse, [*sources, "--layout", "horizontal", "-o", str(laid)])
    assert layout.exit_code == 0, layout.output
    with Image.open(fused) as one, Image.open(laid) as row:
        assert one.width == one.height  # one disc
        assert row.width > row.height  # side by side
    alone = CliRunner().invoke(fuse, [sources[0], "-o", str(tmp_path / "x.png")])
    assert alone.exit_code == 2
    assert "2 to 4 prints" in alone.output


def test_export_writes_the_print_size_at_its_dpi_and_says_it_was_enlarged(
    tmp_path: Path,
) -> None:
    [source] = prints(tmp_path, 1)
    out = tmp_path / "print.tiff"
    args = [source, "--print-size", "10x10cm", "--format", "tiff", "-o", str(out)]
    result = CliRunner().invoke(export, args)
    assert result.exit_code == 0, result.output
    with Image.open(out) as printed:
        assert printed.size == (round(10 / 2.54 * 300),) * 2
        assert printed.info["dpi"] == (300, 300)
    assert "enlarged" in result.output  # 256 px of detail for 1181 px


def test_an_unknown_preset_is_refused_with_the_choices(tmp_path: Path) -> None:
    [source] = prints(tmp_path, 1)
    result = CliRunner().invoke(style, [source, "--preset", "sepia", "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "cosmic_iris" in result.output
