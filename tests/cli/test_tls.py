"""HTTPS on the LAN: `irisd tls self-signed` and `irisd serve` with [server] tls_cert/tls_key."""

from __future__ import annotations

import asyncio
import hashlib
import ssl
import stat
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest
from click.testing import CliRunner
from cryptography import x509

from irisd.cli import _register, cli
from irisd.config import ServerSettings
from irisd.errors import ConfigError
from tests.conftest import fresh_settings
from tests.support.server import ServerProcess


def make_pair(tmp_path: Path, *names: str) -> tuple[Path, Path, str]:
    _register()
    args = ["tls", "self-signed", "--out", str(tmp_path / "tls")]
    for name in names:
        args += ["--name", name]
    result = CliRunner().invoke(
        cli, args, env={"IRISD_DATA_DIR": str(tmp_path / "d")}, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    printed = result.output.split("SHA-256 fingerprint: ", 1)[1].split("\n", 1)[0]
    return tmp_path / "tls" / "tls.crt", tmp_path / "tls" / "tls.key", printed


def test_self_signed_covers_the_lan_names_and_prints_the_pinned_fingerprint(
    tmp_path: Path,
) -> None:
    cert_path, key_path, printed = make_pair(tmp_path, "irisd.clinic.test", "10.1.2.3")
    der = ssl.PEM_cert_to_DER_cert(cert_path.read_text(encoding="ascii"))
    assert printed == ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    cert = x509.load_der_x509_certificate(der)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    dns = names.get_values_for_type(x509.DNSName)
    ips = [str(ip) for ip in names.get_values_for_type(x509.IPAddress)]
    assert {"irisd.clinic.test", "localhost"} <= set(dns)
    assert {"10.1.2.3", "127.0.0.1"} <= set(ips)


def test_cert_and_key_go_together() -> None:
    with pytest.raises(ConfigError, match="tls_cert and tls_key"):
        ServerSettings(tls_cert="/etc/irisd/tls.crt")


async def test_serve_speaks_https_and_wss_with_the_certificate(
    tmp_path: Path, server_process: Callable[..., ServerProcess]
) -> None:
    cert_path, key_path, _ = make_pair(tmp_path)
    settings = fresh_settings(
        tmp_path, server={"tls_cert": str(cert_path), "tls_key": str(key_path)}
    )
    proc = await asyncio.to_thread(server_process, settings)
    assert proc.url.startswith("https://127.0.0.1:")
    trusted = ssl.create_default_context(cafile=str(cert_path))  # as the app pins it
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{proc.url}/healthz", ssl=trusted) as reply:
            assert reply.status == 200
            assert reply.headers["Strict-Transport-Security"] == "max-age=31536000"
        wss = proc.url.replace("https", "wss") + "/ws/jobs"
        async with session.ws_connect(wss, ssl=trusted) as ws:
            refused = await asyncio.wait_for(ws.receive_json(), timeout=30)
        assert refused["detail"]  # the token check answered over WSS
        # Plain HTTP on the same port is not served.
        with pytest.raises(aiohttp.ClientError):
            await session.get(proc.url.replace("https", "http") + "/healthz")


async def test_a_tls_handshake_that_never_comes_is_ended_by_the_head_timeout(
    tmp_path: Path, server_process: Callable[..., ServerProcess]
) -> None:
    # asyncio's own limit is 60 s, and the connection caps do not see a handshaking socket.
    cert_path, key_path, _ = make_pair(tmp_path)
    settings = fresh_settings(
        tmp_path,
        server={"tls_cert": str(cert_path), "tls_key": str(key_path), "header_timeout_s": 0.5},
    )
    proc = await asyncio.to_thread(server_process, settings)
    reader, writer = await asyncio.open_connection("127.0.0.1", proc.port)
    try:
        async with asyncio.timeout(30):  # a safety net well under asyncio's 60 s
            assert await reader.read() == b""  # the server closed it, never having heard a byte
    finally:
        writer.close()
