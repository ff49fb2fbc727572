"""The OpenAPI 3 document of the REST API (API.md in machine-readable form).

Its components also describe the WebSocket messages (JobMessage, StreamMessage, Keepalive,
SocketError), which no path refers to. tests/api/test_openapi_shapes.py checks that every
shape the server sends (api/wire.py) matches its component, field for field.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from irisd import __version__
from irisd.api.bearer import PUBLIC_ROUTES
from irisd.options import PRINT_SIDE

_STR = {"type": "string"}
_INT = {"type": "integer"}
_NULL_STR = {"type": ["string", "null"]}
_NULL_INT = {"type": ["integer", "null"]}
_TIME = {
    "type": "string",
    "format": "date-time",
    "description": "UTC, e.g. 2026-01-31T12:00:00.123Z",
}
_UUID = {"type": "string", "format": "uuid"}
_FILENAME = {
    "type": ["string", "null"],
    "description": "The photo's file name as uploaded (null when the client sent none)",
}
_LABEL = {
    "type": ["string", "null"],
    "maxLength": 100,
    "description": "A person's name or reference for the photo (optional)",
}


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required or list(props)}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _page(item: str) -> dict[str, Any]:
    return _obj(
        {
            "items": {"type": "array", "items": _ref(item)},
            "total": _INT,
            "page": _INT,
            "page_size": _INT,
        }
    )


_STATUS = {"type": "string", "enum": ["pending", "processing", "completed", "failed"]}
_CURSOR = {"type": "integer", "description": "Resume with ?since=CURSOR"}
# A job's WebSocket message (API.md): Progress, to which Completion and Error add fields.
_PROGRESS: dict[str, Any] = {
    "job_id": _UUID,
    "status": _STATUS,
    "progress": _INT,
    "step": _STR,
    "timestamp": _TIME,
    "seq": _INT,
    "attempt": _INT,
    "queue_position": _NULL_INT,
}
# Additive: what the step's contract text cannot say (sent only when there is something).
_NOTE = {
    "type": ["string", "null"],
    "description": '"Getting ready..." while the job waits for a worker that is still starting'
    " and loading its models; null otherwise. The step keeps the contract's text meanwhile.",
}
_JOB_MESSAGE: dict[str, Any] = {
    **_PROGRESS,
    "note": _NOTE,
    "result_url": _STR,  # Completion
    "processing_time_ms": _NULL_INT,
    "result_width": _NULL_INT,
    "result_height": _NULL_INT,
    "quality_score": {"type": ["number", "null"]},
    "quality_notes": {"type": "array", "items": _STR},
    "print_ready": {"type": "boolean"},
    "error_type": _NULL_STR,  # Error
    "message": _NULL_STR,
    "suggestion": _NULL_STR,
}

SCHEMAS: dict[str, Any] = {
    "Error": _obj({"detail": _STR}),
    "Credentials": _obj({"email": _STR, "password": _STR}),
    "TokenPair": _obj(
        {
            "access_token": _STR,
            "refresh_token": _STR,
            "token_type": {"type": "string", "enum": ["bearer"]},
        }
    ),
    "RefreshRequest": _obj({"refresh_token": _STR}),
    "UserRead": _obj(
        {
            "id": _UUID,
            "email": _STR,
            "is_active": {"type": "boolean"},
            "is_verified": {"type": "boolean"},
            "created_at": _TIME,
        }
    ),
    "UploadRequest": _obj({"content_type": _STR, "filename": _FILENAME, "label": _LABEL}, []),
    "LabelRequest": _obj({"label": _LABEL}),
    "UploadTicket": _obj({"upload_url": _STR, "photo_id": _UUID, "s3_key": _STR}),
    "ConfirmRequest": _obj({"file_size": _INT, "width": _INT, "height": _INT}, []),
    "Photo": _obj(
        {
            "id": _UUID,
            "user_id": _UUID,
            "s3_key": _STR,
            "original_url": _NULL_STR,
            "thumbnail_url": _NULL_STR,
            "width": _NULL_INT,
            "height": _NULL_INT,
            "file_size": _NULL_INT,
            "upload_status": {"type": "string", "enum": ["pending", "uploaded", "failed"]},
            "created_at": _TIME,
            "updated_at": _TIME,
            "filename": _FILENAME,
            "label": _LABEL,
        }
    ),
    "SubmitRequest": _obj({"photo_id": _UUID}),
    "BatchRequest": _obj(
        {"photo_ids": {"type": "array", "items": _UUID, "minItems": 1, "maxItems": 10}}
    ),
    "Job": _obj(
        {
            "job_id": _UUID,
            "photo_id": _UUID,
            "status": _STATUS,
            "current_step": _NULL_STR,
            "progress": _INT,
            "error_type": _NULL_STR,
            "error_message": _NULL_STR,
            "suggestion": _NULL_STR,
            "attempt_count": _INT,
            "result_url": _NULL_STR,
            "mask_url": _NULL_STR,
            "original_url": _NULL_STR,
            "processing_time_ms": _NULL_INT,
            "result_width": _NULL_INT,
            "result_height": _NULL_INT,
            "quality_score": {"type": ["number", "null"]},
            "quality_notes": {
                "type": "array",
                "items": _STR,
                "description": "Short sentences saying what holds a completed result back"
                " (e.g. a lid-covered part of the iris that was completed); empty for a clean"
                " result and while the job has not completed.",
            },
            "print_ready": {
                "type": ["boolean", "null"],
                "description": "Whether the completed result is large enough to print: at"
                f" least {PRINT_SIDE} px across (8.7 cm at 300 dpi). A smaller one is for"
                " screens, and its quality_notes say how to take a photo that prints. Null"
                " while the job has not completed.",
            },
            "queue_position": _NULL_INT,
            "websocket_url": _STR,
            "created_at": _TIME,
            "updated_at": _TIME,
            "note": _NOTE,
            "filename": _FILENAME,
            "label": _LABEL,
            "thumbnail_url": {**_STR, "description": "The photo's small thumbnail (tiles)"},
            "preview_url": {
                "type": ["string", "null"],
                "description": "The result as a WebP of at most 512 px, for tiles (null: none)",
            },
            "original_preview_url": {
                "type": ["string", "null"],
                "description": "The original cut to the result's square, as light (null: none)",
            },
        }
    ),
    "JobList": _obj({"jobs": {"type": "array", "items": _ref("Job")}}),
    "PhotoPage": _page("Photo"),
    "JobPage": _page("Job"),
    "Message": _obj({"message": _STR}),
    "JobMessage": _obj(_JOB_MESSAGE, list(_PROGRESS)),
    "StreamMessage": _obj({**_JOB_MESSAGE, "cursor": _CURSOR}, [*_PROGRESS, "cursor"]),
    "Keepalive": _obj({"keepalive": {"const": True}, "cursor": _CURSOR, "timestamp": _TIME}),
    "SocketError": _obj({"error": _STR, "detail": _STR}),
}

# The trash (additive): deleted photos and results, restorable until `purge_at`.
_GONE = {
    "deleted_at": _TIME,
    "purge_at": {**_TIME, "description": "When it is deleted for good ([storage] trash_days)"},
}
SCHEMAS["TrashedPhoto"] = _obj(
    {
        **SCHEMAS["Photo"]["properties"],
        **_GONE,
        "results": _INT | {"description": "Results that went with it"},
    }
)
SCHEMAS["TrashedResult"] = _obj({**SCHEMAS["Job"]["properties"], **_GONE})
SCHEMAS["Trash"] = _obj(
    {
        "trash_days": {"type": "number"},
        "photos": {"type": "array", "items": _ref("TrashedPhoto")},
        "results": {"type": "array", "items": _ref("TrashedResult")},
    }
)

# (method, path, summary, request schema or None, success status, response schema or None)
# fmt: off
_OPERATIONS: list[tuple[str, str, str, str | None, int, str | None]] = [
    ("post", "/api/v1/auth/login/json", "Log in with JSON credentials",
     "Credentials", 200, "TokenPair"),
    ("post", "/api/v1/auth/login", "Log in with the OAuth2 password form",
     "form", 200, "TokenPair"),
    ("post", "/api/v1/auth/refresh", "Rotate a refresh token (single use)",
     "RefreshRequest", 200, "TokenPair"),
    ("post", "/api/v1/auth/register", "Register (when open registration is on)",
     "Credentials", 201, "UserRead"),
    ("post", "/api/v1/auth/logout", "Revoke the user's refresh tokens",
     None, 200, "Message"),
    ("get", "/api/v1/users/me", "The current user",
     None, 200, "UserRead"),
    ("post", "/api/v1/photos/upload", "Get a presigned upload URL",
     "UploadRequest", 201, "UploadTicket"),
    ("post", "/api/v1/photos/{photo_id}/confirm", "Confirm an uploaded photo",
     "ConfirmRequest", 200, "Photo"),
    ("post", "/api/v1/photos", "Upload a photo directly (multipart field `file`)",
     "multipart", 201, "Photo"),
    ("get", "/api/v1/photos", "List photos, newest first",
     None, 200, "PhotoPage"),
    ("get", "/api/v1/photos/{photo_id}", "One photo",
     None, 200, "Photo"),
    ("patch", "/api/v1/photos/{photo_id}", "Set or clear a photo's label",
     "LabelRequest", 200, "Photo"),
    ("delete", "/api/v1/photos/{photo_id}",
     "Delete a photo with its results and jobs (to the trash for [storage] trash_days)",
     None, 204, None),
    ("post", "/api/v1/photos/{photo_id}/restore", "Restore a deleted photo with its results",
     None, 200, "Photo"),
    ("post", "/api/v1/processing/submit", "Process one photo (high priority)",
     "SubmitRequest", 201, "Job"),
    ("post", "/api/v1/processing/batch", "Process up to 10 photos",
     "BatchRequest", 201, "JobList"),
    ("get", "/api/v1/processing/jobs", "List jobs, newest first",
     None, 200, "JobPage"),
    ("get", "/api/v1/processing/jobs/{job_id}", "One job",
     None, 200, "Job"),
    ("post", "/api/v1/processing/jobs/{job_id}/reprocess", "A new job for the same photo",
     None, 201, "Job"),
    ("post", "/api/v1/processing/jobs/{job_id}/cancel", "Cancel a pending or running job",
     None, 200, "Job"),
    ("delete", "/api/v1/processing/jobs/{job_id}", "Delete a finished job's result (to the trash)",
     None, 204, None),
    ("post", "/api/v1/processing/jobs/{job_id}/restore", "Restore a deleted result",
     None, 200, "Job"),
    ("get", "/api/v1/trash", "The user's deleted photos and results, until purged",
     None, 200, "Trash"),
]
# fmt: on

_SEARCH = {
    "name": "label",
    "in": "query",
    "schema": _STR,
    "description": "Only photos (or jobs of photos) whose label or file name contains this,"
    " ignoring case",
}

_ERRORS = {
    "400": "Bad input",
    "401": "No, invalid or expired token",
    "403": "Not allowed (registration closed)",
    "404": "Unknown or not yours",
    "408": "An upload body that did not arrive within [uploads] body_timeout_s",
    "409": "Conflict (a photo not uploaded yet, or rejected)",
    "413": "Too large",
    "415": "Unsupported type",
    "422": "Invalid field",
    "429": "Queue full, too many failed sign-ins or too many uploads at once (Retry-After)",
}


def _body(kind: str) -> dict[str, Any]:
    if kind == "form":
        schema = _obj({"username": _STR, "password": _STR})
        return {"content": {"application/x-www-form-urlencoded": {"schema": schema}}}
    if kind == "multipart":
        schema = _obj({"file": {"type": "string", "format": "binary"}})
        return {"content": {"multipart/form-data": {"schema": schema}}}
    return {"content": {"application/json": {"schema": _ref(kind)}}}


def _operation(
    path: str, summary: str, body: str | None, status: int, reply: str | None
) -> dict[str, Any]:
    success: dict[str, Any] = {"description": "OK"}
    if reply:
        success["content"] = {"application/json": {"schema": _ref(reply)}}
    responses = {str(status): success}
    if path.endswith("/reprocess"):
        responses["200"] = {
            **success,
            "description": "The photo's job that is still waiting (asked again before it ran)",
        }
    error = {"content": {"application/json": {"schema": _ref("Error")}}}
    responses.update({code: {"description": text, **error} for code, text in _ERRORS.items()})
    op: dict[str, Any] = {"summary": summary, "responses": responses}
    params = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    paging = path in ("/api/v1/photos", "/api/v1/processing/jobs") and body is None
    op["parameters"] = [
        {"name": p, "in": "path", "required": True, "schema": _UUID} for p in params
    ] + (
        [{"name": n, "in": "query", "schema": _INT} for n in ("page", "page_size")] + [_SEARCH]
        if paging
        else []
    )
    if paging and path == "/api/v1/processing/jobs":
        op["parameters"].append({"name": "photo_id", "in": "query", "schema": _UUID})
    if body:
        op["requestBody"] = {"required": True, **_body(body)}
    op["security"] = [] if path in PUBLIC_ROUTES else [{"bearer": []}]
    return op


@cache
def document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for method, path, summary, body, status, reply in _OPERATIONS:
        paths.setdefault(path, {})[method] = _operation(path, summary, body, status, reply)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "irisd",
            "version": __version__,
            "description": (
                "Iris photo processing. Live progress over WebSockets (see API.md): "
                "/ws/jobs/{job_id}?token=ACCESS[&since=SEQ] for one job, and "
                "/ws/jobs?token=ACCESS[&since=CURSOR] for all of the user's jobs, each message "
                "with a `cursor` to resume from; keepalives are {keepalive, cursor, timestamp}. "
                "A Completion message also carries the Job's `quality_notes`. The messages are "
                "the components JobMessage, StreamMessage, Keepalive and SocketError. Times are "
                "UTC with a `Z` suffix, on REST and WebSocket alike."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
