-- A twin's measured quality (its HEVC or AV1 twin, "720p-av1"; its HDR twin, "720p-hdr",
-- measured in the PQ/HLG domain) gets its own media_assets row beside its rendition's:
-- `rendition` stays the rendition the job asked for (what "finished" is counted by),
-- `variant` names what was stored and measured. Existing rendition rows are their own variant.
ALTER TABLE media_assets
  ADD COLUMN variant text CHECK (variant IS NULL OR variant ~ '^[1-9][0-9]{0,3}p(-hdr|-hevc|-av1)?$');
UPDATE media_assets SET variant = rendition WHERE asset_type = 'rendition' AND variant IS NULL;
