"""`irisd process`: files written, JSON output, exit status on failures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from irisd.cli.process import process
from tests.pipeline.eyes import encode_png, synthetic_eye


def test_process_writes_result_mask_and_debug(tmp_path: Path) -> None:
    source = tmp_path / "eye.png"
    source.write_bytes(encode_png(synthetic_eye()))
    out = tmp_path / "out"
    args = [str(source), "-o", str(out), "--debug", "--size", "128", "--classical"]
    result = CliRunner().invoke(process, args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["eye.png", "eye_debug.png", "eye_mask.png"]


def test_process_json_reports_failures_and_exits_1(tmp_path: Path) -> None:
    good = tmp_path / "eye.png"
    good.write_bytes(encode_png(synthetic_eye()))
    blank = tmp_path / "blank.png"
    blank.write_bytes(encode_png(np.full((240, 320, 3), 128, np.uint8)))
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    args = [str(good), str(blank), str(text), "-o", str(tmp_path / "out"), "--json"]
    args += ["--format", "jpeg", "--size", "96", "--classical"]
    result = CliRunner().invoke(process, args)
    assert result.exit_code == 1
    records = json.loads(result.stdout)["results"]
    assert [r["status"] for r in records] == ["completed", "failed", "failed"]
    assert records[0]["output"].endswith("eye.jpg")
    assert records[1]["error_type"] == "quality_issue"
    assert records[1]["message"] == "We couldn't find an iris in this photo."
    assert records[2]["error_type"] == "invalid_input"
