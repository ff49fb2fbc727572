"""The privacy part of the OpenAPI document (api/privacy.py): the app's consent flow, erasure
and export. Additive to API.md; the paths and field names are the IrisArt app's."""

from __future__ import annotations

from typing import Any

from irisd.api.openapi_parts import INT, LABEL, NULL_STR, STR, TIME, UUID, obj, ref

_CONSENT_TYPE = {"type": "string", "enum": ["biometric_capture", "data_processing"]}
_SOURCE = {
    "type": "string",
    "enum": ["app", "console", "paper"],
    "description": "How it was given: in the app, on the console's screen, or on a signed form",
}
_CLIENT = LABEL | {"description": "A client of the account (staff); null: the account holder"}

SCHEMAS: dict[str, Any] = {
    "Jurisdiction": obj(
        {
            "jurisdiction": {"type": "string", "enum": ["gdpr", "bipa", "generic"]},
            "consent_requirements": obj(
                {
                    "consent_text": STR,
                    "consent_text_version": STR,
                    "requires_explicit_consent": {"type": "boolean"},
                    "jurisdiction_name": STR,
                }
            ),
            "consent_text": STR,
            "requires_explicit_consent": {"type": "boolean"},
            "data_retention_days": {"type": ["integer", "null"]},
            "consent_required_to_process": {
                "type": "boolean",
                "description": "[privacy] require_consent: jobs wait for a recorded consent",
            },
        }
    ),
    "ConsentRequest": obj(
        {
            "consent_type": _CONSENT_TYPE,
            "jurisdiction": STR,
            "consent_text_version": STR,
            "label": _CLIENT,
            "source": _SOURCE,
        },
        ["consent_type", "jurisdiction", "consent_text_version"],
    ),
    "Consent": obj(
        {
            "id": UUID,
            "user_id": UUID,
            "label": _CLIENT,
            "consent_type": _CONSENT_TYPE,
            "jurisdiction": STR,
            "consent_text_version": STR,
            "source": _SOURCE,
            "granted": {"type": "boolean", "description": "false once withdrawn"},
            "granted_at": TIME,
            "withdrawn_at": NULL_STR | {"format": "date-time"},
        }
    ),
    "Erased": obj({"photos": INT, "results": INT, "erased_at": TIME}),
}
SCHEMAS["ConsentStatus"] = obj(
    {
        "has_consent": {"type": "boolean"},
        "consent_record": {"oneOf": [ref("Consent"), {"type": "null"}]},
    }
)
SCHEMAS["ConsentList"] = obj({"consents": {"type": "array", "items": ref("Consent")}})
SCHEMAS["Withdrawn"] = obj(
    {
        **SCHEMAS["Consent"]["properties"],
        "erased": {
            "oneOf": [ref("Erased"), {"type": "null"}],
            "description": "What was erased with it (null: it was withdrawn before)",
        },
    }
)
SCHEMAS["EraseRequest"] = obj({"label": LABEL})
SCHEMAS["DeleteAccount"] = obj({"confirm": {"const": True}})
SCHEMAS["AccountDeleted"] = obj({"message": STR, **SCHEMAS["Erased"]["properties"]})

# (method, path, summary, request schema or None, success status, response schema or None)
# fmt: off
OPERATIONS: list[tuple[str, str, str, str | None, int, str | None]] = [
    ("delete", "/api/v1/users/me",
     "Delete the account: every photo, result and job erased at once, the consents kept",
     "DeleteAccount", 200, "AccountDeleted"),
    ("get", "/api/v1/privacy/jurisdiction",
     "The clinic's law and the consent text to show ([privacy]; no token needed)",
     None, 200, "Jurisdiction"),
    ("get", "/api/v1/privacy/consent/biometric-status",
     "Whether the person (the account, or ?label=) has a biometric consent in force",
     None, 200, "ConsentStatus"),
    ("get", "/api/v1/privacy/consent", "The account's consent records, newest first (?label=)",
     None, 200, "ConsentList"),
    ("post", "/api/v1/privacy/consent",
     "Record a consent to the current text (200: the one already in force)",
     "ConsentRequest", 201, "Consent"),
    ("post", "/api/v1/privacy/consent/{consent_id}/withdraw",
     "Withdraw a consent: the person's photos and results are erased at once",
     None, 200, "Withdrawn"),
    ("post", "/api/v1/privacy/erase",
     "Erase everything held under a client's label (staff)", "EraseRequest", 200, "Erased"),
    ("get", "/api/v1/privacy/export",
     "A ZIP of the person's photos and results with data.json (?label= for one client)",
     None, 200, "zip"),
]
# fmt: on
LABEL_QUERY = {
    "name": "label",
    "in": "query",
    "schema": STR,
    "description": "A client of the account by photo label (ASCII case ignored)",
}
LABELLED = ("/consent/biometric-status", "/privacy/consent", "/privacy/export")
ZIP = {"application/zip": {"schema": {"type": "string", "format": "binary"}}}
