"""The jobs tables' SQL has one home: irisd/jobs/store (and the migrations that create them).

A query on `jobs` or `job_events` elsewhere would bypass the store's guarded writes (seq,
job_events, positions) and spread the schema around; this scans every string literal in
irisd/ for one.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

IRISD = Path(__file__).resolve().parents[2] / "irisd"
HOMES = (IRISD / "jobs" / "store", IRISD / "migrations")
JOBS_TABLES = ("jobs", "job_events")
# A table named where SQL names one: FROM, JOIN, UPDATE, INSERT INTO, DELETE FROM, ...
_TABLES = "|".join(JOBS_TABLES)
_NAMED = re.compile(rf"\b(?:FROM|JOIN|UPDATE|INTO|TABLE|REFERENCES)\s+(?:{_TABLES})\b", re.I)


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of the docstring nodes: prose may say "rows from jobs" without being SQL."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def jobs_sql(path: Path) -> list[str]:
    """`path:line: literal` for each string literal (f-string parts too) that queries a jobs
    table. Adjacent literals are one node to the parser, so a query split over lines counts
    whole; one built with `+` is caught by the part that names the table."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skip = _docstrings(tree)
    hits = [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and _NAMED.search(node.value)
    ]
    return [f"{path.relative_to(IRISD.parent)}:{line}: {text[:80]}" for line, text in sorted(hits)]


def sources() -> list[Path]:
    return sorted(IRISD.rglob("*.py"))


def _at_home(path: Path) -> bool:
    return any(path.is_relative_to(home) for home in HOMES)


def test_jobs_tables_sql_lives_only_in_the_store() -> None:
    stray = [hit for path in sources() if not _at_home(path) for hit in jobs_sql(path)]
    assert not stray, "SQL on the jobs tables outside irisd/jobs/store:\n" + "\n".join(stray)


def test_the_scan_sees_the_stores_own_sql() -> None:
    """A scan that found nothing anywhere would pass the test above vacuously."""
    store = [hit for path in sources() if path.is_relative_to(HOMES[0]) for hit in jobs_sql(path)]
    for table in JOBS_TABLES:
        assert any(re.search(rf"\b{table}\b", hit.split(": ", 1)[1]) for hit in store), table


def test_the_tables_are_the_migrations_jobs_tables() -> None:
    """JOBS_TABLES names tables that exist (a rename would otherwise blind the scan)."""
    schema = "\n".join(p.read_text(encoding="utf-8") for p in sorted(HOMES[1].glob("*.sql")))
    for table in JOBS_TABLES:
        assert re.search(rf"CREATE TABLE {table}\b", schema), table
