"""The IrisArt app's own studio clients (`mobile/src/services/{styles,fusion,exports}.ts`)
run under Node against a real irisd: list the presets, apply a style, request an HD export,
create a fusion and a composition; each job followed on its WebSocket to the end, then read
back with the app's status and list calls, and its files downloaded (tests/api/node).

The app's files are read from its repository's mirror (IRISART_REPO) and never copied here;
tests/support/node/strip_types.mjs removes their type syntax and tests/support/node/api.mjs
stands in for their axios client. The processing pipeline is the test pipeline `disc` (a
real textured print, quick); the art kinds run irisd.art for real.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from irisd.art.styles import PRESETS
from tests.conftest import Irisd
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.pipelines import final
from tests.support.studio_jobs import processed

SHARED_NODE = Path(__file__).parents[1] / "support" / "node"
FLOW = Path(__file__).parent / "node" / "studio_flow.mjs"
APP_REPO = Path(os.environ.get("IRISART_REPO", "/work/.mirror/jbellot+iris-art/repo"))
SERVICES = ("styles", "fusion", "exports")


def app_sources() -> dict[str, str]:
    if shutil.which("node") is None or not APP_REPO.exists():
        pytest.skip(f"node or the app's repository ({APP_REPO}) is absent")
    return {name: _show(f"mobile/src/services/{name}.ts") for name in SERVICES}


def _show(path: str) -> str:
    shown = subprocess.run(
        ["git", "-C", str(APP_REPO), "show", f"HEAD:{path}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return shown.stdout


async def node(*args: str, env: dict[str, str], cwd: Path) -> Any:
    proc = await asyncio.create_subprocess_exec(
        "node", *args, cwd=cwd, env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return json.loads(out) if out.strip() else None


async def prepare(tmp_path: Path) -> None:
    """The app's services, stripped of their types, beside the shim and the flow."""
    for name, source in app_sources().items():
        (tmp_path / f"{name}.ts").write_text(source, encoding="utf-8")
        strip = str(SHARED_NODE / "strip_types.mjs")
        await node(strip, f"{name}.ts", f"{name}.mjs", env={}, cwd=tmp_path)
    shutil.copy(SHARED_NODE / "api.mjs", tmp_path / "api.mjs")
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

    sent = await node(FLOW.name, "submit", photo_id, first, second, env=env, cwd=tmp_path)
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

    got = await node(FLOW.name, "results", json.dumps(ids), env=env, cwd=tmp_path)
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
