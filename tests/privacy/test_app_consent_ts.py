"""The IrisArt app's own consent client (`mobile/src/services/consent.ts`) run under Node
against a real irisd: status false, jurisdiction and text, grant, status true, withdraw,
status false. The camera screen's calls are made in its order (tests/privacy/node).

The app's file is read from its repository's mirror (IRISART_REPO) and never copied here;
Node 20 cannot run TypeScript and no TypeScript tool is installed, so
tests/support/node/strip_types.mjs removes the file's type syntax, and
tests/support/node/api.mjs stands in for the app's axios client.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from irisd.privacy.jurisdictions import consent_text
from tests.conftest import Irisd
from tests.support.clients import ApiClient

NODE_DIR = Path(__file__).parent / "node"
SHARED_NODE = Path(__file__).parents[1] / "support" / "node"  # strip_types.mjs, api.mjs
APP_REPO = Path(os.environ.get("IRISART_REPO", "/work/.mirror/jbellot+iris-art/repo"))
CONSENT_TS = "mobile/src/services/consent.ts"


def app_source() -> str:
    node = shutil.which("node")
    if node is None or not APP_REPO.exists():
        pytest.skip(f"node or the app's repository ({APP_REPO}) is absent")
    shown = subprocess.run(
        ["git", "-C", str(APP_REPO), "show", f"HEAD:{CONSENT_TS}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return shown.stdout


async def node(*args: str, env: dict[str, str], cwd: Path) -> str:
    proc = await asyncio.create_subprocess_exec(
        "node", *args, cwd=cwd, env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return out.decode()


@pytest.mark.timeout(60)
async def test_the_apps_consent_client_runs_the_whole_flow_against_irisd(
    start_server: Callable[..., Awaitable[Irisd]],
    user_factory: Callable[..., Awaitable[ApiClient]],
    tmp_path: Path,
) -> None:
    source = app_source()
    irisd = await start_server(privacy={"jurisdiction": "bipa"})
    api = await user_factory(irisd)
    (tmp_path / "consent.ts").write_text(source, encoding="utf-8")
    shutil.copy(SHARED_NODE / "api.mjs", tmp_path / "api.mjs")
    shutil.copy(NODE_DIR / "camera_flow.mjs", tmp_path / "camera_flow.mjs")
    strip = str(SHARED_NODE / "strip_types.mjs")
    await node(strip, "consent.ts", "consent.mjs", env={}, cwd=tmp_path)
    assert api.access_token is not None
    env = {"IRISD_URL": irisd.url, "IRISD_TOKEN": api.access_token}

    steps = json.loads(await node("camera_flow.mjs", env=env, cwd=tmp_path))

    shown = consent_text(irisd.settings.privacy)
    info = steps[1][1]
    assert [name for name, _ in steps] == [
        "status", "jurisdiction", "grant", "status", "withdraw", "status",
    ]  # fmt: skip
    assert steps[0][1] is False
    assert info["jurisdiction"] == "bipa"
    assert info["consent_requirements"]["consent_text"] == shown.text
    assert info["consent_requirements"]["consent_text_version"] == shown.version
    assert [value for _, value in steps[2:]] == [True, True, False, False]
    [record] = (await api.get("/api/v1/privacy/consent")).expect(200)["consents"]
    assert (record["jurisdiction"], record["source"], record["granted"]) == ("bipa", "app", False)
