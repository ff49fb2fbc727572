-- Job kinds (issue 27): what a job runs. 'process' (the pipeline on a photo: every job before
-- this migration) or one of the art studio's: 'style', 'fusion', 'composition', 'export'.
-- `params` is the kind's JSON parameters (NULL for 'process'): its preset, mode, layout or
-- print size and the stored results it works from. `photo_id` stays the photo a job belongs
-- to (an art job's first source's photo), so the trash and the purge take it with its photo.
ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'process';
ALTER TABLE jobs ADD COLUMN params TEXT;
-- What an art result adds to the Job (export: dpi, format, enlarged, native_px), as JSON.
ALTER TABLE jobs ADD COLUMN result_info TEXT;
-- The size of the stored result file (exports report it: the app's fileSizeBytes).
ALTER TABLE jobs ADD COLUMN file_size_bytes INTEGER;
CREATE INDEX jobs_user_kind_created ON jobs(user_id, kind, created_at);

-- Every photo an art job works from beyond its own `photo_id` (a fusion of two photos' prints):
-- deleting any of them takes the job to the trash with it, restoring brings it back.
CREATE TABLE job_photos (
    job_id   TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    photo_id TEXT NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    PRIMARY KEY (job_id, photo_id)
);
CREATE INDEX job_photos_photo ON job_photos(photo_id);
