"""The OpenAPI document's building blocks, shared by openapi.py and openapi_privacy.py."""

from __future__ import annotations

from typing import Any

STR = {"type": "string"}
INT = {"type": "integer"}
NULL_STR = {"type": ["string", "null"]}
NULL_INT = {"type": ["integer", "null"]}
TIME = {
    "type": "string",
    "format": "date-time",
    "description": "UTC, e.g. 2026-01-31T12:00:00.123Z",
}
UUID = {"type": "string", "format": "uuid"}
FILENAME = {
    "type": ["string", "null"],
    "description": "The photo's file name as uploaded (null when the client sent none)",
}
LABEL = {
    "type": ["string", "null"],
    "maxLength": 100,
    "description": "A person's name or reference for the photo (optional)",
}


def obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required or list(props)}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def page(item: str) -> dict[str, Any]:
    return obj(
        {
            "items": {"type": "array", "items": ref(item)},
            "total": INT,
            "page": INT,
            "page_size": INT,
        }
    )
