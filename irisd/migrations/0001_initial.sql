-- Users, refresh tokens, photos and jobs. Times are ISO 8601 UTC text.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    is_active     INTEGER NOT NULL DEFAULT 1,
    is_verified   INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

-- One row per issued refresh token: single use (used_at), revocable (logout).
CREATE TABLE refresh_tokens (
    jti        TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    revoked_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id);

CREATE TABLE photos (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    s3_key        TEXT NOT NULL,
    content_type  TEXT NOT NULL DEFAULT '',
    width         INTEGER,
    height        INTEGER,
    file_size     INTEGER,
    upload_status TEXT NOT NULL DEFAULT 'pending',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX photos_user_created ON photos(user_id, created_at);

CREATE TABLE jobs (
    id                 TEXT PRIMARY KEY,
    user_id            TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    photo_id           TEXT NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    status             TEXT NOT NULL DEFAULT 'pending',
    step               TEXT,
    progress           INTEGER NOT NULL DEFAULT 0,
    error_type         TEXT,
    error_message      TEXT,
    suggestion         TEXT,
    attempt_count      INTEGER NOT NULL DEFAULT 0,
    result_key         TEXT,
    mask_key           TEXT,
    processing_time_ms INTEGER,
    result_width       INTEGER,
    result_height      INTEGER,
    quality_score      REAL,
    measures           TEXT,
    -- Queue order: lower priority first (0 = single submit, 1 = batch), then enqueue_seq.
    priority           INTEGER NOT NULL DEFAULT 0,
    enqueue_seq        INTEGER NOT NULL DEFAULT 0,
    seq                INTEGER NOT NULL DEFAULT 0,
    cancel_requested   INTEGER NOT NULL DEFAULT 0,
    attempt_log        TEXT NOT NULL DEFAULT '[]',
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    started_at         TEXT,
    finished_at        TEXT
);
CREATE INDEX jobs_user_created ON jobs(user_id, created_at);
CREATE INDEX jobs_queue ON jobs(status, priority, enqueue_seq);
CREATE INDEX jobs_photo ON jobs(photo_id);

-- Every visible state change of a job (seq 1, 2, ...), written in the same transaction as the
-- job row, so a WebSocket resuming with ?since=SEQ sees every state exactly once, even after
-- a restart of the server. `id` is a global cursor for the stream of all a user's jobs
-- (AUTOINCREMENT: ids are never reused, even after deletes).
CREATE TABLE job_events (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    state  TEXT NOT NULL,
    UNIQUE (job_id, seq)
);
