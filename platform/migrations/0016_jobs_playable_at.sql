-- "Playable" is its own state: the moment a player could first start, i.e. the first
-- rendition had its first segments in storage (the controller mirrors it from the
-- TranscodeJob's status.playableAt). Kept on the job and on its video; once set, never
-- moved (a retry republishes, but the video was already playable).
ALTER TABLE jobs ADD COLUMN playable_at timestamptz;
ALTER TABLE gallery_videos ADD COLUMN playable_at timestamptz;
