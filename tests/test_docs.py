"""Docs stay true: irisd.toml ↔ Settings, API.md's tables ↔ Step and the error classes, API.md's
shapes ↔ the OpenAPI components, the console's step texts ↔ Step."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest

from irisd import config, errors
from irisd.api import wire
from irisd.api.openapi import SCHEMAS
from irisd.api.openapi_studio import MESSAGE_FIELDS
from irisd.jobs.model import ART_DISPLAY, COMPLETE_DISPLAY, WAITING_DISPLAY, Step

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


# --- API.md's shapes and the OpenAPI components ------------------------------------------------

# Fields the server sends beyond API.md (allowed: "extra fields are ignored by old clients").
ADDITIVE = {
    "Photo": {"filename", "label"},
    "Job": {
        *("quality_notes", "note", "filename", "label", "print_ready"),
        *("warnings", "needs_check"),
        *("thumbnail_url", "preview_url", "original_preview_url"),
    },
    "JobMessage": {
        *("quality_score", "quality_notes", "note", "print_ready", "warnings", "needs_check"),
        *MESSAGE_FIELDS,  # an art job's: docs/studio-api.md (test_studio_api_md_...)
    },
}


def fields(shape: str) -> set[str]:
    """The field names of an API.md shape such as `{"items":[Photo],"total","token_type":"x"}`."""
    names = re.sub(r':\s*("[^"]*"|\[[^\]]*\])', "", shape)  # drop the example values
    return set(re.findall(r'"(\w+)"', names))


def shape_after(text: str, lead: str) -> set[str]:
    """The fields of the first `{...}` shape after `lead` in API.md (whitespace folded)."""
    start = text.index("`{", text.index(lead)) + 1
    return fields(text[start : text.index("}", start) + 1])


def documented(name: str) -> set[str]:
    return set(SCHEMAS[name]["properties"])


@pytest.mark.parametrize(
    ("component", "lead"),
    [
        ("UserRead", "UserRead: `"),
        ("Photo", "Photo: `"),
        ("Job", "Job: `"),
        ("TokenPair", "| 200 `"),
        ("UploadTicket", "→ 201"),
        ("PhotoPage", "| GET | /api/v1/photos?page=1"),
        ("JobPage", "| GET | /api/v1/processing/jobs?page=1"),
        ("JobList", "| 201 `"),
        ("Message", "| POST | /api/v1/auth/logout |"),
        ("SocketError", "it sends one JSON message"),
    ],
)
def test_api_md_shapes_are_the_openapi_components(component: str, lead: str) -> None:
    text = " ".join(api_md().split())
    assert shape_after(text, lead) | ADDITIVE.get(component, set()) == documented(component)


def test_api_md_websocket_messages_are_the_job_message_component() -> None:
    text = " ".join(api_md().split())
    progress = shape_after(text, "Progress: `")
    start = text.index("Completion adds")
    prose = text[start : text.index("## Operations", start)]
    named = set(re.findall(r"`(\w+)`", prose))  # what Completion, Error and extras add
    assert progress <= set(SCHEMAS["JobMessage"]["required"])
    assert progress | named | ADDITIVE["JobMessage"] == documented("JobMessage")
    assert documented("StreamMessage") == documented("JobMessage") | {"cursor"}


def test_the_console_copies_the_step_texts_of_step() -> None:
    """static/js/card.js shows step names as text: its table must say what `Step` says."""
    card = (REPO / "static" / "js" / "card.js").read_text(encoding="utf-8")
    table = re.search(r"STEP_DISPLAY = \{(.*?)\};", card, re.DOTALL)
    assert table is not None
    copied = dict(re.findall(r'(\w+): "([^"]*)"', table.group(1)))
    assert copied == {step.value: step.display for step in Step}
    constants = dict(re.findall(r'const (WAITING|COMPLETE) = "([^"]*)";', card))
    assert constants == {"WAITING": WAITING_DISPLAY, "COMPLETE": COMPLETE_DISPLAY}


def _bench_readme() -> str:
    return (REPO / "bench" / "README.md").read_text(encoding="utf-8")


def test_make_bench_runs_what_the_bench_readme_lists() -> None:
    listed = _bench_readme().split("## `make bench`")[1].split("```sh\n")[1].split("```")[0]
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nbench:")[1].split("\n\n")[0].splitlines()[1:]
    assert [line.strip() for line in recipe] == [line for line in listed.splitlines() if line]


def test_every_bench_script_is_mapped_and_runs_as_a_module() -> None:
    readme = _bench_readme()
    for script in sorted((REPO / "bench").glob("*/*.py")):
        if script.name == "__init__.py":
            continue
        source = script.read_text(encoding="utf-8")
        folder = script.parent.name
        assert f"`{script.name}`" in readme, f"bench/README.md does not name {script}"
        if "__main__" in source:
            assert folder != "lib", f"{script} is a script: it belongs beside what it measures"
            assert f"python -m bench.{folder}.{script.stem}" in source, f"{script}: usage"
        else:
            assert folder == "lib", f"{script} has no __main__: a helper belongs in bench/lib"


def studio_md() -> str:
    return (REPO / "docs" / "studio-api.md").read_text(encoding="utf-8")


def test_studio_api_md_step_table_is_the_art_kinds_display() -> None:
    rows = re.findall(r"^\| (\w+) \| (\w+) \| ([^|]+?) \|$", studio_md(), re.M)
    table = {(kind, step): text for kind, step, text in rows if kind != "kind"}
    assert table == {
        (kind.value, step.value): text
        for kind, steps in ART_DISPLAY.items()
        for step, text in steps.items()
    }


def test_studio_api_md_names_every_field_an_art_jobs_messages_add() -> None:
    text = " ".join(studio_md().split())
    start = text.index("## WebSocket messages of an art job")
    section = text[start : text.index("## Styles", start)]
    assert set(MESSAGE_FIELDS) <= set(re.findall(r"`(\w+)`", section))
