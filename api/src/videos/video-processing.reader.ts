import { text } from 'node:stream/consumers';
import { OUTPUT_FILES, RenditionManifest, type VideoProcessing } from '@videoforge/contracts';
import type { StoragePort } from '@videoforge/platform/storage';
import type { JobRow } from '../jobs/jobs.repository.ts';

/**
 * What the transcode did to a video's picture (tone mapped from HDR, deinterlaced), as
 * its finished renditions' manifests record it. One small read per single-video
 * request; undefined until a rendition is done, or for outputs made before manifests
 * carried it.
 */
export async function readVideoProcessing(
  storage: StoragePort,
  job: Pick<JobRow, 'outputPrefix' | 'formats'> | undefined,
): Promise<VideoProcessing | undefined> {
  if (!job?.outputPrefix) return undefined;
  for (const rendition of job.formats) {
    try {
      const body = await text(
        await storage.get(`${job.outputPrefix}${rendition}/${OUTPUT_FILES.renditionManifest}`),
      );
      const manifest = RenditionManifest.safeParse(JSON.parse(body));
      if (manifest.success && manifest.data.processing) return manifest.data.processing;
    } catch {
      // Not uploaded (yet): try the next rendition.
    }
  }
  return undefined;
}
