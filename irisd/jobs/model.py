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


class JobKind(StrEnum):
    """What a job runs: the pipeline on a photo, or one of the art studio's works (issue 27)."""

    PROCESS = "process"
    STYLE = "style"
    FUSION = "fusion"
    COMPOSITION = "composition"
    EXPORT = "export"


class ArtStep(StrEnum):
    """The art kinds' internal step names; their texts depend on the kind (`display_of`)."""

    PREPARING = "preparing"
    STYLING = "styling"
    BLENDING = "blending"
    POSTPROCESSING = "postprocessing"
    LAYOUT = "layout"
    UPSCALING = "upscaling"
    FINISHING = "finishing"


AnyStep = Step | ArtStep

# The texts the app shows for each art kind's steps: its backend's tasks and its useFusion
# hook (which maps the fusion's internal names itself, from the messages' `current_step`).
# Every art kind ends in the server's `saving` (Step.SAVING), as processing does.
ART_DISPLAY: dict[JobKind, dict[AnyStep, str]] = {
    JobKind.STYLE: {
        ArtStep.PREPARING: "Preparing your canvas...",
        ArtStep.STYLING: "Applying artistic style...",
        ArtStep.FINISHING: "Adding final touches...",
        Step.SAVING: "Almost done...",
    },
    JobKind.FUSION: {
        ArtStep.PREPARING: "Gathering iris artworks...",
        ArtStep.BLENDING: "Creating seamless fusion...",
        ArtStep.POSTPROCESSING: "Adding finishing touches...",
        Step.SAVING: "Almost done...",
    },
    JobKind.COMPOSITION: {
        ArtStep.PREPARING: "Arranging your irises...",
        ArtStep.LAYOUT: "Creating layout...",
        Step.SAVING: "Saving composition...",
    },
    JobKind.EXPORT: {
        ArtStep.PREPARING: "Preparing for HD export...",
        ArtStep.UPSCALING: "Upscaling to HD...",
        ArtStep.FINISHING: "Applying finishing touches...",
        Step.SAVING: "Saving your masterpiece...",
    },
}


def step_named(name: str) -> AnyStep:
    """The step called `name` (a pipeline step or an art step); ValueError for neither."""
    try:
        return Step(name)
    except ValueError:
        return ArtStep(name)


def first_step(kind: JobKind) -> AnyStep:
    """Where an attempt of `kind` begins: the server is loading what it works from."""
    return Step.LOADING if kind is JobKind.PROCESS else ArtStep.PREPARING


def display_of(kind: JobKind, step: AnyStep) -> str:
    """The user-facing text of `step` in a job of `kind`."""
    if kind is JobKind.PROCESS:
        return step.display if isinstance(step, Step) else step.value
    return ART_DISPLAY[kind].get(step, step.value)


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
    step: AnyStep | None = None
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
    kind: JobKind = JobKind.PROCESS
    file_size_bytes: int | None = None  # the stored result's size (an export's file)

    @property
    def display(self) -> str:
        """The user-facing step text for this state."""
        if self.status is JobStatus.COMPLETED:
            return COMPLETE_DISPLAY
        if self.status is JobStatus.PENDING or self.step is None:
            return WAITING_DISPLAY
        return display_of(self.kind, self.step)

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["status"] = self.status.value
        data["step"] = self.step.value if self.step else None
        data["kind"] = self.kind.value
        data["quality_notes"] = list(self.quality_notes)
        data["warnings"] = list(self.warnings)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LiveState:
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in fields}
        values["status"] = JobStatus(values["status"])
        values["step"] = step_named(values["step"]) if values.get("step") else None
        values["kind"] = JobKind(values.get("kind") or JobKind.PROCESS)  # absent before 0012
        values["quality_notes"] = tuple(values.get("quality_notes") or ())  # absent before 0003
        values["warnings"] = tuple(values.get("warnings") or ())  # absent before 0011
        return cls(**values)
