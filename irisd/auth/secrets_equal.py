"""Constant-time comparison of a secret a client sent (a signature, a token) with ours."""

from __future__ import annotations

import hmac


def secrets_equal(given: str, expected: str) -> bool:
    """Whether `given` is `expected`, in time that does not depend on where they differ.

    Compared as bytes: `hmac.compare_digest` refuses str with non-ASCII characters, and
    aiohttp hands over undecodable header bytes as lone surrogates, which plain UTF-8 refuses
    to encode; either way a client's odd input would be a 500 instead of a refusal.
    """
    return hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )
