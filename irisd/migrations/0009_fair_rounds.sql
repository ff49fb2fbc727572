-- Numbered 9: the console branch (issue 13) holds 6 to 8; versions must never repeat, or
-- migrate() skips the second file of a version.
-- Fair queueing between users inside each priority: a pending job's round in the user's
-- round-robin turn (jobs/store/fairness.py); the queue runs by priority, round, enqueue_seq.
-- Jobs queued before this migration share round 0, so they keep their first-come order.
ALTER TABLE jobs ADD COLUMN fair_round INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_fair_order ON jobs(priority, fair_round);
CREATE INDEX jobs_user_photo ON jobs(user_id, photo_id, status);
