"""`irisd process` writes what the server stores: no colour under a result's transparent pixels."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from click.testing import CliRunner
from PIL import Image

from irisd.cli.process import process
from tests.pipeline.eyes import encode_png, synthetic_eye


def test_a_local_result_has_no_colour_under_its_transparent_pixels(tmp_path: Path) -> None:
    source = tmp_path / "eye.png"
    source.write_bytes(encode_png(synthetic_eye()))
    out = tmp_path / "out"
    args = [str(source), "-o", str(out), "--size", "128", "--classical"]
    result = CliRunner().invoke(process, args)
    assert result.exit_code == 0, result.output
    with Image.open(io.BytesIO((out / "eye.png").read_bytes())) as image:
        rgba = np.asarray(image.convert("RGBA"))
    hidden = rgba[:, :, 3] == 0
    assert hidden.any()
    assert not rgba[hidden, :3].any()
    assert rgba[~hidden, :3].any()
