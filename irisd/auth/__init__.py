"""Authentication: argon2id passwords, JWT access/refresh tokens, users (no HTTP: api.bearer)."""
