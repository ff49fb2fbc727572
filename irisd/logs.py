"""structlog setup (JSON, or a console renderer on a TTY) with redaction of secrets.

Tokens and passwords never reach a log line: values under sensitive keys are replaced,
`?token=` in any string is masked, and so is anything that looks like a JWT.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any, TextIO

import structlog

from irisd.config import LoggingSettings

REDACTED = "[redacted]"
_SENSITIVE_KEYS = frozenset(
    {"token", "access_token", "refresh_token", "password", "authorization", "secret", "cookie"}
)
_TOKEN_QUERY = re.compile(r"((?:^|[?&;])(?:token|access_token|refresh_token)=)[^&\s\"']*", re.I)
_JWT = re.compile(r"\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}")
_BEARER = re.compile(r"(Bearer\s+)\S+", re.I)


def redact_text(text: str) -> str:
    """Mask ?token= values, bearer credentials and JWT-shaped strings in free text."""
    text = _TOKEN_QUERY.sub(rf"\1{REDACTED}", text)
    text = _BEARER.sub(rf"\1{REDACTED}", text)
    return _JWT.sub(REDACTED, text)


def _redact_value(key: str, value: Any) -> Any:
    if key.lower() in _SENSITIVE_KEYS:
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    return value


def redact(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: the last step before rendering, so nothing escapes it."""
    return {key: _redact_value(key, value) for key, value in event_dict.items()}


def configure(settings: LoggingSettings, stream: TextIO | None = None) -> None:
    """Route structlog and stdlib logging (aiohttp, asyncio) through one redacting renderer."""
    out = stream or sys.stderr
    use_console = settings.format == "console" or (settings.format == "auto" and out.isatty())
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=out.isatty())
        if use_console
        else structlog.processors.JSONRenderer()
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
    ]
    structlog.configure(
        processors=[*shared, redact, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.ExtraAdder(), *shared],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            redact,
            renderer,
        ],
    )
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.level.upper())


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
