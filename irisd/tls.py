"""HTTPS for the LAN: a self-signed certificate for the box's names, its fingerprint, and the
server's SSL context from `[server] tls_cert` / `tls_key`.

Phones cannot get a public certificate for a box on a clinic LAN, so `irisd tls self-signed`
makes one for every name and address the box answers to (its host name, `<host>.local`,
localhost, its LAN address and loopback) and prints the SHA-256 fingerprint of the
certificate, which the app pins. EC P-256: small, fast handshakes on phones.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import ipaddress
import os
import socket
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from irisd.errors import ConfigError

DEFAULT_DAYS = 825  # the longest lifetime Apple platforms accept for a TLS server certificate


def lan_names() -> list[str]:
    """This box's host name, `<host>.local`, localhost and its addresses (no packet sent)."""
    host = socket.gethostname()
    names = [host, f"{host}.local", "localhost", "127.0.0.1", "::1"]
    with contextlib.suppress(OSError):  # no resolvable host name: the rest still serve
        names.append(socket.gethostbyname(host))
    return list(dict.fromkeys(names))


def self_signed(
    names: list[str], days: int = DEFAULT_DAYS, now: datetime.datetime | None = None
) -> tuple[bytes, bytes]:
    """(certificate PEM, private key PEM) of a new self-signed server certificate for `names`."""
    key = ec.generate_private_key(ec.SECP256R1())
    start = now or datetime.datetime.now(datetime.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0][:64])])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start - datetime.timedelta(minutes=5))
        .not_valid_after(start + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([_general_name(n) for n in names]), False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def fingerprint(cert_pem: bytes) -> str:
    """SHA-256 of the certificate's DER bytes, as AB:CD:... (what the app pins)."""
    der = x509.load_pem_x509_certificate(cert_pem).public_bytes(serialization.Encoding.DER)
    return ":".join(f"{byte:02X}" for byte in hashlib.sha256(der).digest())


def write_pair(directory: Path, cert_pem: bytes, key_pem: bytes) -> tuple[Path, Path]:
    """Write tls.crt (0644) and tls.key (0600, created private) into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "tls.crt", directory / "tls.key"
    key_path.unlink(missing_ok=True)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key_pem)
    cert_path.write_bytes(cert_pem)
    return cert_path, key_path


def server_context(cert_path: str, key_path: str) -> ssl.SSLContext:
    """The server's TLS context (TLS 1.2+), or ConfigError naming the setting."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert_path, key_path)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"[server] tls_cert / tls_key: cannot load them: {exc}") from exc
    return context


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)
