"""`pip install .` (not editable) in a fresh virtualenv: the console and the weights ship.

The package is built from the sources the Dockerfile copies into its build directory (there
is no Docker engine in CI, so the image's build is checked here), installed into a new
virtualenv that sees the already installed dependencies through a .pth file (offline, no
torch download) but never this checkout, and run from a directory outside the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from bench.lib.datasets import data_root
from tests.conftest import PASSWORD, fresh_settings
from tests.pipeline.eyes import encode_png, synthetic_eye
from tests.support.clients import ApiClient
from tests.support.server import to_toml

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
BUILD_DIR = "/tmp/irisd/"  # where the Dockerfile copies what it installs


def dockerfile_sources() -> list[str]:
    """The repository paths the Dockerfile copies into its build directory."""
    sources = []
    for line in (REPO / "Dockerfile").read_text(encoding="utf-8").splitlines():
        words = line.split()
        if words[:1] == ["COPY"] and words[-1].startswith(BUILD_DIR):
            sources += words[1:-1]
    return sources


@dataclass(frozen=True)
class Installed:
    venv: Path
    site_packages: Path

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)


def clean_env() -> dict[str, str]:
    """This environment without PYTHONPATH (the checkout) or IRISD_* settings."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("IRISD_")}


def run(args: list[str], cwd: Path) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=clean_env(), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("install")
    source = root / "source"
    source.mkdir()
    for name in dockerfile_sources():
        if (REPO / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(REPO / name, source / name, ignore=ignore)
        else:
            shutil.copy2(REPO / name, source / name)
    venv = root / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], root)
    python = str(venv / "bin" / "python")
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = Path(run([python, "-c", where], root).strip())
    # This environment's dependencies (pip and setuptools too), after the new environment's
    # own site-packages. A directory named in a .pth file does not get its own .pth files
    # run, so this checkout's editable install stays invisible there.
    deps = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (site / "irisd-test-deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    pip = [python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index"]
    # --ignore-installed: this environment's irisd is visible too; never uninstall it.
    run([*pip, "--ignore-installed", "--disable-pip-version-check", "-q", str(source)], root)
    return Installed(venv, site)


def test_the_install_holds_every_module_the_console_and_the_weights(
    installed: Installed,
) -> None:
    package = installed.site_packages / "irisd"
    homes = {"irisd": package, "static": package / "static", "models": package / "models"}
    for folder, home in homes.items():
        for path in (REPO / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                installed_as = home / path.relative_to(REPO / folder)
                assert installed_as.is_file(), f"{path.relative_to(REPO)} is not installed"
    where = "from irisd import resources; print(resources.STATIC_DIR, resources.MODELS_DIR)"
    static, models = run([installed.bin("python"), "-c", where], installed.venv).split()
    assert Path(static) == package / "static"
    assert Path(models) == package / "models"


@pytest.fixture
def installed_server(installed: Installed, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The installed `irisd serve` on 127.0.0.1:0, run from tmp_path; (url, data dir)."""
    settings = fresh_settings(tmp_path)
    config_path = tmp_path / "irisd.toml"
    config_path.write_text(to_toml(settings), encoding="utf-8")
    irisd = installed.bin("irisd")
    run([irisd, "users", "add", "ship@example.test", "--password", PASSWORD,
         "--config", str(config_path)], tmp_path)  # fmt: skip
    with (tmp_path / "serve.log").open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [irisd, "serve", "--config", str(config_path), "--host", "127.0.0.1", "--port", "0"],
            cwd=tmp_path,
            env=clean_env(),
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("irisd listening on "), (tmp_path / "serve.log").read_text()
        yield first.removeprefix("irisd listening on ").strip(), settings.data_path
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)


async def test_the_installed_server_serves_the_console_and_processes_a_photo(
    installed_server: tuple[str, Path], session: aiohttp.ClientSession
) -> None:
    url, data_dir = installed_server
    async with session.get(f"{url}/") as resp:
        assert resp.status == 200
        assert "<html" in (await resp.text()).lower()
    async with session.get(f"{url}/static/js/main.js") as resp:
        assert resp.status == 200

    # A real photo where the research data is present, else the drawn eye (CI may lack it).
    photos = sorted((data_root() / "mmu-kozlova" / "images").glob("*.bmp"))
    photo = photos[0].read_bytes() if photos else encode_png(synthetic_eye())
    api = ApiClient(session, url)
    await api.login("ship@example.test", PASSWORD)
    uploaded = await api.upload(photo)
    job = await api.post("/api/v1/processing/submit", {"photo_id": uploaded["id"]})
    assert job.status == 201, job.body
    *_, last = await api.watch(job.body["job_id"])
    assert last["status"] == "completed", last
    async with session.get(last["result_url"]) as resp:
        assert resp.status == 200
        assert (await resp.read()).startswith(b"\x89PNG")

    # The worker used the shipped network: its circles stood (alone or agreeing), which a
    # server without the weights never reports.
    with closing(sqlite3.connect(f"file:{data_dir / 'irisd.db'}?mode=ro", uri=True)) as db:
        (measures,) = db.execute(
            "SELECT measures FROM jobs WHERE id = ?", (job.body["job_id"],)
        ).fetchone()
    sources = {key for key in json.loads(measures) if key.startswith("source_")}
    assert sources
    assert sources <= {"source_combined", "source_edge_backed", "source_learned"}
