"""The one exception hierarchy of irisd, and `classify()` for job failures.

    IrisdError                      message (user text, class default), context (logs only)
    ├── RequestError                status → {"detail": message}; on WS {"error","detail"} + 1008
    │   ├── BadRequest 400          ├── PayloadTooLarge 413        ├── InvalidField 422
    │   ├── Unauthorized 401        ├── UnsupportedMediaType 415   ├── TooManyRequests 429
    │   ├── Forbidden 403           ├── Conflict 409               │   └── Throttled (Retry-After)
    │   │   ├── ConsentRequired     no consent on record for the photo's person ([privacy])
    │   │   ├── ConsentWithdrawn    the person withdrew or was erased: consent again first
    │   │   └── NotAvailable        a call of the app this box does not serve (AI generation)
    │   ├── NotFound 404            one class for "unknown" and "not yours": no oracle
    │   ├── RequestTimeout 408      the body did not arrive in time; the connection closes
    │   └── NotReady 503
    ├── JobFailure                  error_type, retryable, suggestion (API.md "Errors of a job")
    │   ├── QualityIssue            quality_issue   · no retry · message = the cause sentence
    │   ├── TransientFailure        transient_error · retry 1
    │   ├── ServerFailure           server_error    · retry 1
    │   ├── UnexpectedFailure       server_error    · no retry
    │   └── Cancelled               cancelled       · no retry
    ├── WorkerDied                  a worker process or Ray actor died mid-job (also a
    │                               RuntimeError: classify() makes it a server error)
    ├── StorageError                raised only by storage/*, translated at the boundary
    │   ├── StorageUnavailable      also a ConnectionError, so classify() makes it transient
    │   └── ObjectMissing           → NotFound at the API edge
    └── ConfigError                 startup only; the CLI prints it and exits 2

Every class keeps `args == (message,)` so instances pickle across the process pool (a class
that does not breaks the whole pool). Extra context is keyword-only and goes to logs only.
"""

from __future__ import annotations

from typing import Any, ClassVar


class IrisdError(Exception):
    """Base class: `message` is the text a user may see; `context` is for logs only."""

    message: ClassVar[str] = "An unexpected error occurred."

    def __init__(self, message: str | None = None, **context: Any) -> None:
        text = message if message is not None else type(self).message
        super().__init__(text)
        self.context = context

    @property
    def text(self) -> str:
        """The user-facing sentence of this instance."""
        return str(self.args[0])

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle as (cls, (message,)) and restore context through __dict__.
        return (type(self), self.args, self.__dict__)


# --- HTTP / WebSocket request errors -------------------------------------------------------


class RequestError(IrisdError):
    status: ClassVar[int] = 400
    headers: ClassVar[dict[str, str]] = {}
    message = "Bad request."
    # The connection cannot be reused after the reply (the rest of its body is unread).
    close_connection: ClassVar[bool] = False

    def reply_headers(self) -> dict[str, str]:
        """The headers the reply carries with `{"detail"}` (WWW-Authenticate, Retry-After)."""
        return dict(self.headers)


class BadRequest(RequestError):
    status = 400
    message = "Bad request."


class Unauthorized(RequestError):
    status = 401
    headers = {"WWW-Authenticate": "Bearer"}  # noqa: RUF012 - read-only class data
    message = "Not authenticated."


class Forbidden(RequestError):
    status = 403
    message = "Not allowed."


class ConsentRequired(Forbidden):
    """A job for a person without recorded consent, while `[privacy] require_consent` is on."""

    message = (
        "This person has not consented to the processing of their iris photos. Agree to the"
        " biometric consent in the app, or record the client's consent for this photo's label"
        " in the console (on screen or on paper), then process it again."
    )


class ConsentWithdrawn(Forbidden):
    """A job for a person who withdrew consent or whose data was erased since."""

    message = (
        "This person withdrew their consent and their photos were erased. Their photos can be"
        " processed again only after they consent again (in the app, or recorded in the"
        " console)."
    )


class NotFound(RequestError):
    status = 404
    message = "Not found."


class RequestTimeout(RequestError):
    status = 408
    message = "The upload took too long. Please try again on a faster connection."
    close_connection = True


class Conflict(RequestError):
    status = 409
    message = "Conflict."


class PayloadTooLarge(RequestError):
    status = 413
    message = "The file is too large."


class UnsupportedMediaType(RequestError):
    status = 415
    message = "This file is not a supported image (JPEG, PNG, WebP, TIFF, BMP or HEIC)."


class InvalidField(RequestError):
    status = 422
    message = "A field is missing or invalid."


class TooManyRequests(RequestError):
    status = 429
    message = "The processing queue is full. Please try again in a minute."


class Throttled(TooManyRequests):
    """Too many failed attempts from an account or address; `retry_after_s` in the context."""

    message = "Too many failed attempts. Please wait before trying again."

    def reply_headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.context.get("retry_after_s", 1))}


class NotAvailable(Forbidden):
    """A call the app makes that a self-hosted box does not serve (its text says what).

    A refusal, not a failure: 403 (the app shows its own error for it), where a 5xx would
    count in the box's monitoring as the server failing each time the app asks."""

    message = "This feature is not available on this box."


class NotReady(RequestError):
    status = 503
    message = "The server is not ready."


# --- Job failures (API.md, "Errors of a job") ----------------------------------------------


class JobFailure(IrisdError):
    error_type: ClassVar[str] = "server_error"
    retryable: ClassVar[bool] = False
    suggestion: ClassVar[str] = "Please try again later."


class QualityIssue(JobFailure):
    """The photo itself is the problem; `message` names the cause per instance."""

    error_type = "quality_issue"
    retryable = False
    message = "We couldn't find an iris in this photo."
    suggestion = "Try capturing a new photo in better lighting with your eye centered."


class TransientFailure(JobFailure):
    error_type = "transient_error"
    retryable = True
    message = "Processing timed out. Please try again."
    suggestion = 'Tap "Reprocess" to try again.'


class ServerFailure(JobFailure):
    error_type = "server_error"
    retryable = True
    message = "Something went wrong. Please try again later."
    suggestion = 'Tap "Reprocess" to try again, or try with a different photo.'


class UnexpectedFailure(JobFailure):
    error_type = "server_error"
    retryable = False
    message = "An unexpected error occurred."
    suggestion = "Please try again later."


class Cancelled(JobFailure):
    error_type = "cancelled"
    retryable = False
    message = "Processing was cancelled."
    suggestion = 'Tap "Reprocess" to start again.'


class WorkerDied(IrisdError, RuntimeError):
    """The worker process or actor died (killed, os._exit, OOM, node lost): server_error."""

    message = "The worker died."


# --- Storage and configuration -------------------------------------------------------------


class StorageError(IrisdError):
    message = "Storage error."


class StorageUnavailable(StorageError, ConnectionError):
    message = "Storage is unreachable."


class ObjectMissing(StorageError):
    message = "Not found."


class ConfigError(IrisdError):
    message = "Invalid configuration."


def classify(exc: BaseException) -> JobFailure:
    """Map anything raised while running a job to the failure the user sees (API.md)."""
    match exc:
        case JobFailure():
            return exc
        case ConnectionError() | TimeoutError():
            return TransientFailure(cause=repr(exc))
        case RuntimeError():  # GPU OOM, model crash, BrokenProcessPool
            return ServerFailure(cause=repr(exc))
        case _:
            return UnexpectedFailure(cause=repr(exc))
