"""The OpenAPI document's operations: each path's method, summary, body, replies and errors.

The components they refer to are api/openapi.py's SCHEMAS (and api/openapi_privacy.py's).
"""

from __future__ import annotations

from typing import Any

from irisd.api import openapi_privacy, openapi_studio
from irisd.api.bearer import PUBLIC_ROUTES
from irisd.api.openapi_parts import INT, STR, UUID, obj, ref

# (method, path, summary, request schema or None, success status, response schema or None)
# fmt: off
OPERATIONS: list[tuple[str, str, str, str | None, int, str | None]] = [
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
    "403": "Not allowed (registration closed; no consent on record for the photo's person;"
    " a call the box does not serve: the app's AI generation)",
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


def operation(
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
    op["parameters"] += openapi_studio.QUERY.get(path, [])
    if (method, path) in openapi_studio.UNAVAILABLE:
        op["x-unavailable"] = True  # refused on every box: 403 is its only answer
    if method == "get" and path.endswith(openapi_privacy.LABELLED):
        op["parameters"].append(openapi_privacy.LABEL_QUERY)
    if body:
        op["requestBody"] = {"required": True, **_body(body)}
    op["security"] = [] if path in PUBLIC_ROUTES else [{"bearer": []}]
    return op
