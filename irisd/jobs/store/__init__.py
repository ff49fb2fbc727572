"""All job SQL: the only code that reads or writes the `jobs` and `job_events` tables.

    rows.py    a row as a LiveState; `save_state` (row + job_events, guarded by the previous
               seq) and the row's other writes: measures, attempt log, cancel flag, delete
    fairness.py  users' turns across priorities (round-robin) and the per-user limit
    queue.py   insert, claim_next (BEGIN IMMEDIATE), queue positions, cancel_pending, recovery
    reads.py   one job, a user's page, the operators' list, a photo's jobs, old finished jobs
    events.py  job_events: a job's states, a user's stream, other processes' changes
    named.py   a user's jobs with their photos' names: the gallery's pages, trashed results
    trash.py   the jobs' trash marks (deleted_at), what is in the trash, what to purge

Callers use `store.<function>`; the names below are the package's interface.
"""

from irisd.jobs.store.events import (
    data_version,
    events_after,
    last_event_id,
    states_after,
    user_events_after,
)
from irisd.jobs.store.named import (
    ALL_KINDS,
    PROCESSED,
    Named,
    latest_result,
    named_job,
    named_of,
    named_page,
    named_window,
    trashed_results,
)
from irisd.jobs.store.queue import (
    BATCH_PRIORITY,
    MAX_ATTEMPTS,
    SINGLE_PRIORITY,
    ArtSpec,
    cancel_pending,
    claim_next,
    insert,
    insert_art,
    insert_unless_pending,
    pending_count,
    recover_on_start,
    spec_of,
)
from irisd.jobs.store.reads import (
    active_for_user,
    attempt_log,
    fetch,
    fetch_for_user,
    finished_before,
    jobs_of_photo,
    list_all,
    list_for_user,
    processing,
)
from irisd.jobs.store.rows import (
    JobRecord,
    delete,
    log_attempt,
    measures_of,
    params_of,
    request_cancel,
    save_measures,
    save_previews,
    save_result_info,
    save_state,
    state_of,
)
from irisd.jobs.store.trash import (
    photo_deleted_of_trashed,
    restore_jobs_of_photo,
    restore_result,
    status_outside_trash,
    trash_jobs_of_photo,
    trash_result,
    trashed,
    trashed_before,
    trashed_photos,
    trashed_with_photo,
)

__all__ = [
    "ALL_KINDS",
    "BATCH_PRIORITY",
    "MAX_ATTEMPTS",
    "PROCESSED",
    "SINGLE_PRIORITY",
    "ArtSpec",
    "JobRecord",
    "Named",
    "active_for_user",
    "attempt_log",
    "cancel_pending",
    "claim_next",
    "data_version",
    "delete",
    "events_after",
    "fetch",
    "fetch_for_user",
    "finished_before",
    "insert",
    "insert_art",
    "insert_unless_pending",
    "jobs_of_photo",
    "last_event_id",
    "latest_result",
    "list_all",
    "list_for_user",
    "log_attempt",
    "measures_of",
    "named_job",
    "named_of",
    "named_page",
    "named_window",
    "params_of",
    "pending_count",
    "photo_deleted_of_trashed",
    "processing",
    "recover_on_start",
    "request_cancel",
    "restore_jobs_of_photo",
    "restore_result",
    "save_measures",
    "save_previews",
    "save_result_info",
    "save_state",
    "spec_of",
    "state_of",
    "states_after",
    "status_outside_trash",
    "trash_jobs_of_photo",
    "trash_result",
    "trashed",
    "trashed_before",
    "trashed_photos",
    "trashed_results",
    "trashed_with_photo",
    "user_events_after",
]
