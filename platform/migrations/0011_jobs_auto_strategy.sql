-- A job's strategy may be left to the runtime ('auto', the new default): the all-in-one
-- runs the decode-once ladder, the operator its TRANSCODE_AUTO_STRATEGY setting.
ALTER TABLE jobs DROP CONSTRAINT jobs_strategy_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_strategy_check CHECK (strategy IN ('auto', 'perRendition', 'ladder'));
ALTER TABLE jobs ALTER COLUMN strategy SET DEFAULT 'auto';
