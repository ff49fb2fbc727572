"""The HS256 signing secret: `[auth] secret`, or one made once in the data directory.

The same secret signs tokens (auth/tokens.py) and local storage's signed URLs.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from irisd.config import Settings
from irisd.errors import ConfigError
from irisd.logs import get_logger

log = get_logger(__name__)

SECRET_FILE = "jwt_secret"  # noqa: S105 - a file name, not a secret
# RFC 7518 §3.2: an HS256 key must be at least as long as the hash output (32 bytes).
MIN_SECRET_LENGTH = 32


def load_or_create_secret(settings: Settings) -> str:
    """`auth.secret` if configured, else the secret in `data_dir/jwt_secret`, made once (0600).

    Kept across restarts, so issued tokens stay valid. Created atomically: written to a
    private temporary file and hard-linked into place, so a server and a CLI command that
    start together agree on one secret and nobody ever reads a half-written file.
    """
    if settings.auth.secret:
        if len(settings.auth.secret) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"[auth] secret: must be at least {MIN_SECRET_LENGTH} characters "
                "(or leave it empty to generate one in the data directory)"
            )
        return settings.auth.secret
    path = settings.data_path / SECRET_FILE
    existing = _read_secret(path)
    return existing if existing is not None else _create_secret(path)


def _read_secret(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    if len(text) < MIN_SECRET_LENGTH:
        raise ConfigError(f"{path}: the JWT secret is too short; delete the file to renew it")
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)  # someone loosened it; a readable secret lets anyone mint tokens
        log.warning("auth.secret_permissions_fixed", path=str(path))
    return text


def _create_secret(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    temp = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secret + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.link(temp, path)
    except FileExistsError:
        # Another process won the race: everyone uses its secret.
        winner = _read_secret(path)
        if winner is None:
            raise ConfigError(f"{path}: removed while it was being created") from None
        return winner
    finally:
        temp.unlink(missing_ok=True)
    log.info("auth.secret_created", path=str(path))
    return secret
