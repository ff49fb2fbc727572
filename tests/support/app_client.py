"""The IrisArt app's own TypeScript client code, run under Node against a real irisd.

The app's files are read from its repository's mirror (IRISART_REPO) and never copied into
this repository. Node 20 runs no TypeScript and no TypeScript tool is installed:
node/strip_types.mjs removes the files' type syntax, and node/api.mjs stands in for the
app's axios client (`services/api.ts`).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import pytest

NODE = Path(__file__).parent / "node"
APP_REPO = Path(os.environ.get("IRISART_REPO", "/work/.mirror/jbellot+iris-art/repo"))


def app_file(path: str) -> str:
    """The app's file at `path` (its repository's HEAD); skips when Node or the mirror is absent."""
    if shutil.which("node") is None or not APP_REPO.exists():
        pytest.skip(f"node or the app's repository ({APP_REPO}) is absent")
    shown = subprocess.run(
        ["git", "-C", str(APP_REPO), "show", f"HEAD:{path}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return shown.stdout


async def node(*args: str, env: dict[str, str], cwd: Path) -> str:
    """Run `node args` in `cwd` with `env` added; its stdout (asserting it succeeded)."""
    proc = await asyncio.create_subprocess_exec(
        "node", *args, cwd=cwd, env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return out.decode()


async def install(services: dict[str, str], folder: Path) -> None:
    """Each of the app's `services` (name: TypeScript source) as `name.mjs` in `folder`,
    stripped of its types, beside the stand-in for its axios client."""
    for name, source in services.items():
        (folder / f"{name}.ts").write_text(source, encoding="utf-8")
        await node(str(NODE / "strip_types.mjs"), f"{name}.ts", f"{name}.mjs", env={}, cwd=folder)
    shutil.copy(NODE / "api.mjs", folder / "api.mjs")
