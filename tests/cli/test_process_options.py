"""`irisd process --occlusion`: the choice reaches the pipeline; notes are in the JSON record."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from irisd.cli.process import process
from tests.pipeline.eyes import encode_png, synthetic_eye


def test_occlusion_choice_runs_and_the_record_lists_the_quality_notes(tmp_path: Path) -> None:
    source = tmp_path / "eye.png"
    source.write_bytes(encode_png(synthetic_eye()))
    args = [str(source), "-o", str(tmp_path / "out"), "--json", "--size", "96", "--classical"]
    result = CliRunner().invoke(process, [*args, "--occlusion", "transparent"])
    assert result.exit_code == 0, result.output
    [record] = json.loads(result.stdout)["results"]
    assert record["status"] == "completed"
    assert isinstance(record["quality_notes"], list)
    assert all(isinstance(note, str) and note for note in record["quality_notes"])
    assert set(record["warnings"]) <= set(record["quality_notes"])  # flaws are notes too


def test_unknown_occlusion_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "eye.png"
    source.write_bytes(b"unused")
    result = CliRunner().invoke(process, [str(source), "-o", str(tmp_path), "--occlusion", "blur"])
    assert result.exit_code == 2
    assert "'blur' is not one of 'fill', 'transparent'" in result.output
