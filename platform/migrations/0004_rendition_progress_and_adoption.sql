-- Per-rendition state mirrored from the TranscodeJob's status ([{name, phase, progress}]),
-- so the API can answer "how far is 720p" without asking Kubernetes.
ALTER TABLE jobs ADD COLUMN renditions jsonb NOT NULL DEFAULT '[]'::jsonb;

-- The uid of the TranscodeJob a hand-applied job was adopted from. Adoption is keyed on
-- it, so a reconcile that runs again on a stale cache finds the rows it already made.
ALTER TABLE jobs ADD COLUMN resource_uid text UNIQUE;
