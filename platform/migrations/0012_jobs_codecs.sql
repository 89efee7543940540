-- A job may ask for codec families beside H.264 (HEVC, AV1); the controller copies them
-- into the TranscodeJob's spec.codecs. NULL: the server's default (TRANSCODE_CODECS).
ALTER TABLE jobs ADD COLUMN codecs text[];
ALTER TABLE jobs ADD CONSTRAINT jobs_codecs_check CHECK (
  codecs IS NULL OR (codecs <@ ARRAY['h264', 'hevc', 'av1']::text[] AND 'h264' = ANY (codecs))
);
