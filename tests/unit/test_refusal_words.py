"""The pipeline's refusals, which the console and the app show as they are, spell as the rest of
the project does (British: "centre", as the console's own "eye centred")."""

from __future__ import annotations

import re

from irisd.pipeline import refusals

AMERICAN = re.compile(r"\b(center(ed|s)?|color(ed|s)?|gray|analyze[ds]?)\b", re.IGNORECASE)


def texts() -> list[str]:
    """Every refusal text the pipeline raises QualityIssue with."""
    return [value for value in vars(refusals).values() if isinstance(value, str) and ". " in value]


def test_refusals_spell_centre_as_the_console_does() -> None:
    found = [text for text in texts() if AMERICAN.search(text)]
    assert found == []
    assert refusals.CUT_OFF in texts()
