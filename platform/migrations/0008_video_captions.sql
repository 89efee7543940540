-- Sidecar captions uploaded through POST /api/videos/:id/captions: stored as segmented
-- WebVTT under storage_prefix and offered as one more HLS subtitle rendition.
CREATE TABLE video_captions (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  video_id       bigint NOT NULL REFERENCES gallery_videos (id) ON DELETE CASCADE,
  created_by     bigint REFERENCES users (id) ON DELETE SET NULL,
  language       text NOT NULL CHECK (length(language) BETWEEN 2 AND 35),
  label          text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
  source_format  text NOT NULL CHECK (source_format IN ('srt', 'vtt')),
  cue_count      integer NOT NULL CHECK (cue_count >= 0),
  storage_prefix text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX video_captions_video_id_idx ON video_captions (video_id, id);

-- The audio/subtitle tracks' workload as the controller last saw it ({phase, workload?,
-- attempts?, message?} from TranscodeJob status.tracks); null until it reports. A
-- video with audio is playable only once this says succeeded (it must have sound).
ALTER TABLE jobs ADD COLUMN tracks jsonb;
