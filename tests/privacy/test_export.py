"""Access and portability: the ZIP holds the person's photos (the bytes uploaded), their
results and a JSON of every row held about them; never another user's or client's."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from irisd.cli.export_data import export_data
from irisd.storage import keys
from tests.conftest import Irisd
from tests.privacy.helpers import completed, consent, photo_of
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.moto import MotoS3, moto_s3, s3_bucket
from tests.support.pipelines import pipeline

__all__ = ["moto_s3", "s3_bucket"]

UserFactory = Callable[..., Awaitable[ApiClient]]
Start = Callable[..., Awaitable[Irisd]]


def opened(data: bytes) -> tuple[dict[str, bytes], dict[str, Any]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return files, json.loads(files.pop("data.json"))


async def other_users_data(irisd: Irisd, user_factory: UserFactory) -> set[str]:
    """Another user with a processed photo and a consent: the ids that must never appear."""
    other = await user_factory(irisd)
    photo = await photo_of(other, label="Ada Lovelace")
    job = await completed(other, photo["id"])
    granted = await consent(other, label="Ada Lovelace")
    return {photo["id"], job["job_id"], granted["id"], photo["user_id"]}


async def test_the_export_holds_what_was_uploaded_and_processed_and_only_that(
    start_server: Start, user_factory: UserFactory
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    foreign = await other_users_data(irisd, user_factory)
    api = await user_factory(irisd)
    granted = await consent(api)
    upload = images.png(80, 60)
    photo = await api.upload(upload, filename="left.png", content_type="image/png")
    job = await completed(api, photo["id"])
    client = await photo_of(api, label="Ada Lovelace")  # same label as the other user's

    reply = await api.get("/api/v1/privacy/export")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/zip"
    files, held = opened(reply.body)

    assert files[f"photos/{photo['id']}.png"] == upload
    result = await irisd.storage.get(keys.processed(photo["user_id"], job["job_id"], "png"))
    assert files[f"results/{job['job_id']}.png"] == result
    assert {p["id"] for p in held["photos"]} == {photo["id"], client["id"]}
    assert [j["job_id"] for j in held["jobs"]] == [job["job_id"]]
    assert [c["id"] for c in held["consents"]] == [granted["id"]]
    assert held["account"]["id"] == photo["user_id"]
    assert sorted(held["files"]) == sorted(files)
    everything = json.dumps(held) + " ".join(files)
    assert not [value for value in foreign if value in everything]


async def test_staff_export_one_clients_data_by_label(
    start_server: Start, user_factory: UserFactory
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    staff = await user_factory(irisd)
    ada = await photo_of(staff, label="Ada Lovelace")
    grace = await photo_of(staff, label="Grace Hopper")
    await consent(staff, label="Grace Hopper", source="paper")
    reply = await staff.get("/api/v1/privacy/export", params={"label": "ada lovelace"})
    files, held = opened(reply.body)
    assert [p["id"] for p in held["photos"]] == [ada["id"]]
    assert held["consents"] == []
    assert not [name for name in files if grace["id"] in name]


async def test_irisd_export_data_writes_the_same_zip_beside_a_running_server(
    start_server: Start, user_factory: UserFactory, tmp_path: Path
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    foreign = await other_users_data(irisd, user_factory)
    api = await user_factory(irisd)
    photo = await photo_of(api, label="Grace Hopper")
    job = await completed(api, photo["id"])
    config = tmp_path / "empty.toml"
    config.write_text("", encoding="utf-8")
    out = tmp_path / "grace.zip"
    args = ["--config", str(config), photo["user_id"], "--label", "Grace Hopper", "-o", str(out)]
    env = {"IRISD_DATA_DIR": irisd.settings.data_dir}
    result = await _run(args, env)
    assert result.exit_code == 0, result.output
    files, held = opened(out.read_bytes())
    assert files[f"photos/{photo['id']}.jpg"] == images.jpeg()
    assert f"results/{job['job_id']}.png" in files
    assert [j["job_id"] for j in held["jobs"]] == [job["job_id"]]
    assert not [value for value in foreign if value in json.dumps(held) + " ".join(files)]


async def _run(args: list[str], env: dict[str, str]) -> Any:
    return await asyncio.to_thread(CliRunner().invoke, export_data, args, env=env)


async def test_on_s3_the_export_holds_what_is_in_the_trash_too(
    start_server: Start, user_factory: UserFactory, moto_s3: MotoS3, s3_bucket: str
) -> None:
    irisd = await start_server(jobs=pipeline("ok"), **moto_s3.storage_changes(s3_bucket))
    api = await user_factory(irisd)
    photo = await photo_of(api)
    job = await completed(api, photo["id"])
    await api.delete(f"/api/v1/photos/{photo['id']}")  # S3 moves its objects under trash/
    files, held = opened((await api.get("/api/v1/privacy/export")).body)
    assert held["photos"][0]["deleted_at"] is not None
    assert files[f"photos/{photo['id']}.jpg"] == images.jpeg()
    assert f"results/{job['job_id']}.png" in files
