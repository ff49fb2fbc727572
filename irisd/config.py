"""Settings: typed defaults < irisd.toml < IRISD_* environment, loaded and validated once.

Each `[section]` of irisd.toml is a frozen dataclass below. An environment variable
`IRISD_<SECTION>_<KEY>` overrides `[section] key` (the section name is one word, so the name
splits at the first `_`); `IRISD_DATA_DIR` overrides the top-level `data_dir`. Nothing
below this module reads the environment or the file again.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from irisd.errors import ConfigError
from irisd.options import Occlusion, OutputFormat, check

ENV_PREFIX = "IRISD_"


@dataclass(frozen=True)
class ServerSettings:
    host: str = "0.0.0.0"  # noqa: S104 - a LAN server: phones must reach it
    port: int = 8000
    public_url: str = ""
    max_body_bytes: int = 41_943_040
    shutdown_timeout_s: float = 10.0
    metrics_token: str = ""
    tls_cert: str = ""
    tls_key: str = ""
    header_timeout_s: float = 10.0
    max_connections: int = 1000
    max_connections_per_address: int = 200
    allowed_hosts: str = ""

    def __post_init__(self) -> None:
        if bool(self.tls_cert) != bool(self.tls_key):
            raise ConfigError("tls_cert and tls_key: set both (HTTPS) or neither (HTTP)")


@dataclass(frozen=True)
class UploadSettings:
    max_bytes: int = 40_000_000
    max_pixels: int = 60_000_000
    decode_memory_mb: int = 512
    max_parallel: int = 8
    max_parallel_per_user: int = 4
    body_timeout_s: float = 120.0


@dataclass(frozen=True)
class StorageSettings:
    backend: Literal["local", "s3"] = "local"
    url_ttl_s: int = 900
    trash_days: float = 1.0
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_sse: str = "AES256"
    s3_connect_timeout_s: float = 2.0
    s3_read_timeout_s: float = 30.0


@dataclass(frozen=True)
class AuthSettings:
    secret: str = ""
    access_ttl_s: int = 1800
    refresh_ttl_s: int = 2_592_000
    open_registration: bool = False
    login_max_failures: int = 5
    account_max_failures: int = 20
    address_max_failures: int = 20
    lockout_s: float = 60.0
    lockout_max_s: float = 3600.0


@dataclass(frozen=True)
class JobsSettings:
    workers: int = 0
    device: Literal["auto", "cpu", "cuda"] = "auto"
    pipeline: str = "irisd.pipeline:process"
    studio: str = "irisd.jobs.art_work:run"
    queue_limit: int = 1000
    user_queue_limit: int = 100
    warm_start: bool = True
    time_limit_s: float = 300.0
    retry_delay_s: float = 1.0
    retry_jitter_s: float = 0.5
    executor: Literal["local", "ray"] = "local"
    ray_address: str = ""
    ray_env: str = ""


@dataclass(frozen=True)
class PipelineSettings:
    output_size: int = 2048
    output_format: OutputFormat = "png"
    use_learned: bool = True
    occlusion: Occlusion = "fill"

    def __post_init__(self) -> None:
        try:  # the pipeline's own bounds, checked at start rather than failing every job
            check(self.output_size, self.output_format, self.occlusion)
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc


@dataclass(frozen=True)
class WsSettings:
    max_connection_s: float = 600.0
    keepalive_s: float = 0.5
    send_timeout_s: float = 5.0
    origins: str = ""
    max_sockets_per_user: int = 20
    account_check_s: float = 5.0


@dataclass(frozen=True)
class LoggingSettings:
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "json", "console"] = "auto"


Jurisdiction = Literal["gdpr", "bipa", "generic"]


@dataclass(frozen=True)
class PrivacySettings:
    jurisdiction: Jurisdiction = "generic"
    # Off by default: an upgraded box keeps processing as before, and the app asks for consent
    # anyway once this box answers its privacy calls; the clinic turns it on (README).
    require_consent: bool = False
    consent_text: str = ""
    consent_text_version: str = ""
    retention_days: int = 0

    def __post_init__(self) -> None:
        if self.consent_text and not self.consent_text_version:
            # Each consent records the version it was given to: a changed text needs its own.
            raise ConfigError("consent_text_version: set it when you set consent_text")
        if self.retention_days < 0:
            raise ConfigError("retention_days: 0 (keep) or a number of days")


@dataclass(frozen=True)
class Settings:
    data_dir: str = "./data"
    server: ServerSettings = field(default_factory=ServerSettings)
    uploads: UploadSettings = field(default_factory=UploadSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    jobs: JobsSettings = field(default_factory=JobsSettings)
    pipeline: PipelineSettings = field(default_factory=PipelineSettings)
    ws: WsSettings = field(default_factory=WsSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).expanduser()


def sections() -> dict[str, type[Any]]:
    """Section name → dataclass, in declaration order."""
    hints = typing.get_type_hints(Settings)
    return {f.name: hints[f.name] for f in dataclasses.fields(Settings) if f.name != "data_dir"}


def load(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read defaults, then the TOML file (if given), then IRISD_* variables; validate once."""
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: {exc}") from exc
    _merge_env(raw, environ or {})
    return _build(raw, str(path or "settings"))


def replace(settings: Settings, **changes: Any) -> Settings:
    """A copy with `section={"key": value}` or `data_dir=...` changes applied (for tests/CLI)."""
    updates: dict[str, Any] = {}
    for name, value in changes.items():
        if isinstance(value, Mapping):
            updates[name] = dataclasses.replace(getattr(settings, name), **value)
        else:
            updates[name] = value
    return dataclasses.replace(settings, **updates)


def _merge_env(raw: dict[str, Any], environ: Mapping[str, str]) -> None:
    known = sections()
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        rest = name[len(ENV_PREFIX) :].lower()
        if rest == "data_dir":
            raw["data_dir"] = value
            continue
        section, _, key = rest.partition("_")
        if section in known and key:
            raw.setdefault(section, {})[key] = value
        # Other IRISD_* names (e.g. IRISD_DATA for the test data) are not settings.


def _build(raw: dict[str, Any], origin: str) -> Settings:
    known = sections()
    built: dict[str, Any] = {}
    for name, value in raw.items():
        if name == "data_dir":
            built[name] = _coerce(str, value, f"{origin}: data_dir")
        elif name in known and isinstance(value, dict):
            built[name] = _build_section(known[name], value, f"{origin}: [{name}]")
        else:
            raise ConfigError(f"{origin}: unknown setting {name!r}")
    return Settings(**built)


def _build_section(cls: type[Any], raw: dict[str, Any], where: str) -> Any:
    hints = typing.get_type_hints(cls)
    values = {}
    for key, value in raw.items():
        if key not in hints:
            raise ConfigError(f"{where} unknown key {key!r}")
        values[key] = _coerce(hints[key], value, f"{where} {key}")
    try:
        return cls(**values)
    except ConfigError as exc:  # a section's own check (__post_init__) names only the key
        raise ConfigError(f"{where} {exc}") from exc


def _coerce(kind: Any, value: Any, where: str) -> Any:
    """Turn a TOML value or an environment string into `kind`, or name the key and value."""
    if typing.get_origin(kind) is Literal:
        choices = typing.get_args(kind)
        if value not in choices:
            raise ConfigError(f"{where}: {value!r} is not one of {', '.join(map(str, choices))}")
        return value
    if isinstance(kind, types.UnionType):
        kind = typing.get_args(kind)[0]
    try:
        if kind is bool:
            return _to_bool(value)
        if kind in (int, float) and isinstance(value, bool):
            raise ValueError("a boolean is not a number")
        return kind(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {value!r} is not a valid {kind.__name__}") from exc


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(value)
