-- (0004 and 0005 are the hardening branch's: numbered apart so the branches merge cleanly.)
-- Whose photo it is: the file name it was uploaded with and an optional label (a person's
-- name or reference), both user-facing text; NULL when not given (the mobile app sends none).
ALTER TABLE photos ADD COLUMN filename TEXT;
ALTER TABLE photos ADD COLUMN label TEXT;
