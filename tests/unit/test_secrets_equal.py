"""The comparison of a client's secret with ours never fails on what a client can send."""

from __future__ import annotations

import pytest

from irisd.auth.secrets_equal import secrets_equal

EXPECTED = "Bearer scrape-secret-0123456789"


def test_the_same_secret_is_equal() -> None:
    assert secrets_equal(EXPECTED, EXPECTED)


@pytest.mark.parametrize(
    "given",
    [
        "",
        "Bearer scrape-secret-012345678",
        "Bearer scrape-secret-0123456789 ",
        "Bearer ²",  # non-ASCII: a str compare_digest raised TypeError (a 500)
        "Bearer \udcff\udcfe",  # undecodable header bytes as aiohttp hands them over
        "Bearer \ud800",  # any lone surrogate
    ],
)
def test_anything_else_is_not_and_never_raises(given: str) -> None:
    assert not secrets_equal(given, EXPECTED)
