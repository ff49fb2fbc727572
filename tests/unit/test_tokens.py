"""TokenService with an injected clock on a real SQLite file; the JWT secret file."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import jwt
import pytest

from irisd.api import wire
from irisd.auth.secret import load_or_create_secret
from irisd.auth.tokens import CLAIMS, Claims, TokenService
from irisd.auth.users import User, create_user, set_active
from irisd.config import AuthSettings, Settings, replace
from irisd.db import Database, open_database
from irisd.errors import ConfigError, Unauthorized

SECRET = "s" * 48
AUTH = AuthSettings(access_ttl_s=1800, refresh_ttl_s=86_400)
PASSWORD = "correct horse battery staple"


class Clock:
    """A settable Unix time."""

    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tokens(clock: Clock) -> TokenService:
    return TokenService(AUTH, SECRET, now=clock)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(tmp_path / "irisd.db")
    yield database
    await database.close()


@pytest.fixture
async def user(db: Database) -> User:
    return await create_user(db, "ada@example.test", PASSWORD)


def payload(token: str) -> dict[str, object]:
    return jwt.decode(token, options={"verify_signature": False})


def forge(claims: dict[str, object], secret: str = SECRET) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


async def test_pair_carries_exactly_the_contract_claims(
    tokens: TokenService, db: Database, user: User, clock: Clock
) -> None:
    pair = await tokens.issue_pair(db, user.id)
    access, refresh = payload(pair.access_token), payload(pair.refresh_token)
    assert set(access) == set(refresh) == set(CLAIMS)
    assert (access["type"], refresh["type"]) == ("access", "refresh")
    assert access["sub"] == refresh["sub"] == user.id
    assert access["iat"] == int(clock.t)
    assert access["exp"] == int(clock.t) + AUTH.access_ttl_s
    assert refresh["exp"] == int(clock.t) + AUTH.refresh_ttl_s
    assert access["jti"] != refresh["jti"]
    assert wire.tokens(pair)["token_type"] == "bearer"


def test_access_token_verifies_until_it_expires(tokens: TokenService, clock: Clock) -> None:
    token = tokens.issue_access("u1")
    clock.t += AUTH.access_ttl_s - 1
    assert tokens.verify_access(token).user_id == "u1"
    clock.t += 1
    with pytest.raises(Unauthorized, match="has expired"):
        tokens.verify_access(token)


async def test_refresh_token_is_not_an_access_token(
    tokens: TokenService, db: Database, user: User
) -> None:
    pair = await tokens.issue_pair(db, user.id)
    with pytest.raises(Unauthorized, match="refresh token cannot be used as an access token"):
        tokens.verify_access(pair.refresh_token)


async def test_access_token_is_not_a_refresh_token(
    tokens: TokenService, db: Database, user: User
) -> None:
    pair = await tokens.issue_pair(db, user.id)
    with pytest.raises(Unauthorized, match="access token cannot be used as a refresh token"):
        await tokens.refresh(db, pair.access_token)


def valid_claims(clock: Clock) -> dict[str, object]:
    now = int(clock.t)
    return {"sub": "u1", "type": "access", "exp": now + 60, "iat": now, "jti": "j1"}


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda c: forge(c, secret="x" * 48), id="other-secret"),
        pytest.param(lambda c: forge(c)[:-2] + "AA", id="tampered-signature"),
        pytest.param(lambda c: jwt.encode(c, None, algorithm="none"), id="alg-none"),
        pytest.param(lambda c: forge({k: v for k, v in c.items() if k != "jti"}), id="no-jti"),
        pytest.param(lambda c: forge({**c, "exp": str(c["exp"])}), id="exp-as-text"),
        pytest.param(lambda c: forge({**c, "type": "admin"}), id="unknown-type"),
        pytest.param(lambda c: "not.a.jwt", id="garbage"),
    ],
)
def test_bad_tokens_are_rejected(
    tokens: TokenService, clock: Clock, make: Callable[[dict[str, object]], str]
) -> None:
    assert isinstance(tokens.verify_access(forge(valid_claims(clock))), Claims)
    with pytest.raises(Unauthorized, match="access token is invalid"):
        tokens.verify_access(make(valid_claims(clock)))


async def test_refresh_rotates_and_the_old_token_is_spent(
    tokens: TokenService, db: Database, user: User
) -> None:
    first = await tokens.issue_pair(db, user.id)
    second = await tokens.refresh(db, first.refresh_token)
    assert second.refresh_token != first.refresh_token
    assert tokens.verify_access(second.access_token).user_id == user.id
    with pytest.raises(Unauthorized, match="already been used"):
        await tokens.refresh(db, first.refresh_token)


async def test_reused_refresh_token_revokes_the_users_other_tokens(
    tokens: TokenService, db: Database, user: User
) -> None:
    stolen = await tokens.issue_pair(db, user.id)
    other_device = await tokens.issue_pair(db, user.id)
    rotated = await tokens.refresh(db, stolen.refresh_token)
    with pytest.raises(Unauthorized):
        await tokens.refresh(db, stolen.refresh_token)
    for pair in (rotated, other_device):
        with pytest.raises(Unauthorized, match="revoked"):
            await tokens.refresh(db, pair.refresh_token)


async def test_concurrent_refreshes_of_one_token_have_one_winner(
    tokens: TokenService, db: Database, user: User
) -> None:
    pair = await tokens.issue_pair(db, user.id)
    results = await asyncio.gather(
        *(tokens.refresh(db, pair.refresh_token) for _ in range(4)), return_exceptions=True
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, Unauthorized) for r in results if isinstance(r, BaseException))


async def test_expired_refresh_token_is_rejected(
    tokens: TokenService, db: Database, user: User, clock: Clock
) -> None:
    pair = await tokens.issue_pair(db, user.id)
    clock.t += AUTH.refresh_ttl_s
    with pytest.raises(Unauthorized, match="refresh token has expired"):
        await tokens.refresh(db, pair.refresh_token)


async def test_revoke_all_ends_every_session(
    tokens: TokenService, db: Database, user: User
) -> None:
    pairs = [await tokens.issue_pair(db, user.id) for _ in range(2)]
    assert await tokens.revoke_all(db, user.id) == 2
    for pair in pairs:
        with pytest.raises(Unauthorized, match="revoked"):
            await tokens.refresh(db, pair.refresh_token)


async def test_disabled_user_cannot_refresh_even_after_enabling(
    tokens: TokenService, db: Database, user: User
) -> None:
    pair = await tokens.issue_pair(db, user.id)
    await set_active(db, user.email, False)
    await set_active(db, user.email, True)
    with pytest.raises(Unauthorized):
        await tokens.refresh(db, pair.refresh_token)


async def test_spent_expired_rows_are_pruned(
    tokens: TokenService, db: Database, user: User, clock: Clock
) -> None:
    await tokens.issue_pair(db, user.id)
    clock.t += AUTH.refresh_ttl_s + 1
    await tokens.issue_pair(db, user.id)
    rows = await db.fetchall("SELECT jti FROM refresh_tokens WHERE user_id = ?", (user.id,))
    assert len(rows) == 1


# --- the secret ------------------------------------------------------------------------


def settings_in(tmp_path: Path, secret: str = "") -> Settings:
    return replace(Settings(data_dir=str(tmp_path / "data")), auth={"secret": secret})


def test_secret_is_created_private_and_reused(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    first = load_or_create_secret(settings)
    path = settings.data_path / "jwt_secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(settings) == first
    assert len(first) >= 32
    assert [p.name for p in path.parent.iterdir()] == ["jwt_secret"]  # no temp file left


def test_tokens_survive_a_restart(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    token = TokenService(AUTH, load_or_create_secret(settings)).issue_access("u1")
    restarted = TokenService(AUTH, load_or_create_secret(settings))
    assert restarted.verify_access(token).user_id == "u1"


def test_loosened_secret_file_is_made_private_again(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    secret = load_or_create_secret(settings)
    path = settings.data_path / "jwt_secret"
    path.chmod(0o644)
    assert load_or_create_secret(settings) == secret
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_configured_secret_wins_and_must_be_long(tmp_path: Path) -> None:
    assert load_or_create_secret(settings_in(tmp_path, SECRET)) == SECRET
    assert not (tmp_path / "data" / "jwt_secret").exists()
    with pytest.raises(ConfigError, match="at least 32"):
        load_or_create_secret(settings_in(tmp_path, "short"))


def test_a_token_presented_again_is_not_decoded_again(tokens: TokenService) -> None:
    # The app reconnects its socket with one token every 2 s: PyJWT's decode was most of a
    # reconnect's cost (issue 25 #9, bench/server/ws_flood.py). The same claims, not a new decode.
    token = tokens.issue_access("u1", "family")
    assert tokens.verify_access(token) is tokens.verify_access(token)


def test_a_token_verified_before_still_expires(tokens: TokenService, clock: Clock) -> None:
    token = tokens.issue_access("u1", "family")
    tokens.verify_access(token)
    clock.t += AUTH.access_ttl_s
    with pytest.raises(Unauthorized, match="expired"):
        tokens.verify_access(token)
