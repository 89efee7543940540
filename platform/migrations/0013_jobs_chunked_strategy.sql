-- A TranscodeJob applied by hand with strategy chunked is adopted into a job row that
-- keeps its strategy (the operator cuts it into chunks; the all-in-one runs it as ladder).
ALTER TABLE jobs DROP CONSTRAINT jobs_strategy_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_strategy_check CHECK (strategy IN ('auto', 'perRendition', 'ladder', 'chunked'));
