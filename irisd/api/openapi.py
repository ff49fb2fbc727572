"""The OpenAPI 3 document of the REST API (API.md in machine-readable form).

Its components also describe the WebSocket messages (JobMessage, StreamMessage, Keepalive,
SocketError), which no path refers to. tests/api/test_openapi_shapes.py checks that every
shape the server sends (api/wire.py) matches its component, field for field.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from irisd import __version__
from irisd.api import openapi_privacy
from irisd.api.bearer import PUBLIC_ROUTES
from irisd.api.openapi_parts import (
    FILENAME,
    INT,
    LABEL,
    NULL_INT,
    NULL_STR,
    STR,
    TIME,
    UUID,
    obj,
    page,
    ref,
)
from irisd.options import PRINT_SIDE

_STATUS = {"type": "string", "enum": ["pending", "processing", "completed", "failed"]}
_CURSOR = {"type": "integer", "description": "Resume with ?since=CURSOR"}
# A job's WebSocket message (API.md): Progress, to which Completion and Error add fields.
_PROGRESS: dict[str, Any] = {
    "job_id": UUID,
    "status": _STATUS,
    "progress": INT,
    "step": STR,
    "timestamp": TIME,
    "seq": INT,
    "attempt": INT,
    "queue_position": NULL_INT,
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
    "result_url": STR,  # Completion
    "processing_time_ms": NULL_INT,
    "result_width": NULL_INT,
    "result_height": NULL_INT,
    "quality_score": {"type": ["number", "null"]},
    "quality_notes": {"type": "array", "items": STR},
    "warnings": {"type": "array", "items": STR},
    "needs_check": {"type": "boolean"},
    "print_ready": {"type": "boolean"},
    "error_type": NULL_STR,  # Error
    "message": NULL_STR,
    "suggestion": NULL_STR,
}

SCHEMAS: dict[str, Any] = {
    "Error": obj({"detail": STR}),
    "Credentials": obj({"email": STR, "password": STR}),
    "TokenPair": obj(
        {
            "access_token": STR,
            "refresh_token": STR,
            "token_type": {"type": "string", "enum": ["bearer"]},
        }
    ),
    "RefreshRequest": obj({"refresh_token": STR}),
    "UserRead": obj(
        {
            "id": UUID,
            "email": STR,
            "is_active": {"type": "boolean"},
            "is_verified": {"type": "boolean"},
            "created_at": TIME,
        }
    ),
    "UploadRequest": obj({"content_type": STR, "filename": FILENAME, "label": LABEL}, []),
    "LabelRequest": obj({"label": LABEL}),
    "UploadTicket": obj({"upload_url": STR, "photo_id": UUID, "s3_key": STR}),
    "ConfirmRequest": obj({"file_size": INT, "width": INT, "height": INT}, []),
    "Photo": obj(
        {
            "id": UUID,
            "user_id": UUID,
            "s3_key": STR,
            "original_url": NULL_STR,
            "thumbnail_url": NULL_STR,
            "width": NULL_INT,
            "height": NULL_INT,
            "file_size": NULL_INT,
            "upload_status": {"type": "string", "enum": ["pending", "uploaded", "failed"]},
            "created_at": TIME,
            "updated_at": TIME,
            "filename": FILENAME,
            "label": LABEL,
        }
    ),
    "SubmitRequest": obj({"photo_id": UUID}),
    "BatchRequest": obj(
        {"photo_ids": {"type": "array", "items": UUID, "minItems": 1, "maxItems": 10}}
    ),
    "Job": obj(
        {
            "job_id": UUID,
            "photo_id": UUID,
            "status": _STATUS,
            "current_step": NULL_STR,
            "progress": INT,
            "error_type": NULL_STR,
            "error_message": NULL_STR,
            "suggestion": NULL_STR,
            "attempt_count": INT,
            "result_url": NULL_STR,
            "mask_url": NULL_STR,
            "original_url": NULL_STR,
            "processing_time_ms": NULL_INT,
            "result_width": NULL_INT,
            "result_height": NULL_INT,
            "quality_score": {"type": ["number", "null"]},
            "quality_notes": {
                "type": "array",
                "items": STR,
                "description": "Short sentences saying what holds a completed result back"
                " (e.g. a lid-covered part of the iris that was completed); empty for a clean"
                " result and while the job has not completed.",
            },
            "warnings": {
                "type": "array",
                "items": STR,
                "description": "The quality_notes that are flaws: what the pipeline doubts the"
                " result for (e.g. part of the shown disc may not be iris). Empty for a clean"
                " result, for one with only information notes (a part completed, a size for"
                " screens) and while the job has not completed.",
            },
            "needs_check": {
                "type": ["boolean", "null"],
                "description": "True when the completed result has warnings: check this print"
                " before use. False for a result the pipeline has no reason to doubt; null"
                " while the job has not completed.",
            },
            "print_ready": {
                "type": ["boolean", "null"],
                "description": "Whether the completed result is large enough to print: at"
                f" least {PRINT_SIDE} px across (8.7 cm at 300 dpi). A smaller one is for"
                " screens, and its quality_notes say how to take a photo that prints. Null"
                " while the job has not completed.",
            },
            "queue_position": NULL_INT,
            "websocket_url": STR,
            "created_at": TIME,
            "updated_at": TIME,
            "note": _NOTE,
            "filename": FILENAME,
            "label": LABEL,
            "thumbnail_url": {**STR, "description": "The photo's small thumbnail (tiles)"},
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
    "JobList": obj({"jobs": {"type": "array", "items": ref("Job")}}),
    "PhotoPage": page("Photo"),
    "JobPage": page("Job"),
    "Message": obj({"message": STR}),
    "JobMessage": obj(_JOB_MESSAGE, list(_PROGRESS)),
    "StreamMessage": obj({**_JOB_MESSAGE, "cursor": _CURSOR}, [*_PROGRESS, "cursor"]),
    "Keepalive": obj({"keepalive": {"const": True}, "cursor": _CURSOR, "timestamp": TIME}),
    "SocketError": obj({"error": STR, "detail": STR}),
}

# The trash (additive): deleted photos and results, restorable until `purge_at`.
_GONE = {
    "deleted_at": TIME,
    "purge_at": {**TIME, "description": "When it is deleted for good ([storage] trash_days)"},
}
SCHEMAS["TrashedPhoto"] = obj(
    {
        **SCHEMAS["Photo"]["properties"],
        **_GONE,
        "results": INT | {"description": "Results that went with it"},
    }
)
SCHEMAS["TrashedResult"] = obj({**SCHEMAS["Job"]["properties"], **_GONE})
SCHEMAS["Trash"] = obj(
    {
        "trash_days": {"type": "number"},
        "photos": {"type": "array", "items": ref("TrashedPhoto")},
        "results": {"type": "array", "items": ref("TrashedResult")},
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
    "schema": STR,
    "description": "Only photos (or jobs of photos) whose label or file name contains this,"
    " ignoring case",
}

_ERRORS = {
    "400": "Bad input",
    "401": "No, invalid or expired token",
    "403": "Not allowed (registration closed; no consent on record for the photo's person)",
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
        schema = obj({"username": STR, "password": STR})
        return {"content": {"application/x-www-form-urlencoded": {"schema": schema}}}
    if kind == "multipart":
        schema = obj({"file": {"type": "string", "format": "binary"}})
        return {"content": {"multipart/form-data": {"schema": schema}}}
    return {"content": {"application/json": {"schema": ref(kind)}}}


def _operation(
    method: str, path: str, summary: str, body: str | None, status: int, reply: str | None
) -> dict[str, Any]:
    success: dict[str, Any] = {"description": "OK"}
    if reply == "zip":
        success["content"] = openapi_privacy.ZIP
    elif reply:
        success["content"] = {"application/json": {"schema": ref(reply)}}
    responses = {str(status): success}
    if path.endswith("/reprocess"):
        responses["200"] = {
            **success,
            "description": "The photo's job that is still waiting (asked again before it ran)",
        }
    error = {"content": {"application/json": {"schema": ref("Error")}}}
    responses.update({code: {"description": text, **error} for code, text in _ERRORS.items()})
    op: dict[str, Any] = {"summary": summary, "responses": responses}
    params = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    paging = path in ("/api/v1/photos", "/api/v1/processing/jobs") and body is None
    op["parameters"] = [
        {"name": p, "in": "path", "required": True, "schema": UUID} for p in params
    ] + (
        [{"name": n, "in": "query", "schema": INT} for n in ("page", "page_size")] + [_SEARCH]
        if paging
        else []
    )
    if paging and path == "/api/v1/processing/jobs":
        op["parameters"].append({"name": "photo_id", "in": "query", "schema": UUID})
    if method == "get" and path.endswith(openapi_privacy.LABELLED):
        op["parameters"].append(openapi_privacy.LABEL_QUERY)
    if body:
        op["requestBody"] = {"required": True, **_body(body)}
    op["security"] = [] if path in PUBLIC_ROUTES else [{"bearer": []}]
    return op


@cache
def document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for method, path, summary, body, status, reply in _OPERATIONS + openapi_privacy.OPERATIONS:
        paths.setdefault(path, {})[method] = _operation(method, path, summary, body, status, reply)
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
                "A Completion message also carries the Job's `quality_score`, `quality_notes`, "
                "`warnings`, `needs_check` and `print_ready`. The messages are "
                "the components JobMessage, StreamMessage, Keepalive and SocketError. Times are "
                "UTC with a `Z` suffix, on REST and WebSocket alike."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": SCHEMAS | openapi_privacy.SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
