"""`irisd tls self-signed`: a certificate for HTTPS on the LAN, and its fingerprint to pin."""

from __future__ import annotations

from pathlib import Path

import click

from irisd import tls as certificates
from irisd.cli.settings import config_option, load_settings


@click.group()
def tls() -> None:
    """HTTPS certificates for [server] tls_cert / tls_key."""


@tls.command("self-signed")
@config_option
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Directory for tls.crt and tls.key (default: data_dir/tls).",
)
@click.option("--name", "names", multiple=True, help="Another DNS name or IP address (repeat).")
@click.option("--days", type=click.IntRange(1, 3650), default=certificates.DEFAULT_DAYS,
              show_default=True, help="Days the certificate is valid.")  # fmt: skip
def self_signed(
    config_path: Path | None, out: Path | None, names: tuple[str, ...], days: int
) -> None:
    """Make a self-signed certificate for this box's LAN names and addresses.

    Prints the certificate's SHA-256 fingerprint (pin it in the app) and the two lines to put
    under [server] in irisd.toml.
    """
    settings = load_settings(config_path)
    all_names = list(dict.fromkeys([*certificates.lan_names(), *names]))
    cert_pem, key_pem = certificates.self_signed(all_names, days)
    cert_path, key_path = certificates.write_pair(
        out or settings.data_path / "tls", cert_pem, key_pem
    )
    click.echo(f"SHA-256 fingerprint: {certificates.fingerprint(cert_pem)}")
    click.echo(f"names: {', '.join(all_names)}")
    click.echo("add to irisd.toml under [server], then restart `irisd serve`:")
    click.echo(f'tls_cert = "{cert_path.resolve()}"')
    click.echo(f'tls_key = "{key_path.resolve()}"')
