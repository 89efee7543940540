-- Each finished rendition's measured picture quality against its source (the
-- transcoder's sampled SSIM/PSNR, TRANSCODE_QUALITY_METRICS); NULL: not measured.
ALTER TABLE media_assets
  ADD COLUMN ssim double precision CHECK (ssim IS NULL OR (ssim >= 0 AND ssim <= 1)),
  ADD COLUMN psnr_db double precision CHECK (psnr_db IS NULL OR (psnr_db >= 0 AND psnr_db <= 100)),
  ADD COLUMN quality_sampled_seconds double precision
    CHECK (quality_sampled_seconds IS NULL OR quality_sampled_seconds >= 0);
