"""All job SQL: the only code that reads or writes the `jobs` and `job_events` tables.

    rows.py    a row as a LiveState; `save_state` (row + job_events, guarded by the previous
               seq) and the row's other writes: measures, attempt log, cancel flag, delete
    fairness.py  users' turns inside a priority (round-robin) and the per-user limit
    queue.py   insert, claim_next (BEGIN IMMEDIATE), queue positions, cancel_pending, recovery
    reads.py   one job, a user's page, the operators' list, a photo's jobs, old finished jobs
    events.py  job_events: a job's states, a user's stream, other processes' changes

Callers use `store.<function>`; the names below are the package's interface.
"""

from irisd.jobs.store.events import (
    data_version,
    events_after,
    last_event_id,
    states_after,
    user_events_after,
)
from irisd.jobs.store.queue import (
    BATCH_PRIORITY,
    MAX_ATTEMPTS,
    SINGLE_PRIORITY,
    cancel_pending,
    claim_next,
    insert,
    insert_unless_pending,
    pending_count,
    recover_on_start,
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
    request_cancel,
    save_measures,
    save_previews,
    save_state,
    state_of,
)

__all__ = [
    "BATCH_PRIORITY",
    "MAX_ATTEMPTS",
    "SINGLE_PRIORITY",
    "JobRecord",
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
    "insert_unless_pending",
    "jobs_of_photo",
    "last_event_id",
    "list_all",
    "list_for_user",
    "log_attempt",
    "pending_count",
    "processing",
    "recover_on_start",
    "request_cancel",
    "save_measures",
    "save_previews",
    "save_state",
    "state_of",
    "states_after",
    "user_events_after",
]
