"""Settings: defaults < file < environment, and errors that name the key and the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from irisd import config
from irisd.errors import ConfigError


def test_environment_overrides_file(tmp_path: Path) -> None:
    path = tmp_path / "irisd.toml"
    path.write_text('[jobs]\nworkers = 3\n[storage]\nbackend = "local"\n', encoding="utf-8")
    settings = config.load(path, {"IRISD_JOBS_WORKERS": "2", "IRISD_STORAGE_S3_BUCKET": "b"})
    assert settings.jobs.workers == 2
    assert settings.storage.s3_bucket == "b"


def test_connection_limits_come_from_the_environment() -> None:
    env = {
        "IRISD_SERVER_HEADER_TIMEOUT_S": "3.5",
        "IRISD_SERVER_MAX_CONNECTIONS": "50",
        "IRISD_SERVER_MAX_CONNECTIONS_PER_ADDRESS": "5",
        "IRISD_SERVER_ALLOWED_HOSTS": "irisd.clinic.lan",
    }
    server = config.load(None, env).server
    assert (server.header_timeout_s, server.max_connections) == (3.5, 50)
    assert (server.max_connections_per_address, server.allowed_hosts) == (5, "irisd.clinic.lan")


def test_data_dir_from_environment() -> None:
    assert config.load(None, {"IRISD_DATA_DIR": "/srv/irisd"}).data_dir == "/srv/irisd"


def test_unrelated_irisd_variables_are_not_settings() -> None:
    assert config.load(None, {"IRISD_DATA": "/data/eyes"}) == config.Settings()


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"IRISD_JOBS_WORKERS": "many"}, "[jobs] workers: 'many'"),
        ({"IRISD_STORAGE_BACKEND": "ftp"}, "[storage] backend: 'ftp'"),
        ({"IRISD_AUTH_OPEN_REGISTRATION": "maybe"}, "[auth] open_registration: 'maybe'"),
        ({"IRISD_SERVER_NOSUCH": "1"}, "unknown key 'nosuch'"),
        ({"IRISD_PIPELINE_OUTPUT_SIZE": "0"}, "[pipeline] output_size: 0 is outside 64-8192"),
        ({"IRISD_PIPELINE_OUTPUT_SIZE": "9000"}, "[pipeline] output_size: 9000 is outside"),
        ({"IRISD_PIPELINE_OCCLUSION": "blur"}, "[pipeline] occlusion: 'blur' is not one of"),
    ],
)
def test_bad_values_name_the_key_and_value(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config.load(None, env)
    assert named in caught.value.text


def test_booleans_parse_from_environment() -> None:
    env = {"IRISD_AUTH_OPEN_REGISTRATION": "true"}
    assert config.load(None, env).auth.open_registration is True


def test_unknown_section_in_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "irisd.toml"
    path.write_text("[nosuch]\nx = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting 'nosuch'"):
        config.load(path, {})


def test_occlusion_from_environment_reaches_the_settings() -> None:
    assert config.Settings().pipeline.occlusion == "fill"
    env = {"IRISD_PIPELINE_OCCLUSION": "transparent"}
    assert config.load(None, env).pipeline.occlusion == "transparent"


def test_occlusion_is_checked_when_settings_are_built_in_code() -> None:
    with pytest.raises(ConfigError, match="occlusion: 'blur' is not one of fill, transparent"):
        config.PipelineSettings(occlusion="blur")  # type: ignore[arg-type]
