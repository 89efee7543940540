-- What the API needs beyond the initial schema: rotating refresh tokens, direct
-- uploads in flight, and job-change notifications for the live events stream.

-- Refresh tokens are opaque; only their SHA-256 is stored. Each use replaces the
-- token with a new one in the same family; presenting a used token again revokes
-- the whole family (it was stolen, or the client is confused).
CREATE TABLE refresh_tokens (
  id          uuid PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id   uuid NOT NULL,
  token_hash  text NOT NULL,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  revoked_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

-- A direct upload between "create" (presigned URLs handed out) and "complete".
CREATE TABLE uploads (
  id                uuid PRIMARY KEY,
  user_id           bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  storage_key       text NOT NULL,
  multipart_id      text,
  original_filename text NOT NULL,
  content_type      text NOT NULL,
  declared_size     bigint NOT NULL,
  title             text NOT NULL,
  description       text NOT NULL DEFAULT '',
  visibility        text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'private')),
  status            text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'completing', 'completed', 'aborted', 'rejected')),
  video_id          bigint REFERENCES gallery_videos (id) ON DELETE SET NULL,
  expires_at        timestamptz NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX uploads_user_idx ON uploads (user_id, created_at DESC);

-- Gallery search over title and description.
CREATE INDEX gallery_videos_search_idx ON gallery_videos
  USING gin (to_tsvector('simple', title || ' ' || description));

-- Live job progress: every change of a job's state or progress is announced on
-- videoforge_jobs; the API's events stream fans it out to the job's owner.
CREATE FUNCTION jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status OR NEW.progress IS DISTINCT FROM OLD.progress THEN
    PERFORM pg_notify('videoforge_jobs', json_build_object(
      'jobId', NEW.id::text, 'videoId', NEW.video_id::text, 'userId', NEW.user_id::text,
      'status', NEW.status, 'progress', NEW.progress)::text);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER jobs_notify AFTER INSERT OR UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_notify();
