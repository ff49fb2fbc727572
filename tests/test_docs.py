"""Docs stay true: irisd.toml ↔ Settings, API.md's tables ↔ Step and the error classes."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest

from irisd import config, errors
from irisd.api import wire
from irisd.jobs.model import COMPLETE_DISPLAY, WAITING_DISPLAY, Step

REPO = Path(__file__).resolve().parents[1]
API_MD = REPO.parent / "shared" / "docs" / "API.md"


def api_md() -> str:
    if not API_MD.is_file():
        pytest.skip(f"{API_MD} absent: the wire contract is not beside the repo")
    return API_MD.read_text(encoding="utf-8")


def table_rows(text: str, header: str) -> list[list[str]]:
    """Rows of the markdown table whose header line starts with `header`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def test_irisd_toml_documents_every_setting_with_its_default() -> None:
    documented = tomllib.loads((REPO / "irisd.toml").read_text(encoding="utf-8"))
    defaults = config.Settings()
    assert documented["data_dir"] == defaults.data_dir
    for name in config.sections():
        section = getattr(defaults, name)
        assert documented[name] == dataclasses.asdict(section), f"[{name}] differs"


def test_irisd_toml_loads_to_the_defaults() -> None:
    assert config.load(REPO / "irisd.toml", {}) == config.Settings()


def test_every_setting_key_has_a_comment_or_section_comment() -> None:
    text = (REPO / "irisd.toml").read_text(encoding="utf-8")
    assert text.count("\n#") + text.startswith("#") >= len(config.sections())


def test_step_names_and_display_text_match_api_md() -> None:
    rows = table_rows(api_md(), "| step | display |")
    assert {step: display for step, display in rows} == {s.value: s.display for s in Step}


def test_waiting_and_complete_text_match_api_md() -> None:
    text = api_md()
    assert f"`{WAITING_DISPLAY}`" in text
    assert f"`{COMPLETE_DISPLAY}`" in text


def _failure_classes() -> dict[tuple[str, str], type[errors.JobFailure]]:
    classes = [
        errors.TransientFailure,
        errors.ServerFailure,
        errors.UnexpectedFailure,
        errors.Cancelled,
    ]
    return {(cls.error_type, cls.message): cls for cls in classes}


def test_job_errors_match_api_md() -> None:
    rows = table_rows(api_md(), "| error_type | raised by |")
    by_key = _failure_classes()
    for error_type, _raised_by, retried, message, suggestion in rows:
        if error_type == "quality_issue":
            assert errors.QualityIssue.suggestion == suggestion
            assert retried == "no"
            assert not errors.QualityIssue.retryable
            continue
        cls = by_key[(error_type, message)]
        assert cls.suggestion == suggestion
        assert cls.retryable == retried.startswith("once")
    assert len(rows) == len(by_key) + 1


def test_ws_timeout_message_matches_api_md() -> None:
    flat = re.sub(r"\s+", " ", api_md())
    found = re.search(r'\{"error": "Connection timeout", "detail": "([^"]+)"\}', flat)
    assert found is not None
    assert {"error": "Connection timeout", "detail": found.group(1)} == wire.TIMEOUT_MESSAGE
