"""Run a real `irisd serve` subprocess (for restarts and SIGKILL) and write its config file."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from irisd.config import Settings

REPO = Path(__file__).resolve().parents[2]


def to_toml(settings: Settings) -> str:
    """The settings as an irisd.toml text (flat sections of scalars)."""
    lines = [f"data_dir = {_value(settings.data_dir)}"]
    for field in dataclasses.fields(settings):
        section = getattr(settings, field.name)
        if not dataclasses.is_dataclass(section):
            continue
        lines.append(f"\n[{field.name}]")
        for key, value in dataclasses.asdict(section).items():  # type: ignore[arg-type]
            lines.append(f"{key} = {_value(value)}")
    return "\n".join(lines) + "\n"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


class ServerProcess:
    """`irisd serve` in a subprocess; `url` is read from its first line (no polling)."""

    def __init__(self, settings: Settings, config_path: Path, port: int = 0) -> None:
        self.settings = settings
        self.config_path = config_path
        self.port = port
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""
        self.log_path = config_path.with_suffix(".log")

    def start(self) -> str:
        self.config_path.write_text(to_toml(self.settings), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("IRISD_")}
        env["PYTHONPATH"] = str(REPO)
        with self.log_path.open("a", encoding="utf-8") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "irisd",
                    "serve",
                    "--config",
                    str(self.config_path),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                cwd=REPO,
                env=env,
            )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()
        assert first.startswith("irisd listening on "), f"server did not start: {first!r}"
        self.url = first.removeprefix("irisd listening on ").strip()
        self.port = int(self.url.rsplit(":", 1)[1])
        return self.url

    def kill(self) -> None:
        """SIGKILL, as a crash or power loss would."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> int:
        """SIGTERM and wait for a clean exit; returns the exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)

    def restart(self) -> str:
        """Kill and start again on the same port and data dir."""
        self.kill()
        return self.start()

    def logs(self) -> str:
        return self.log_path.read_text(encoding="utf-8") if self.log_path.exists() else ""
