"""The CLI run as an operator would beside a running server: on its data dir, no config file."""

from __future__ import annotations

import asyncio
from pathlib import Path

from click.testing import CliRunner, Result

from irisd.cli.purge import purge


async def purge_beside(data_dir: str, folder: Path) -> Result:
    """`irisd purge` on `data_dir`, with an empty `--config` written in `folder`, off the loop
    (the server under test keeps running)."""
    config = folder / "empty.toml"
    config.write_text("", encoding="utf-8")
    env = {"IRISD_DATA_DIR": data_dir}
    return await asyncio.to_thread(CliRunner().invoke, purge, ["--config", str(config)], env=env)
