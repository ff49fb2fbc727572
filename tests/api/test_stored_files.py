"""What lies on the box's disk is readable by the server's user alone, and holds only what it
should: no database a local account can read, no stray photo copies of killed writes, no
periocular colour under a result's transparent pixels."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np
import pytest
from PIL import Image

from irisd.storage import keys
from tests.conftest import Irisd
from tests.support import images
from tests.support.cli import purge_beside
from tests.support.clients import ApiClient
from tests.support.pipelines import final

UserFactory = Callable[..., Awaitable[ApiClient]]
Start = Callable[..., Awaitable[Irisd]]
DATABASE_FILES = ("irisd.db", "irisd.db-wal", "irisd.db-shm")
TEMP_PREFIX = ".tmp-"  # what LocalStorage's atomic writes name their temp files
KILLED_AGE_S = 3600.0  # a write killed an hour ago


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Any:
    """The usual 022: files are world-readable unless the server says otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


async def test_the_database_and_its_wal_files_are_owner_only(
    open_umask: None, start_server: Start, user_factory: UserFactory
) -> None:
    irisd = await start_server()
    await user_factory(irisd)  # a user row and a refresh token: the WAL has been written
    data = irisd.settings.data_path
    assert {name: oct(mode(data / name)) for name in DATABASE_FILES} == {
        name: oct(0o600) for name in DATABASE_FILES
    }


async def test_a_database_left_readable_is_narrowed_when_opened(
    open_umask: None, start_server: Start, make_settings: Callable[..., Any]
) -> None:
    first = await start_server()
    data = first.settings.data_path
    for name in DATABASE_FILES:
        (data / name).chmod(0o644)  # as an earlier version left them
    await start_server(first.settings)
    assert {name: mode(data / name) for name in DATABASE_FILES} == dict.fromkeys(
        DATABASE_FILES, 0o600
    )


def stray_copy(irisd: Irisd, photo: dict[str, Any], name: str, age_s: float = 0.0) -> Path:
    """The temp file a write killed mid-way leaves beside its object: a copy of the photo."""
    original = Path(irisd.storage.path(keys.original(photo["user_id"], photo["id"])))
    stray = original.parent / f"{TEMP_PREFIX}{name}"
    stray.write_bytes(original.read_bytes())
    if age_s:
        then = stray.stat().st_mtime - age_s
        os.utime(stray, (then, then))
    return stray


async def test_a_restart_removes_the_copies_of_writes_killed_mid_way(
    start_server: Start, user_factory: UserFactory
) -> None:
    first = await start_server()
    api = await user_factory(first)
    photo = await api.upload(images.jpeg())
    stray = stray_copy(first, photo, "k1ll3d")
    second = await start_server(first.settings)  # the same data dir, as after a kill -9
    assert not stray.exists()
    assert await second.storage.get(keys.original(photo["user_id"], photo["id"])) == images.jpeg()


async def test_irisd_purge_removes_old_copies_of_killed_writes_and_not_live_ones(
    start_server: Start, user_factory: UserFactory, tmp_path: Path
) -> None:
    irisd = await start_server()
    api = await user_factory(irisd)
    photo = await api.upload(images.jpeg())
    killed = stray_copy(irisd, photo, "k1ll3d", age_s=KILLED_AGE_S)
    writing = stray_copy(irisd, photo, "wr1t1ng")  # a write of a running server, now
    result = await purge_beside(irisd.settings.data_dir, tmp_path)
    assert result.exit_code == 0, result.output
    assert not killed.exists()
    assert writing.exists()


@pytest.mark.timeout(300)
async def test_a_result_png_has_no_colour_under_its_transparent_pixels(
    start_server: Start,
    user_factory: UserFactory,
    session: aiohttp.ClientSession,
    eye_images: dict[str, list[Path]],
) -> None:
    irisd = await start_server()  # the real pipeline, PNG results
    api = await user_factory(irisd)
    photo = await api.upload_file(eye_images["mmu"][0])
    job_id = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).body["job_id"]
    assert (await final(api, job_id))["status"] == "completed"
    job = (await api.get(f"/api/v1/processing/jobs/{job_id}")).expect(200)
    async with session.get(job["result_url"]) as resp:
        assert resp.status == 200
        data = await resp.read()
    with Image.open(io.BytesIO(data)) as image:
        assert image.mode == "RGBA"
        rgba = np.asarray(image)
    hidden = rgba[:, :, 3] == 0
    assert hidden.any()
    assert not rgba[hidden, :3].any()  # nothing of the skin, lashes or sclera
    assert rgba[~hidden, :3].any()  # the iris itself is still there
