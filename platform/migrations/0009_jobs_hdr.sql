-- A job may ask for an HDR set beside the SDR ladder (HEVC Main10 keeping the source's
-- PQ/HLG signalling); the controller copies it into the TranscodeJob's spec.hdr.
ALTER TABLE jobs ADD COLUMN hdr boolean NOT NULL DEFAULT false;
