"""The clinic's jurisdiction and the consent text the app and the console show.

A box has no internet and serves one clinic, so the law is the clinic's setting
(`[privacy] jurisdiction`), never a guess from the client's address. The built-in texts say
what irisd does; a clinic replaces one with its own (`consent_text`, with its own version).
"""

from __future__ import annotations

from dataclasses import dataclass

from irisd.config import PrivacySettings

_PURPOSE = (
    "This clinic photographs the iris of your eye to make an art print of it. An iris photo"
    " is biometric data."
)
_WHERE = (
    "The photos and the prints made from them are stored on the clinic's own irisd server,"
    " used for this purpose only, and never sold or shared."
)
_RIGHTS = (
    "You may see and download everything held about you, and withdraw this consent at any"
    " time: your photos and prints are then erased. A record that you consented and"
    " withdrew is kept, without any image."
)

_TEXTS = {
    "gdpr": (
        "Consent to the processing of biometric data (GDPR Art. 9(2)(a))\n\n"
        f"{_PURPOSE} {_WHERE}\n\n"
        "They are kept only as long as needed for your print, or until you ask for them to be"
        f" erased.\n\n{_RIGHTS}\n\nBy agreeing, you give your explicit consent to this"
        " processing."
    ),
    "bipa": (
        "Written release for biometric identifiers (Illinois BIPA, 740 ILCS 14/15)\n\n"
        f"{_PURPOSE} {_WHERE}\n\n"
        "Retention schedule: your iris photos are destroyed when your print is done and you"
        " ask for it, when you withdraw this release, and in any case within the clinic's"
        f" retention period, never later than 3 years after your last visit.\n\n{_RIGHTS}\n\n"
        "By agreeing, you give this written release."
    ),
    "generic": (
        f"Consent to the processing of iris photos\n\n{_PURPOSE} {_WHERE}\n\n{_RIGHTS}\n\n"
        "By agreeing, you consent to this processing."
    ),
}
_NAMES = {
    "gdpr": "European Union (GDPR)",
    "bipa": "Illinois (BIPA)",
    "generic": "General",
}
BUILT_IN_VERSION = "irisd-2026.1"  # bumped with any change to the texts above


@dataclass(frozen=True)
class ConsentText:
    jurisdiction: str
    name: str
    text: str
    version: str
    retention_days: int


def consent_text(settings: PrivacySettings) -> ConsentText:
    """The text this box asks consent to, and its version (the clinic's own when set)."""
    code = settings.jurisdiction
    if settings.consent_text:
        text, version = settings.consent_text, settings.consent_text_version
    else:
        text, version = _TEXTS[code], f"{code}-{BUILT_IN_VERSION}"
    return ConsentText(code, _NAMES[code], text, version, settings.retention_days)
