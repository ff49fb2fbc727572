"""Job values: status and step names of API.md, and the live state every client sees."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class JobStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def final(self) -> bool:
        return self in (JobStatus.COMPLETED, JobStatus.FAILED)


class Step(StrEnum):
    """Pipeline steps with their user-facing names (API.md, "Pipeline steps and progress")."""

    LOADING = "loading"
    SEGMENTING = "segmenting"
    REMOVING_REFLECTIONS = "removing_reflections"
    ENHANCING = "enhancing"
    SAVING = "saving"

    @property
    def display(self) -> str:
        return _DISPLAY[self]


_DISPLAY = {
    Step.LOADING: "Preparing your image...",
    Step.SEGMENTING: "Finding your iris...",
    Step.REMOVING_REFLECTIONS: "Removing reflections...",
    Step.ENHANCING: "Enhancing quality...",
    Step.SAVING: "Almost done...",
}

WAITING_DISPLAY = "Waiting in line..."
COMPLETE_DISPLAY = "Complete!"

# Checkpoints of API.md; the server reports saving's two, the pipeline the rest.
CHECKPOINTS = (5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100)

# The (step, progress) checkpoints the pipeline itself reports; the server reports 5, 95, 100.
PIPELINE_CHECKPOINTS = (
    ("loading", 10),
    ("segmenting", 20),
    ("segmenting", 30),
    ("segmenting", 40),
    ("removing_reflections", 50),
    ("removing_reflections", 60),
    ("enhancing", 70),
    ("enhancing", 80),
    ("enhancing", 90),
)


@dataclass(frozen=True)
class LiveState:
    """What a client sees of a job at one `seq`: the job row's visible fields.

    Every change is written to the job row (and `job_events`) and published to the hub in
    the same step, so REST, a fresh WebSocket and a resuming one agree.
    """

    job_id: str
    user_id: str
    photo_id: str
    status: JobStatus
    seq: int
    progress: int = 0
    step: Step | None = None
    attempt: int = 0
    queue_position: int | None = None
    error_type: str | None = None
    error_message: str | None = None
    suggestion: str | None = None
    result_key: str | None = None
    mask_key: str | None = None
    processing_time_ms: int | None = None
    result_width: int | None = None
    result_height: int | None = None
    quality_score: float | None = None
    quality_notes: tuple[str, ...] = ()  # what holds a completed result back (user-facing)
    warnings: tuple[str, ...] = ()  # the quality_notes that are flaws: check this print
    updated_at: str = ""

    @property
    def display(self) -> str:
        """The user-facing step text for this state."""
        if self.status is JobStatus.COMPLETED:
            return COMPLETE_DISPLAY
        if self.status is JobStatus.PENDING or self.step is None:
            return WAITING_DISPLAY
        return self.step.display

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["status"] = self.status.value
        data["step"] = self.step.value if self.step else None
        data["quality_notes"] = list(self.quality_notes)
        data["warnings"] = list(self.warnings)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LiveState:
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in fields}
        values["status"] = JobStatus(values["status"])
        values["step"] = Step(values["step"]) if values.get("step") else None
        values["quality_notes"] = tuple(values.get("quality_notes") or ())  # absent before 0003
        values["warnings"] = tuple(values.get("warnings") or ())  # absent before 0011
        return cls(**values)
