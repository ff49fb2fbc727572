"""progress.advance and the engine's transitions: seq counts visible changes, never backwards."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from irisd.errors import Cancelled, TransientFailure
from irisd.jobs import progress
from irisd.jobs.model import JobStatus, LiveState, Step

NOW = "2026-01-01T00:00:00.000Z"
STEP_NAMES = [s.value for s in Step]


def running() -> LiveState:
    base = LiveState("j", "u", "p", JobStatus.PENDING, seq=1, queue_position=1)
    return progress.started(base, 1, NOW)


reports = st.lists(
    st.tuples(st.sampled_from([*STEP_NAMES, "bogus"]), st.integers(-20, 130)), max_size=40
)


@given(reports)
def test_seq_counts_visible_changes_and_progress_never_decreases(
    events: list[tuple[str, int]],
) -> None:
    state = running()
    first_seq = state.seq
    changes = 0
    for step, value in events:
        new = progress.advance(state, step, value, NOW)
        if new is None:
            continue
        changes += 1
        assert new.seq == state.seq + 1
        assert new.progress >= state.progress
        assert 0 <= new.progress <= 100
        assert (new.step, new.progress) != (state.step, state.progress)  # visible
        state = new
    assert state.seq - first_seq == changes


def test_repeated_checkpoint_is_no_change() -> None:
    state = progress.advance(running(), "segmenting", 20, NOW)
    assert state is not None
    assert progress.advance(state, "segmenting", 20, NOW) is None
    assert progress.advance(state, "segmenting", 10, NOW) is None


def test_progress_is_clamped_to_one_hundred() -> None:
    state = progress.advance(running(), "enhancing", 100, NOW)
    assert state is not None
    assert progress.advance(state, "enhancing", 101, NOW) is None


def test_unknown_step_name_changes_nothing() -> None:
    assert progress.advance(running(), "painting", 50, NOW) is None


def test_reports_do_not_move_a_finished_or_pending_job() -> None:
    failed = progress.failed(running(), Cancelled(), NOW)
    assert progress.advance(failed, "enhancing", 90, NOW) is None
    pending = LiveState("j", "u", "p", JobStatus.PENDING, seq=1)
    assert progress.advance(pending, "loading", 5, NOW) is None


def test_retry_starts_a_new_attempt_from_zero() -> None:
    state = progress.advance(running(), "enhancing", 80, NOW)
    assert state is not None
    retried = progress.retrying(state, NOW)
    assert (retried.attempt, retried.progress, retried.step) == (2, 0, Step.LOADING)
    assert retried.seq == state.seq + 1


def test_failed_state_carries_the_failure_text() -> None:
    state = progress.failed(running(), TransientFailure(cause="x"), NOW)
    assert state.status is JobStatus.FAILED
    assert state.error_type == "transient_error"
    assert state.error_message == "Processing timed out. Please try again."
    assert state.suggestion == 'Tap "Reprocess" to try again.'


def test_queue_position_change_is_a_state_change_only_when_it_moves() -> None:
    pending = LiveState("j", "u", "p", JobStatus.PENDING, seq=3, queue_position=2)
    assert progress.queued(pending, 2, NOW) is None
    moved = progress.queued(pending, 1, NOW)
    assert moved is not None
    assert (moved.queue_position, moved.seq) == (1, 4)


def test_display_text_follows_status_and_step() -> None:
    state = running()
    assert state.display == "Preparing your image..."
    pending = LiveState("j", "u", "p", JobStatus.PENDING, seq=1)
    assert pending.display == "Waiting in line..."


def test_completed_state_carries_the_quality_notes_through_json() -> None:
    notes = ("Part of the iris was hidden by the eyelid and has been completed.",)
    done = progress.completed(
        running(),
        result_key="r",
        mask_key="m",
        size=(8, 8),
        quality_score=0.5,
        quality_notes=notes,
        processing_time_ms=1,
        now=NOW,
    )
    assert (done.status, done.quality_notes) == (JobStatus.COMPLETED, notes)
    assert done.to_json()["quality_notes"] == list(notes)
    assert LiveState.from_json(done.to_json()) == done
    older = {k: v for k, v in done.to_json().items() if k != "quality_notes"}  # before 0003
    assert LiveState.from_json(older).quality_notes == ()
