-- Light previews stored with a completed result (irisd/previews.py): 0 none (results made
-- before previews existed), 1 the result's, 2 the result's and its original's square.
ALTER TABLE jobs ADD COLUMN previews INTEGER NOT NULL DEFAULT 0;
