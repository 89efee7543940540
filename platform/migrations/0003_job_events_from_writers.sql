-- Job-change notifications now come from the writers, on videoforge_job_events
-- (JOB_EVENTS_CHANNEL in contracts): the controller when it mirrors a TranscodeJob's
-- status (with per-rendition progress), the API when it creates or cancels a job.
-- The row trigger from 0002 would announce every controller write twice.
DROP TRIGGER IF EXISTS jobs_notify ON jobs;
DROP FUNCTION IF EXISTS jobs_notify();

-- Gallery search is a substring match (ILIKE), which this index cannot serve.
DROP INDEX IF EXISTS gallery_videos_search_idx;
