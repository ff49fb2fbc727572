"""An art job's parameters, built on the server: the stored results it works from (its
sources) and the caller's choices, as the JSON of the job's `params` column.

An "artwork" on a box is one of the caller's completed jobs whose result is an image: a
processed print (`process`) or a styled one (`style`). Sources are looked up with the
caller's id, so another user's job is "not found", exactly like an unknown id.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from irisd.db import Database
from irisd.errors import Conflict
from irisd.jobs import store
from irisd.jobs.model import JobKind, JobStatus
from irisd.jobs.store import ArtSpec

ARTWORK_KINDS = (JobKind.PROCESS, JobKind.STYLE)  # what an artwork id may name


class NotCompleted(Conflict):
    message = "This artwork is not finished yet: wait until its job has completed."


@dataclass(frozen=True)
class Source:
    """One stored result an art job works from."""

    job_id: str
    photo_id: str
    key: str
    kind: JobKind
    width: int


async def source(
    db: Database, user_id: str, job_id: str, kinds: Sequence[JobKind] = ARTWORK_KINDS
) -> Source:
    """The caller's completed job `job_id` of one of `kinds`, outside the trash.

    NotFound for an unknown, foreign, trashed or other-kind id; NotCompleted while it runs.
    """
    found = await store.named_job(db, user_id, job_id, kinds)
    state = found.record.state
    if state.status is not JobStatus.COMPLETED or state.result_key is None:
        raise NotCompleted(job_id=job_id)
    return Source(job_id, state.photo_id, state.result_key, state.kind, state.result_width or 0)


def spec(kind: JobKind, sources: Sequence[Source], **choices: Any) -> ArtSpec:
    """The job to queue: `kind` on `sources` with the caller's `choices`."""
    params = {"sources": [{"job_id": s.job_id, "key": s.key} for s in sources], **choices}
    return ArtSpec(kind, json.dumps(params), tuple(s.photo_id for s in sources))


def values(params: str) -> dict[str, Any]:
    """The parameters as a dict ({} for a `process` job)."""
    return dict(json.loads(params)) if params else {}


def source_keys(params: str) -> list[str]:
    """The storage keys of the results the job works from, in order."""
    return [str(item["key"]) for item in values(params).get("sources", [])]


def source_ids(params: dict[str, Any]) -> list[str]:
    """The job ids of the results the job works from, in order."""
    return [str(item["job_id"]) for item in params.get("sources", [])]


async def native_px(db: Database, found: Source) -> int:
    """The iris's diameter in the original photo's pixels (what an export can honestly print):
    from the processing job's measures, through a styled print's own source. A job without
    measures (an older one, a test pipeline) claims no more than its result's width."""
    job_id = found.job_id
    if found.kind is JobKind.STYLE:
        [job_id] = source_ids(values(await store.params_of(db, found.job_id)))[:1] or [""]
    radius = (await store.measures_of(db, job_id)).get("iris_radius_px")
    return max(1, round(2 * radius)) if radius else max(1, found.width)
