-- The pipeline's quality notes of a completed job: a JSON list of short user-facing sentences
-- saying what holds the result back. NULL when there are none (and until the job completes).
ALTER TABLE jobs ADD COLUMN quality_notes TEXT;
