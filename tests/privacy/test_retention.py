"""Retention ([privacy] retention_days): what is older is erased for good, by the server on
its schedule (a pass at start, then hourly) and by `irisd purge`; newer data stays."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from click.testing import CliRunner

from irisd.cli.purge import purge
from irisd.config import replace
from irisd.storage import keys
from tests.conftest import Irisd
from tests.privacy.helpers import completed, photo_of
from tests.support.clients import ApiClient
from tests.support.pipelines import pipeline

UserFactory = Callable[..., Awaitable[ApiClient]]
Start = Callable[..., Awaitable[Irisd]]
LONG_AGO = "2020-01-01T00:00:00.000Z"


async def old_and_new(irisd: Irisd, api: ApiClient) -> tuple[str, str, str]:
    """(old photo id, its job id, new photo id): the old one uploaded "in 2020"."""
    old, new = await photo_of(api), await photo_of(api)
    job = await completed(api, old["id"])
    await irisd.db.execute("UPDATE photos SET created_at = ? WHERE id = ?", (LONG_AGO, old["id"]))
    return old["id"], job["job_id"], new["id"]


async def stored(irisd: Irisd, user_id: str) -> list[str]:
    return [k for p in keys.user_prefixes(user_id) for k in await irisd.storage.list(p)]


async def test_irisd_purge_applies_the_retention_setting(
    start_server: Start, user_factory: UserFactory, tmp_path: Path
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    api = await user_factory(irisd)
    old, job, new = await old_and_new(irisd, api)
    config = tmp_path / "retention.toml"
    config.write_text("[privacy]\nretention_days = 365\n", encoding="utf-8")
    env = {"IRISD_DATA_DIR": irisd.settings.data_dir}
    args = ["--config", str(config), "--yes"]
    result = await asyncio.to_thread(CliRunner().invoke, purge, args, env=env)
    assert result.exit_code == 0, result.output
    assert "Deleted 1 photos" in result.output
    assert (await api.get(f"/api/v1/photos/{old}")).status == 404
    assert (await api.get(f"/api/v1/processing/jobs/{job}")).status == 404
    assert (await api.get(f"/api/v1/photos/{new}")).status == 200
    user_id = (await api.get(f"/api/v1/photos/{new}")).body["user_id"]
    assert not [key for key in await stored(irisd, user_id) if old in key or job in key]


async def test_the_server_erases_what_is_past_retention_when_it_starts(
    start_server: Start, user_factory: UserFactory
) -> None:
    first = await start_server(jobs=pipeline("ok"))
    api = await user_factory(first)
    old, job, new = await old_and_new(first, api)
    await start_server(replace(first.settings, privacy={"retention_days": 365}))
    assert await first.db.fetchone("SELECT 1 FROM photos WHERE id = ?", (old,)) is None
    assert await first.db.fetchone("SELECT 1 FROM photos WHERE id = ?", (new,)) is not None
    user_id = (await api.get(f"/api/v1/photos/{new}")).expect(200)["user_id"]
    assert not [key for key in await stored(first, user_id) if old in key or job in key]
