"""The IrisArt app's own studio clients (`mobile/src/services/{styles,fusion,exports}.ts`)
run under Node against a real irisd: list the presets, apply a style, request an HD export,
create a fusion and a composition; each job followed on its WebSocket to the end, then read
back with the app's status and list calls, and its files downloaded (tests/api/node).

The app's files are read from its repository's mirror and run as tests/support/app_client.py
says. The processing pipeline is the test pipeline `disc` (a
real textured print, quick); the art kinds run irisd.art for real.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from irisd.art.styles import PRESETS
from tests.conftest import Irisd
from tests.support import images
from tests.support.app_client import app_file, install, node
from tests.support.clients import ApiClient
from tests.support.pipelines import final
from tests.support.studio_jobs import processed

FLOW = Path(__file__).parent / "node" / "studio_flow.mjs"
SERVICES = ("styles", "fusion", "exports")


def app_sources() -> dict[str, str]:
    return {name: app_file(f"mobile/src/services/{name}.ts") for name in SERVICES}


async def run(*args: str, env: dict[str, str], cwd: Path) -> Any:
    """The flow script's JSON answer (None where it printed nothing)."""
    out = await node(*args, env=env, cwd=cwd)
    return json.loads(out) if out.strip() else None


async def prepare(tmp_path: Path) -> None:
    """The app's services, stripped of their types, beside the shim and the flow."""
    await install(app_sources(), tmp_path)
    shutil.copy(FLOW, tmp_path / FLOW.name)


@pytest.mark.timeout(240)
async def test_the_apps_studio_clients_run_every_flow_against_irisd(
    start_server: Callable[..., Awaitable[Irisd]],
    user_factory: Callable[..., Awaitable[ApiClient]],
    tmp_path: Path,
) -> None:
    await prepare(tmp_path)
    irisd = await start_server(jobs={"pipeline": "tests.support.pipelines:disc"})
    api = await user_factory(irisd)
    photo_id = str((await api.upload(images.jpeg(64, 48)))["id"])
    first, second = [await processed(api, photo_id) for _ in range(2)]
    assert api.access_token is not None
    env = {"IRISD_URL": irisd.url, "IRISD_TOKEN": api.access_token}

    sent = await run(FLOW.name, "submit", photo_id, first, second, env=env, cwd=tmp_path)
    assert len(sent["presets"]["free"]) == len(PRESETS)
    assert sent["presets"]["premium"] == []
    assert sent["style"]["stylePreset"]["id"] == sent["chosen"]
    assert (sent["fusion"]["status"], sent["composition"]["status"]) == ("submitted",) * 2
    ids = {
        "photo": photo_id,
        "first": first,
        "style": sent["style"]["id"],
        "exported": sent["exported"]["id"],
        "fusion": sent["fusion"]["fusion_id"],
        "composition": sent["composition"]["fusion_id"],
    }
    for key in ("style", "exported", "fusion", "composition"):  # what the app's hooks follow
        done = await final(api, ids[key])
        assert done["status"] == "completed", (key, done)

    got = await run(FLOW.name, "results", json.dumps(ids), env=env, cwd=tmp_path)
    assert (got["style"]["status"], got["style"]["currentStep"]) == ("completed", "Complete!")
    assert [job["id"] for job in got["styles"]["items"]] == [ids["style"]]
    assert got["exported"]["isPaid"] is True
    assert got["exported"]["fileSizeBytes"] == got["sizes"]["exported"]
    assert [job["id"] for job in got["exports"]["items"]] == [ids["exported"]]
    assert (got["fusion"]["fusion_type"], got["fusion"]["blend_mode"]) == ("fusion", "poisson")
    assert got["composition"]["layout"] == "grid_2x2"
    assert {f["id"] for f in got["fusions"]} == {ids["fusion"], ids["composition"]}
    assert got["generation"]["status"] == 403
    assert "not available on this box" in got["generation"]["detail"]
    assert all(size > 0 for size in got["sizes"].values())
