"""The OpenAPI 3 document of the REST API (API.md in machine-readable form).

Its components also describe the WebSocket messages (JobMessage, StreamMessage, Keepalive,
SocketError), which no path refers to. tests/api/test_openapi_shapes.py checks that every
shape the server sends (api/wire.py) matches its component, field for field. The operations
(paths, parameters, error answers) are api/openapi_paths.py.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from irisd import __version__
from irisd.api import openapi_privacy, openapi_studio
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
from irisd.api.openapi_paths import OPERATIONS, operation
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
    **openapi_studio.MESSAGE_FIELDS,  # an art job's (additive)
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


@cache
def document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    operations = OPERATIONS + openapi_privacy.OPERATIONS + openapi_studio.OPERATIONS
    for method, path, summary, body, status, reply in operations:
        paths.setdefault(path, {})[method] = operation(method, path, summary, body, status, reply)
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
                "`warnings`, `needs_check` and `print_ready`; an art job's messages (styles, "
                "fusions, compositions, exports: docs/studio-api.md) add `kind`, its internal "
                "`current_step`, and on completion `file_size_bytes`, `preview_url` and "
                "`thumbnail_url`, on failure `error`. The messages are "
                "the components JobMessage, StreamMessage, Keepalive and SocketError. Times are "
                "UTC with a `Z` suffix, on REST and WebSocket alike."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": SCHEMAS | openapi_privacy.SCHEMAS | openapi_studio.SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
