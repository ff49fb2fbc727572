"""Authentication: argon2id passwords, JWT access/refresh tokens, users, Bearer middleware."""
