"""Shared fixtures: settings in tmp_path, a real server on 127.0.0.1:0, users, real eye images."""

from __future__ import annotations

import io
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import BaseRunner, TestServer

from bench.lib.datasets import data_root as research_data
from irisd import logs
from irisd.api.appkeys import DATABASE, ENGINE, STORAGE
from irisd.config import LoggingSettings, Settings, replace
from irisd.db import Database
from tests.support.clients import SEEN_SECRETS, ApiClient
from tests.support.executors import ray_cluster
from tests.support.server import ServerProcess

REPO = Path(__file__).resolve().parents[1]
__all__ = ["ray_cluster"]  # one Ray cluster per session, for every module that asks

DATA = research_data()  # $IRISD_DATA, default ../shared/data (bench/lib/datasets.py)
PASSWORD = "correct horse battery staple"  # test credential, never a real one

_LOG = io.StringIO()
_emails = itertools.count(1)


def pytest_configure(config: pytest.Config) -> None:
    # Every structured log line of in-process servers lands here for the redaction check.
    logs.configure(LoggingSettings(level="info", format="json"), stream=_LOG)


def captured_logs() -> str:
    return _LOG.getvalue()


def fresh_settings(tmp_path: Path, **changes: Any) -> Settings:
    """Fast, isolated defaults: a data dir in tmp_path, one worker, short retry delays."""
    base = replace(
        Settings(data_dir=str(tmp_path / "data")),
        server={"host": "127.0.0.1", "port": 0},
        # Workers start with the first job (no warm start): most test servers never run one.
        jobs={
            "workers": 1,
            "retry_delay_s": 0.05,
            "retry_jitter_s": 0.05,
            "device": "cpu",
            "warm_start": False,
        },
        pipeline={"output_size": 512},
    )
    return replace(base, **changes)


@pytest.fixture
def executor() -> dict[str, Any]:
    """The executor's `jobs` settings: the local pool (tests/support/executors.py: both)."""
    return {}


@pytest.fixture
def make_settings(tmp_path: Path, executor: dict[str, Any]) -> Callable[..., Settings]:
    """make_settings(jobs={"pipeline": "tests.support.pipelines:ok"}) → Settings."""
    return lambda **changes: replace(fresh_settings(tmp_path, **changes), jobs=executor)


@dataclass
class Irisd:
    """A running in-process server."""

    url: str
    app: web.Application
    settings: Settings

    @property
    def db(self) -> Database:
        return self.app[DATABASE]

    @property
    def storage(self) -> Any:
        return self.app[STORAGE]

    @property
    def engine(self) -> Any:
        return self.app[ENGINE]


class IrisdTestServer(TestServer):
    """aiohttp's TestServer on the runner `irisd serve` uses (api/http_runner.py)."""

    async def _make_runner(self, **kwargs: Any) -> BaseRunner:
        from irisd.api.http_runner import IrisdRunner

        return IrisdRunner(self.app, **kwargs)


@pytest.fixture
async def start_server(
    make_settings: Callable[..., Settings],
) -> AsyncIterator[Callable[..., Awaitable[Irisd]]]:
    """start_server(settings=None, **changes) → a real server on 127.0.0.1:0."""
    started: list[TestServer] = []

    async def start(settings: Settings | None = None, **changes: Any) -> Irisd:
        from irisd.app import create_app  # imported late: unit tests need no server

        settings = settings or make_settings(**changes)
        app = create_app(settings)
        server = IrisdTestServer(app, host="127.0.0.1", port=0)
        await server.start_server(access_log=None)
        started.append(server)
        return Irisd(str(server.make_url("")).rstrip("/"), app, settings)

    yield start
    for server in reversed(started):
        await server.close()


@pytest.fixture
async def server(start_server: Callable[..., Awaitable[Irisd]]) -> Irisd:
    return await start_server()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


async def create_user(irisd: Irisd, email: str | None = None, password: str = PASSWORD) -> Any:
    """A real user row through the same domain function the CLI uses."""
    from irisd.auth.users import create_user as create

    SEEN_SECRETS.add(password)
    return await create(irisd.db, email or f"user{next(_emails)}@example.test", password)


@pytest.fixture
def user_factory(
    session: aiohttp.ClientSession,
) -> Callable[..., Awaitable[ApiClient]]:
    """user_factory(irisd) → an ApiClient logged in as a fresh user of that server."""

    async def make(irisd: Irisd, email: str | None = None) -> ApiClient:
        user = await create_user(irisd, email)
        client = ApiClient(session, irisd.url)
        await client.login(user.email, PASSWORD)
        return client

    return make


@pytest.fixture
async def api(server: Irisd, user_factory: Callable[..., Awaitable[ApiClient]]) -> ApiClient:
    """A client logged in as a fresh user of the default test server."""
    return await user_factory(server)


@pytest.fixture
def server_process(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """server_process(settings) → a started `irisd serve` subprocess, killed at teardown."""
    procs: list[ServerProcess] = []

    def start(settings: Settings | None = None) -> ServerProcess:
        config_path = tmp_path / f"irisd{len(procs)}.toml"
        proc = ServerProcess(settings or fresh_settings(tmp_path), config_path)
        proc.start()
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        proc.kill()


def data_root() -> Path:
    if not DATA.is_dir():
        pytest.skip(f"IRISD_DATA ({DATA}) absent: the real eye images are not available")
    return DATA


@pytest.fixture(scope="session")
def eye_images() -> dict[str, list[Path]]:
    """Real eye photos by set: {"mmu": [...320x240 BMPs], "mobius": [...3000x1700 JPEGs]}."""
    root = data_root()
    return {
        "mmu": sorted((root / "mmu-kozlova" / "images").glob("*.bmp")),
        "mobius": sorted((root / "mobius-samples" / "images").glob("*.jpg")),
    }


def leaked_secrets(text: str) -> list[str]:
    """Passwords and tokens used in tests that appear in `text` (shortened for the report)."""
    return [secret[:12] + "…" for secret in SEEN_SECRETS if secret and secret in text]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # The suite-wide half of the redaction check: no token or password the tests used may
    # appear in any log line any in-process server wrote during the whole run.
    leaks = leaked_secrets(captured_logs())
    if leaks:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"SECRETS IN LOGS: {leaks}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
