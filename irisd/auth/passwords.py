"""Password hashing with argon2id (memory-hard). CPU-heavy: async callers use asyncio.to_thread."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane): memory-hard enough that a stolen
# database is expensive to attack, cheap enough (~20 ms) that the test suite stays fast.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

MIN_LENGTH = 8
# Hashing cost does not grow with the input, but a cap keeps request bodies honest.
MAX_LENGTH = 1024


def hash_password(password: str) -> str:
    """The encoded argon2id hash (parameters and salt included) of `password`."""
    return _HASHER.hash(password)


def verify_password(encoded: str, password: str) -> bool:
    """True when `password` matches `encoded`; False for a mismatch or a corrupt hash."""
    try:
        return _HASHER.verify(encoded, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(encoded: str) -> bool:
    """True when `encoded` was made with other parameters than today's (upgrade on login)."""
    return _HASHER.check_needs_rehash(encoded)


def verify_dummy(password: str) -> bool:
    """Spend the time of one real verification, for unknown emails (no timing oracle)."""
    verify_password(_dummy_hash(), password)
    return False


@functools.cache
def _dummy_hash() -> str:
    # Computed once per process; the value is never stored or compared with a real hash.
    return _HASHER.hash("irisd dummy password, never valid")
