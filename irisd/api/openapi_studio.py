"""The art studio's part of the OpenAPI document (api/styles.py, exports.py, fusion.py):
additive to API.md, in the app's own field names and cases (docs/studio-api.md)."""

from __future__ import annotations

from typing import Any

from irisd.api.openapi_parts import INT, NULL_INT, NULL_STR, STR, TIME, UUID, obj, ref

_STATUS = {"type": "string", "enum": ["pending", "processing", "completed", "failed"]}
_BOOL = {"type": "boolean"}
_NULL_BOOL = {"type": ["boolean", "null"]}
_NULL_NUMBER = {"type": ["number", "null"]}
_NULL_UUID = {"type": ["string", "null"], "format": "uuid"}
_IDS = {"type": "array", "items": STR, "minItems": 2, "maxItems": 4}

_PRESET = {
    "id": STR,
    "name": STR,
    "displayName": STR,
    "description": STR,
    "category": STR,
    "tier": {
        "type": "string",
        "enum": ["free", "premium"],
        "description": '"free" for every preset: on a box all are available (the app offers a'
        ' purchase for "premium")',
    },
    "listedTier": {**STR, "description": "The app's own tier for the preset"},
    "thumbnailUrl": NULL_STR,
    "sortOrder": INT,
}
# What the style and export jobs share (camelCase, as the app reads them).
_ART_JOB = {
    "id": UUID,
    "status": _STATUS,
    "progress": INT,
    "currentStep": {**NULL_STR, "description": "The step's text, as the WebSocket's `step`"},
    "processingTimeMs": NULL_INT,
    "errorType": NULL_STR,
    "errorMessage": NULL_STR,
    "createdAt": TIME,
    "websocketUrl": STR,
    "suggestion": NULL_STR,
    "photoId": UUID,
    "attemptCount": INT,
    "queuePosition": NULL_INT,
    "updatedAt": TIME,
    "previewUrl": {**NULL_STR, "description": "A WebP of at most 512 px (null until done)"},
    "resultUrl": NULL_STR,
    "resultWidth": NULL_INT,
    "resultHeight": NULL_INT,
}
_FUSION_REQUEST = {
    "artwork_ids": _IDS | {"description": "2 to 4 ids of the caller's processing or style jobs"},
    "circle_id": {**NULL_STR, "description": "Accepted and ignored: no circles on a box"},
}

SCHEMAS: dict[str, Any] = {
    "StylePreset": obj(_PRESET),
    "StyleList": obj(
        {
            "free": {"type": "array", "items": ref("StylePreset")},
            "premium": {"type": "array", "items": ref("StylePreset"), "maxItems": 0},
        }
    ),
    "StyleApplyRequest": obj(
        {
            "photoId": UUID,
            "stylePresetId": STR,
            "processingJobId": _NULL_UUID
            | {"description": "The print to style (default: the photo's newest result)"},
        },
        ["photoId", "stylePresetId"],
    ),
    "StyleJob": obj({**_ART_JOB, "stylePreset": ref("StylePreset"), "processingJobId": _NULL_UUID}),
    "ExportRequest": obj(
        {
            "sourceType": {"type": "string", "enum": ["processed", "styled"]},
            "sourceJobId": UUID,
            "printSize": {**NULL_STR, "description": "A print size id, e.g. 20x20cm"},
            "format": {"type": "string", "enum": ["png", "tiff"]},
        },
        ["sourceType", "sourceJobId"],
    ),
    "ExportJob": obj(
        {
            **_ART_JOB,
            "isPaid": _BOOL | {"description": "Always true: a box takes no payments"},
            "fileSizeBytes": NULL_INT,
            "sourceType": NULL_STR,
            "sourceJobId": _NULL_UUID,
            "printSize": NULL_STR,
            "format": {"type": "string", "enum": ["png", "tiff"]},
            "dpi": _NULL_NUMBER | {"description": "The dpi written in the file"},
            "enlarged": _NULL_BOOL | {"description": "Larger than the photo's own detail supports"},
            "nativePx": NULL_INT
            | {"description": "The largest side the photo's own detail supports"},
            "detailDpi": _NULL_NUMBER
            | {"description": "The photo's own detail per inch of the chosen print"},
        }
    ),
    "PaymentStatus": obj({"job_id": UUID, "is_paid": {"const": True}}),
    "FusionRequest": obj(
        {**_FUSION_REQUEST, "blend_mode": {"type": "string", "enum": ["poisson", "alpha"]}},
        ["artwork_ids"],
    ),
    "CompositionRequest": obj(
        {
            **_FUSION_REQUEST,
            "layout": {"type": "string", "enum": ["horizontal", "vertical", "grid_2x2"]},
        },
        ["artwork_ids", "layout"],
    ),
    "FusionSubmitted": obj(
        {"fusion_id": UUID, "status": {"const": "submitted"}, "websocket_url": STR}
    ),
    "Fusion": obj(
        {
            "id": UUID,
            "creator_id": UUID,
            "fusion_type": {"type": "string", "enum": ["fusion", "composition"]},
            "blend_mode": NULL_STR,
            "layout": NULL_STR,
            "status": _STATUS,
            "result_url": NULL_STR,
            "thumbnail_url": NULL_STR,
            "source_artwork_ids": {"type": "array", "items": UUID},
            "created_at": TIME,
            "completed_at": NULL_STR | {"format": "date-time"},
            "error": NULL_STR,
            "progress": INT,
            "current_step": {**NULL_STR, "description": "The internal step name"},
            "current_step_display": STR,
            "error_type": NULL_STR,
            "suggestion": NULL_STR,
            "result_width": NULL_INT,
            "result_height": NULL_INT,
            "websocket_url": STR,
        }
    ),
}
SCHEMAS["StyleJobPage"] = obj({"items": {"type": "array", "items": ref("StyleJob")}, "total": INT})
SCHEMAS["ExportJobPage"] = obj(
    {"items": {"type": "array", "items": ref("ExportJob")}, "total": INT}
)
SCHEMAS["FusionList"] = {"type": "array", "items": ref("Fusion")}

# Additive fields of an art job's WebSocket messages (wire._studio_live).
MESSAGE_FIELDS: dict[str, Any] = {
    "kind": {"type": "string", "enum": ["style", "fusion", "composition", "export"]},
    "current_step": {**NULL_STR, "description": "An art job's internal step name"},
    "file_size_bytes": NULL_INT,
    "preview_url": STR,
    "thumbnail_url": STR,
    "error": NULL_STR,
}

# (method, path, summary, request schema or None, success status, response schema or None)
# fmt: off
OPERATIONS: list[tuple[str, str, str, str | None, int, str | None]] = [
    ("get", "/api/v1/styles/presets", "The 15 style presets, every one available",
     None, 200, "StyleList"),
    ("post", "/api/v1/styles/apply", "Style a photo's print with a preset (a job)",
     "StyleApplyRequest", 201, "StyleJob"),
    ("get", "/api/v1/styles/jobs/{job_id}", "One style job", None, 200, "StyleJob"),
    ("get", "/api/v1/styles/jobs", "The caller's style jobs, newest first (?photo_id=)",
     None, 200, "StyleJobPage"),
    ("post", "/api/v1/styles/jobs/{job_id}/cancel", "Cancel a style job",
     None, 200, "StyleJob"),
    ("post", "/api/v1/styles/generate", "AI generation: not on this box (403)",
     None, 403, "Error"),
    ("post", "/api/v1/exports/hd", "Export a processed or styled print for a print size",
     "ExportRequest", 201, "ExportJob"),
    ("get", "/api/v1/exports/jobs/{job_id}", "One export job", None, 200, "ExportJob"),
    ("get", "/api/v1/exports/jobs/{job_id}/payment-status", "Always paid on a box",
     None, 200, "PaymentStatus"),
    ("post", "/api/v1/exports/jobs/{job_id}/cancel", "Cancel an export job",
     None, 200, "ExportJob"),
    ("get", "/api/v1/exports/jobs", "The caller's export jobs, newest first",
     None, 200, "ExportJobPage"),
    ("post", "/api/v1/fusion", "Blend 2 to 4 of the caller's artworks into one iris (a job)",
     "FusionRequest", 201, "FusionSubmitted"),
    ("post", "/api/v1/composition", "Lay out 2 to 4 of the caller's artworks (a job)",
     "CompositionRequest", 201, "FusionSubmitted"),
    ("get", "/api/v1/fusion/{fusion_id}", "One fusion or composition", None, 200, "Fusion"),
    ("post", "/api/v1/fusion/{fusion_id}/cancel", "Cancel a fusion or composition",
     None, 200, "Fusion"),
    ("get", "/api/v1/fusion", "The caller's fusions and compositions (?offset=&limit=)",
     None, 200, "FusionList"),
]
# fmt: on
UNAVAILABLE = {("post", "/api/v1/styles/generate")}  # documented, refused on every box

_PAGE = [{"name": n, "in": "query", "schema": INT} for n in ("page", "page_size")]
QUERY: dict[str, list[dict[str, Any]]] = {
    "/api/v1/styles/jobs": [*_PAGE, {"name": "photo_id", "in": "query", "schema": UUID}],
    "/api/v1/exports/jobs": _PAGE,
    "/api/v1/fusion": [{"name": n, "in": "query", "schema": INT} for n in ("offset", "limit")],
    "/api/v1/styles/generate": [
        {"name": n, "in": "query", "schema": STR}
        for n in ("photo_id", "processing_job_id", "prompt", "style_hint")
    ],
}
