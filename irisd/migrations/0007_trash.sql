-- The trash: when a photo or one result was deleted (NULL: not deleted). Deleted rows and their
-- objects stay, restorable by their owner, for [storage] trash_days; then they are purged.
-- A photo's jobs deleted with it carry the photo's deleted_at, so a restore brings back exactly
-- those.
ALTER TABLE photos ADD COLUMN deleted_at TEXT;
ALTER TABLE jobs ADD COLUMN deleted_at TEXT;
CREATE INDEX photos_deleted ON photos(deleted_at);
CREATE INDEX jobs_deleted ON jobs(deleted_at);
