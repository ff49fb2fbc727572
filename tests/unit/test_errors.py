"""classify() per API.md's table, and every IrisdError subclass pickles (the pool depends on it)."""

from __future__ import annotations

import pickle

import pytest

import irisd.app  # noqa: F401 - imports every module that defines an error subclass
from irisd import errors
from irisd.errors import (
    Cancelled,
    IrisdError,
    JobFailure,
    QualityIssue,
    ServerFailure,
    StorageUnavailable,
    TransientFailure,
    UnexpectedFailure,
    classify,
)


def all_subclasses(cls: type[IrisdError]) -> list[type[IrisdError]]:
    found: list[type[IrisdError]] = []
    for sub in cls.__subclasses__():
        found += [sub, *all_subclasses(sub)]
    return found


EVERY_ERROR: list[type[IrisdError]] = [IrisdError, *all_subclasses(IrisdError)]


@pytest.mark.parametrize(
    ("exc", "kind", "error_type", "retryable"),
    [
        (ConnectionError("reset"), TransientFailure, "transient_error", True),
        (TimeoutError("slow"), TransientFailure, "transient_error", True),
        (StorageUnavailable(key="k"), TransientFailure, "transient_error", True),
        (RuntimeError("CUDA out of memory"), ServerFailure, "server_error", True),
        (ValueError("bug"), UnexpectedFailure, "server_error", False),
        (KeyError("x"), UnexpectedFailure, "server_error", False),
        (errors.ObjectMissing(key="k"), UnexpectedFailure, "server_error", False),
        (QualityIssue("Too dark."), QualityIssue, "quality_issue", False),
        (Cancelled(), Cancelled, "cancelled", False),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else None,
)
def test_classify_follows_the_contract_table(
    exc: BaseException, kind: type, error_type: str, retryable: bool
) -> None:
    failure = classify(exc)
    assert type(failure) is kind
    assert (failure.error_type, failure.retryable) == (error_type, retryable)


def test_classify_keeps_the_cause_for_logs_not_for_users() -> None:
    failure = classify(ConnectionError("10.0.0.5:9000 refused"))
    assert "10.0.0.5" in failure.context["cause"]
    assert "10.0.0.5" not in failure.text


def test_job_failure_messages_are_the_contracts() -> None:
    assert ServerFailure().text == "Something went wrong. Please try again later."
    assert UnexpectedFailure().text == "An unexpected error occurred."
    assert Cancelled().text == "Processing was cancelled."
    assert QualityIssue("The iris is too small.").text == "The iris is too small."


@pytest.mark.parametrize("cls", EVERY_ERROR, ids=lambda c: c.__name__)
def test_every_error_pickles_with_its_message_and_context(cls: type[IrisdError]) -> None:
    original = cls("A sentence for the user.", job_id="j1", cause="ValueError('x')")
    copy = pickle.loads(pickle.dumps(original))
    assert type(copy) is cls
    assert copy.args == ("A sentence for the user.",)
    assert copy.text == original.text
    assert copy.context == {"job_id": "j1", "cause": "ValueError('x')"}


@pytest.mark.parametrize("cls", EVERY_ERROR, ids=lambda c: c.__name__)
def test_every_error_pickles_with_its_default_message(cls: type[IrisdError]) -> None:
    copy = pickle.loads(pickle.dumps(cls()))
    assert copy.text == cls.message
    if issubclass(cls, JobFailure):
        assert (copy.error_type, copy.suggestion) == (cls.error_type, cls.suggestion)


def test_the_walk_finds_subclasses_outside_errors_py() -> None:
    names = {c.__name__ for c in EVERY_ERROR}
    assert {"QualityIssue", "TransientFailure", "ServerFailure", "Cancelled"} <= names
    assert {"UnexpectedFailure", "AlreadyFinished", "NotUploaded"} <= names
