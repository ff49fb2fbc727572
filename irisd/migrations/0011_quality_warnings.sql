-- The pipeline's warnings of a completed job: the quality_notes that are flaws, for which it
-- doubts the result ("check this print"), as a JSON list. NULL when there are none: a clean
-- result, a result with only information notes, and every job before this column.
ALTER TABLE jobs ADD COLUMN quality_warnings TEXT;
