"""The IrisArt app's own consent client (`mobile/src/services/consent.ts`) run under Node
against a real irisd: status false, jurisdiction and text, grant, status true, withdraw,
status false. The camera screen's calls are made in its order (tests/privacy/node).

The app's file is read from its repository's mirror and run as tests/support/app_client.py
says.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from irisd.privacy.jurisdictions import consent_text
from tests.conftest import Irisd
from tests.support.app_client import app_file, install, node
from tests.support.clients import ApiClient

NODE_DIR = Path(__file__).parent / "node"
CONSENT_TS = "mobile/src/services/consent.ts"


@pytest.mark.timeout(60)
async def test_the_apps_consent_client_runs_the_whole_flow_against_irisd(
    start_server: Callable[..., Awaitable[Irisd]],
    user_factory: Callable[..., Awaitable[ApiClient]],
    tmp_path: Path,
) -> None:
    source = app_file(CONSENT_TS)
    irisd = await start_server(privacy={"jurisdiction": "bipa"})
    api = await user_factory(irisd)
    await install({"consent": source}, tmp_path)
    shutil.copy(NODE_DIR / "camera_flow.mjs", tmp_path / "camera_flow.mjs")
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
