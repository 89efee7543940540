-- Resumable uploads (issue 18): an upload knows its part size, so the API can sign a
-- part URL for exactly that many bytes and say which parts are still missing.
ALTER TABLE uploads ADD COLUMN part_size bigint CHECK (part_size IS NULL OR part_size > 0);
-- The per-user quota on concurrent uploads counts these.
CREATE INDEX uploads_user_unfinished_idx ON uploads (user_id) WHERE status IN ('pending', 'completing');

-- "One active job per video" (issue 15 item 8) held only by a check before the
-- insert, which two requests can both pass. Older duplicates are cancelled first, so
-- the index can be built on a database that already raced.
UPDATE jobs SET status = 'cancelled', error_message = 'cancelled: a newer job for this video was active',
  updated_at = now()
WHERE status IN ('pending', 'running')
  AND id <> (SELECT max(j.id) FROM jobs j WHERE j.video_id = jobs.video_id AND j.status IN ('pending', 'running'));
CREATE UNIQUE INDEX jobs_one_active_per_video_idx ON jobs (video_id) WHERE status IN ('pending', 'running');
CREATE INDEX jobs_user_active_idx ON jobs (user_id) WHERE status IN ('pending', 'running');
