"""Every JSON shape irisd sends (API.md), beside the request parsing of api/schemas.py.

REST handlers and the WebSocket feeds build their replies only here, so each field is spelled
once; tests/api/test_openapi_shapes.py validates what the running server sends against the
OpenAPI document (api/openapi.py). Times are the text of `irisd.timestamps` (`...Z`), on
REST and WebSocket alike. URLs of stored objects come through `url`, which turns a storage
key into a presigned URL the client can fetch as it is (api.urls.object_url).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from irisd.auth.tokens import TokenPair
from irisd.auth.users import User
from irisd.identity import UNNAMED, Identity
from irisd.jobs.model import JobKind, JobStatus, LiveState
from irisd.jobs.store import JobRecord
from irisd.options import PRINT_SIDE
from irisd.photos import UPLOADED, Photo
from irisd.privacy.consents import Consent
from irisd.privacy.erasure import Erased
from irisd.privacy.jurisdictions import ConsentText
from irisd.storage import keys
from irisd.timestamps import iso, now
from irisd.trash import TrashedPhoto, TrashedResult, purge_at

Json = dict[str, Any]
ObjectUrl = Callable[[str], str]  # storage key -> presigned, absolute URL

TIMEOUT_MESSAGE = {
    "error": "Connection timeout",
    "detail": "Maximum connection time exceeded. Job continues in background.",
}
_SOCKET_ERROR_TITLES = {400: "Bad request", 401: "Authentication failed", 404: "Job not found"}


# --- errors and operations ------------------------------------------------------------------


def error(text: str) -> Json:
    """A refused HTTP request: `{"detail": <sentence>}`."""
    return {"detail": text}


def socket_error(status: int, text: str) -> Json:
    """A refused WebSocket, sent once before close 1008: `{"error": <title>, "detail"}`."""
    return {"error": _SOCKET_ERROR_TITLES.get(status, "Request refused"), "detail": text}


def status(text: str) -> Json:
    """/healthz and /readyz when all is well."""
    return {"status": text}


# --- auth -----------------------------------------------------------------------------------


def tokens(pair: TokenPair) -> Json:
    """The login and refresh answer (TokenPair)."""
    return {
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "token_type": "bearer",
    }


def user(account: User) -> Json:
    """UserRead: {"id","email","is_active","is_verified","created_at"}."""
    return {
        "id": account.id,
        "email": account.email,
        "is_active": account.is_active,
        "is_verified": account.is_verified,
        "created_at": iso(account.created_at),
    }


def message(text: str) -> Json:
    """A plain confirmation (logout)."""
    return {"message": text}


# --- photos and pages -----------------------------------------------------------------------


def upload_ticket(photo: Photo, upload_url: str) -> Json:
    """Where to PUT the bytes of a pending photo (UploadTicket)."""
    return {"upload_url": upload_url, "photo_id": photo.id, "s3_key": photo.s3_key}


def photo(found: Photo, url: ObjectUrl) -> Json:
    """The contract's Photo. A photo that has not passed its checks has no URLs (nothing to
    download)."""
    uploaded = found.upload_status == UPLOADED
    thumbnail = keys.thumbnail(found.user_id, found.id)
    return {
        "id": found.id,
        "user_id": found.user_id,
        "s3_key": found.s3_key,
        "original_url": url(found.s3_key) if uploaded else None,
        "thumbnail_url": url(thumbnail) if uploaded else None,
        "width": found.width,
        "height": found.height,
        "file_size": found.file_size,
        "upload_status": found.upload_status,
        "created_at": found.created_at,
        "updated_at": found.updated_at,
        "filename": found.filename,  # additive to API.md: whose photo it is
        "label": found.label,
    }


def page(items: Iterable[Json], total: int, number: int, page_size: int) -> Json:
    """One page of a list (photos, jobs), newest first: {"items","total","page","page_size"}."""
    return {"items": list(items), "total": total, "page": number, "page_size": page_size}


# --- jobs -----------------------------------------------------------------------------------


GETTING_READY = "Getting ready..."


def note(state: LiveState, warm: bool) -> str | None:
    """Additive to API.md: "Getting ready..." while the job waits for a worker that is still
    starting and loading its models (its step keeps the contract's text meanwhile)."""
    waiting = state.status is JobStatus.PENDING or (
        state.status is JobStatus.PROCESSING and state.progress == 0
    )
    return GETTING_READY if waiting and not warm else None


def print_ready(state: LiveState) -> bool:
    """Whether a completed result is at least PRINT_SIDE px across: the smallest print."""
    return min(state.result_width or 0, state.result_height or 0) >= PRINT_SIDE


def job(
    record: JobRecord,
    url: ObjectUrl,
    named: Identity = UNNAMED,
    previews: int = 0,
    warm: bool = True,
) -> Json:
    """The contract's Job, with the additive `note` (see `note`), identity and previews.

    `current_step` is the display text ("Finding your iris..."), not the internal step name:
    it is what the app puts on screen, and the same text the WebSocket's `step` carries.
    `quality_notes` (additive to API.md) are short sentences on what holds a completed
    result back: `[]` for a clean result and for a job that has not completed. `warnings`
    (additive) are those of them that are flaws, and `needs_check` says whether there are
    any: the pipeline doubts the result, check the print (null before it completes).
    `print_ready` (additive) says whether a completed result is large enough to print.
    """
    s = record.state
    done = s.status is JobStatus.COMPLETED
    return {
        "job_id": s.job_id,
        "photo_id": s.photo_id,
        "status": s.status.value,
        "current_step": s.display,
        "progress": s.progress,
        "error_type": s.error_type,
        "error_message": s.error_message,
        "suggestion": s.suggestion,
        "attempt_count": s.attempt,
        "result_url": url(s.result_key) if done and s.result_key else None,
        "mask_url": url(s.mask_key) if done and s.mask_key else None,
        "original_url": url(keys.original(s.user_id, s.photo_id)),
        "processing_time_ms": s.processing_time_ms,
        "result_width": s.result_width,
        "result_height": s.result_height,
        "quality_score": s.quality_score,
        "quality_notes": list(s.quality_notes) if done else [],
        "warnings": list(s.warnings) if done else [],
        "needs_check": bool(s.warnings) if done else None,
        "print_ready": print_ready(s) if done else None,
        "queue_position": s.queue_position if s.status is JobStatus.PENDING else None,
        "websocket_url": f"/ws/jobs/{s.job_id}",
        "created_at": record.created_at,
        "updated_at": s.updated_at,
        "filename": named.filename,
        "label": named.label,
        "thumbnail_url": url(keys.thumbnail(s.user_id, s.photo_id)),
        "preview_url": url(keys.preview(s.user_id, s.job_id)) if done and previews else None,
        "original_preview_url": (
            url(keys.original_preview(s.user_id, s.job_id)) if done and previews > 1 else None
        ),
        "note": note(s, warm),
    }


def trashed_photo(item: TrashedPhoto, url: ObjectUrl, trash_days: float) -> Json:
    """A photo in the trash (additive): the Photo, when it went, when it is purged, and how
    many of its results went with it."""
    return {
        **photo(item.photo, url),
        "deleted_at": item.deleted_at,
        "purge_at": purge_at(item.deleted_at, trash_days),
        "results": item.results,
    }


def trashed_result(item: TrashedResult, url: ObjectUrl, trash_days: float) -> Json:
    """A result deleted on its own (additive): the Job, when it went, when it is purged."""
    return {
        **job(item.shown.record, url, item.shown.identity, item.shown.previews),
        "deleted_at": item.deleted_at,
        "purge_at": purge_at(item.deleted_at, trash_days),
    }


def jobs(
    records: Iterable[JobRecord],
    url: ObjectUrl,
    names: Mapping[str, Identity] | None = None,
    warm: bool = True,
) -> Json:
    """A batch's answer: {"jobs": [Job]}; `names` by photo id."""
    names = names or {}
    return {"jobs": [job(r, url, names.get(r.state.photo_id, UNNAMED), warm=warm) for r in records]}


# --- WebSocket ------------------------------------------------------------------------------


def live(state: LiveState, url: ObjectUrl, warm: bool = True) -> Json:
    """The Progress, Completion or Error message of API.md for `state` (with `note` when
    there is one to say)."""
    data: Json = {
        "job_id": state.job_id,
        "status": state.status.value,
        "progress": state.progress,
        "step": state.display,
        "timestamp": now(),
        "seq": state.seq,
        "attempt": state.attempt,
        "queue_position": state.queue_position,
    }
    if said := note(state, warm):
        data["note"] = said
    if state.kind is not JobKind.PROCESS:
        data.update(_studio_live(state, url))
    if state.status is JobStatus.COMPLETED and state.result_key:
        data["result_url"] = url(state.result_key)
        data["processing_time_ms"] = state.processing_time_ms
        data["result_width"] = state.result_width
        data["result_height"] = state.result_height
        data["quality_score"] = state.quality_score
        data["quality_notes"] = list(state.quality_notes)  # additive to API.md: [] when none
        data["warnings"] = list(state.warnings)  # additive: the notes that are flaws
        data["needs_check"] = bool(state.warnings)  # additive: check this print
        data["print_ready"] = print_ready(state)  # additive to API.md
    elif state.status is JobStatus.FAILED:
        data["error_type"] = state.error_type
        data["message"] = state.error_message
        data["suggestion"] = state.suggestion
    return data


def _studio_live(state: LiveState, url: ObjectUrl) -> Json:
    """Additive fields of an art job's messages, as the app's hooks read them: `kind`, the
    internal `current_step` (its fusion hook maps it to its own texts), on completion
    `file_size_bytes` (its export hook) and `preview_url`/`thumbnail_url`, and on failure
    `error` (its fusion hook)."""
    data: Json = {
        "kind": state.kind.value,
        "current_step": state.step.value if state.step else None,
    }
    if state.status is JobStatus.COMPLETED and state.result_key:
        light = url(keys.preview(state.user_id, state.job_id))
        data.update(file_size_bytes=state.file_size_bytes, preview_url=light, thumbnail_url=light)
    elif state.status is JobStatus.FAILED:
        data["error"] = state.error_message
    return data


def streamed(state: LiveState, url: ObjectUrl, cursor: int, warm: bool = True) -> Json:
    """A message of the user stream (/ws/jobs): the job's message and where to resume."""
    return {**live(state, url, warm), "cursor": cursor}


def keepalive(cursor: int) -> Json:
    """The user stream's sign of life while nothing changes."""
    return {"keepalive": True, "cursor": cursor, "timestamp": now()}


# --- privacy (additive: the app's consent flow, api/privacy.py) ----------------------------


def jurisdiction(shown: ConsentText, required: bool) -> Json:
    """The clinic's law and text: the app's JurisdictionResponse, with the onboarding screen's
    top-level fields and whether processing waits for consent on this box."""
    return {
        "jurisdiction": shown.jurisdiction,
        "consent_requirements": {
            "consent_text": shown.text,
            "consent_text_version": shown.version,
            "requires_explicit_consent": True,
            "jurisdiction_name": shown.name,
        },
        "consent_text": shown.text,
        "requires_explicit_consent": True,
        "data_retention_days": shown.retention_days or None,
        "consent_required_to_process": required,
    }


def consent(record: Consent) -> Json:
    return {
        "id": record.id,
        "user_id": record.user_id,
        "label": record.label,
        "consent_type": record.consent_type,
        "jurisdiction": record.jurisdiction,
        "consent_text_version": record.text_version,
        "source": record.source,
        "granted": record.granted,
        "granted_at": record.granted_at,
        "withdrawn_at": record.withdrawn_at,
    }


def erased(done: Erased) -> Json:
    return {"photos": done.photos, "results": done.results, "erased_at": done.erased_at}
