-- Core tables of the original design (users, jobs, gallery_videos, media_assets),
-- with timestamptz, foreign keys and the indexes the API's queries use.

CREATE TABLE users (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username      text NOT NULL,
  email         text NOT NULL,
  password_hash text,                          -- null for OIDC-only accounts
  role          text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  oidc_subject  text,
  mfa_secret    text,                          -- encrypted TOTP secret; null when MFA is off
  mfa_enabled   boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_oidc_subject_key ON users (oidc_subject) WHERE oidc_subject IS NOT NULL;

CREATE TABLE gallery_videos (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id           bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title             text NOT NULL,
  description       text NOT NULL DEFAULT '',
  visibility        text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'private')),
  status            text NOT NULL DEFAULT 'processing'
                    CHECK (status IN ('uploading', 'processing', 'playable', 'ready', 'failed')),
  original_filename text,
  source_key        text NOT NULL,
  thumbnail_key     text,
  sprite_key        text,
  master_playlist_key text,
  duration_seconds  double precision,
  width             integer,
  height            integer,
  frame_rate        double precision,
  video_codec       text,
  audio_codec       text,
  bit_rate          bigint,
  file_size         bigint,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX gallery_videos_user_id_idx ON gallery_videos (user_id, created_at DESC);
CREATE INDEX gallery_videos_public_idx ON gallery_videos (created_at DESC) WHERE visibility = 'public';

CREATE TABLE jobs (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  video_id       bigint NOT NULL REFERENCES gallery_videos (id) ON DELETE CASCADE,
  status         text NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
  progress       numeric(5, 2) NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  formats        text[] NOT NULL,
  strategy       text NOT NULL DEFAULT 'perRendition' CHECK (strategy IN ('perRendition', 'ladder')),
  input_key      text NOT NULL,
  output_prefix  text NOT NULL,
  error_message  text,
  attempts       integer NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  started_at     timestamptz,
  completed_at   timestamptz
);
CREATE INDEX jobs_user_id_idx ON jobs (user_id, created_at DESC);
CREATE INDEX jobs_video_id_idx ON jobs (video_id);
CREATE INDEX jobs_active_idx ON jobs (status) WHERE status IN ('pending', 'running');

CREATE TABLE media_assets (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id      bigint REFERENCES jobs (id) ON DELETE SET NULL,
  video_id    bigint NOT NULL REFERENCES gallery_videos (id) ON DELETE CASCADE,
  asset_type  text NOT NULL CHECK (asset_type IN ('rendition', 'playlist', 'poster', 'sprite', 'thumbnails_vtt', 'source')),
  rendition   text,
  storage_key text NOT NULL,
  content_type text,
  file_size   bigint,
  width       integer,
  height      integer,
  bit_rate    bigint,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (video_id, asset_type, rendition, storage_key)
);
CREATE INDEX media_assets_job_id_idx ON media_assets (job_id);

-- Transactional outbox: rows written in the same transaction as the change they
-- announce; the relay publishes them to the queue and stamps sent_at.
CREATE TABLE outbox (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  topic       text NOT NULL,
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  sent_at     timestamptz,
  attempts    integer NOT NULL DEFAULT 0,
  last_error  text
);
CREATE INDEX outbox_unsent_idx ON outbox (id) WHERE sent_at IS NULL;

CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('videoforge_outbox', NEW.id::text);
  RETURN NEW;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION outbox_notify();

-- The Postgres queue adapter (all-in-one mode). A message is visible when
-- visible_at <= now(); receiving it pushes visible_at out by the visibility timeout
-- and issues a fresh receipt, so a stale receipt cannot delete a redelivered message.
CREATE TABLE queue_messages (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  queue           text NOT NULL,
  body            text NOT NULL,
  group_id        text,
  deduplication_id text,
  receive_count   integer NOT NULL DEFAULT 0,
  receipt         uuid,
  visible_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz NOT NULL DEFAULT now(),
  first_received_at timestamptz
);
CREATE INDEX queue_messages_ready_idx ON queue_messages (queue, visible_at, id);
CREATE UNIQUE INDEX queue_messages_receipt_key ON queue_messages (receipt) WHERE receipt IS NOT NULL;
CREATE UNIQUE INDEX queue_messages_dedup_key ON queue_messages (queue, deduplication_id)
  WHERE deduplication_id IS NOT NULL;
