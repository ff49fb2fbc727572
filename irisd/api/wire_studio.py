"""The art studio's JSON shapes (issue 27), as the app's client code reads them.

The app is not consistent, and what its code reads wins: its style and export screens read
camelCase (`displayName`, `previewUrl`, `fileSizeBytes`; its types say so, its backend's
snake_case schemas do not), its fusion screens snake_case (`fusion_id`, `result_url`). So
the style and export replies are camelCase and the fusion replies snake_case, each with
additive fields in the same case (docs/studio-api.md; /api/openapi.json).
"""

from __future__ import annotations

from typing import Any

from irisd.api.wire import ObjectUrl
from irisd.art.styles import Preset
from irisd.jobs import art_params
from irisd.jobs.model import JobKind, JobStatus, LiveState
from irisd.jobs.store import JobRecord, Named
from irisd.storage import keys

Json = dict[str, Any]
AVAILABLE_TIER = "free"  # the app locks what it lists as "premium": on a box nothing is


def preset(found: Preset) -> Json:
    """The app's StylePreset. Every preset is available on a box, so `tier` is "free" (the
    app offers a purchase for "premium"); `listedTier` (additive) keeps the app's own tier."""
    return {
        "id": found.id,
        "name": found.name,
        "displayName": found.display_name,
        "description": found.description,
        "category": found.category,
        "tier": AVAILABLE_TIER,
        "listedTier": found.tier,
        "thumbnailUrl": None,
        "sortOrder": found.sort_order,
    }


def presets(found: tuple[Preset, ...]) -> Json:
    """The app's StyleListResponse: every preset under `free`, none under `premium`."""
    return {"free": [preset(item) for item in found], "premium": []}


def _done(state: LiveState) -> bool:
    return state.status is JobStatus.COMPLETED and state.result_key is not None


def _result_url(state: LiveState, url: ObjectUrl) -> str | None:
    return url(state.result_key) if state.result_key and _done(state) else None


def _preview_url(found: Named, url: ObjectUrl) -> str | None:
    state = found.record.state
    return (
        url(keys.preview(state.user_id, state.job_id)) if _done(state) and found.previews else None
    )


def _common(record: JobRecord) -> Json:
    """The camelCase fields the style and export jobs share."""
    s = record.state
    return {
        "id": s.job_id,
        "status": s.status.value,
        "progress": s.progress,
        "currentStep": s.display,
        "processingTimeMs": s.processing_time_ms,
        "errorType": s.error_type,
        "errorMessage": s.error_message,
        "createdAt": record.created_at,
        "websocketUrl": f"/ws/jobs/{s.job_id}",
        # additive
        "suggestion": s.suggestion,
        "photoId": s.photo_id,
        "attemptCount": s.attempt,
        "queuePosition": s.queue_position if s.status is JobStatus.PENDING else None,
        "updatedAt": s.updated_at,
    }


def style_job(found: Named, shown: Preset, url: ObjectUrl) -> Json:
    """The app's StyleJob, with additive sizes and the processing job it styled."""
    s = found.record.state
    source = next(iter(art_params.source_ids(found.params)), None)
    return {
        **_common(found.record),
        "previewUrl": _preview_url(found, url),
        "resultUrl": _result_url(s, url),
        "stylePreset": preset(shown),
        "processingJobId": source,
        "resultWidth": s.result_width,
        "resultHeight": s.result_height,
    }


SOURCE_TYPES = {JobKind.PROCESS: "processed", JobKind.STYLE: "styled"}


def export_job(found: Named, url: ObjectUrl) -> Json:
    """The app's ExportJob (`isPaid` is always true: a box takes no payments), with the
    additive print facts: dpi (written in the file), format, enlarged (larger than the
    photo's own detail), nativePx (the largest side that detail supports), detailDpi (that
    detail per inch of the chosen print), printSize."""
    s = found.record.state
    info, params = found.result_info, found.params
    source = next(iter(art_params.source_ids(params)), None)
    return {
        **_common(found.record),
        "isPaid": True,
        "resultUrl": _result_url(s, url),
        "resultWidth": s.result_width,
        "resultHeight": s.result_height,
        "fileSizeBytes": s.file_size_bytes,
        "previewUrl": _preview_url(found, url),
        "sourceType": params.get("source_type"),
        "sourceJobId": source,
        "printSize": params.get("print_size"),
        "format": info.get("format", params.get("format", "png")),
        "dpi": info.get("dpi"),
        "enlarged": info.get("enlarged"),
        "nativePx": info.get("native_px", params.get("native_px")),
        "detailDpi": info.get("detail_dpi"),
    }


def payment_status(job_id: str) -> Json:
    """What the app polls after a purchase: paid, always, on a box."""
    return {"job_id": job_id, "is_paid": True}


def page(items: list[Json], total: int) -> Json:
    """The app's StyleJobListResponse and ExportJobListResponse: {"items","total"}."""
    return {"items": items, "total": total}


def fusion_submitted(record: JobRecord) -> Json:
    """The app's FusionSubmitResponse: submitted at once (every artwork is the caller's own,
    so no consent between users is ever pending)."""
    job_id = record.state.job_id
    return {"fusion_id": job_id, "status": "submitted", "websocket_url": f"/ws/jobs/{job_id}"}


def fusion(found: Named, url: ObjectUrl) -> Json:
    """The app's FusionArtwork (snake_case), with additive progress, step and error fields."""
    s = found.record.state
    params = found.params
    failed = s.status is JobStatus.FAILED
    return {
        "id": s.job_id,
        "creator_id": s.user_id,
        "fusion_type": s.kind.value,
        "blend_mode": params.get("mode"),
        "layout": params.get("layout"),
        "status": s.status.value,
        "result_url": _result_url(s, url),
        "thumbnail_url": _preview_url(found, url),
        "source_artwork_ids": art_params.source_ids(params),
        "created_at": found.record.created_at,
        "completed_at": s.updated_at if _done(s) else None,
        "error": s.error_message if failed else None,
        # additive
        "progress": s.progress,
        "current_step": s.step.value if s.step else None,
        "current_step_display": s.display,
        "error_type": s.error_type,
        "suggestion": s.suggestion,
        "result_width": s.result_width,
        "result_height": s.result_height,
        "websocket_url": f"/ws/jobs/{s.job_id}",
    }
