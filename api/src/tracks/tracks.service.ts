import { randomUUID } from 'node:crypto';
import { text } from 'node:stream/consumers';
import {
  finalOutputKey,
  summarizeTracks,
  TRACKS_DIR,
  TRACKS_MANIFEST,
  liveTracksManifestKey,
  TracksManifest,
  type Caption,
  type CaptionCreateRequest,
  type SubtitleTrackManifest,
  type TracksSummary,
} from '@videoforge/contracts';
import type { Logger } from '@videoforge/platform/logging';
import {
  CaptionParseError,
  parseCaptions,
  renderWebVtt,
  segmentWebVtt,
} from '@videoforge/platform/media';
import { ObjectNotFoundError, type StoragePort } from '@videoforge/platform/storage';
import { HttpError } from '../http/errors.ts';
import type { JobsRepository } from '../jobs/jobs.repository.ts';
import type { VideoRow } from '../videos/videos.repository.ts';
import { toCaption, type CaptionRow, type CaptionsRepository } from './captions.repository.ts';

/** Segment length of sidecar caption playlists: the transcoder's default video segment. */
const CAPTION_SEGMENT_SECONDS = 6;
export const CAPTION_FILES = { playlist: 'index.m3u8', full: 'captions.vtt' } as const;

/** Sidecar captions live apart from any job's outputs, so a re-transcode keeps them. */
export function captionsPrefix(videoId: string): string {
  return `videos/captions/${videoId}/`;
}

/** A sidecar caption as a subtitle rendition; its id `c{id}` routes to its storage prefix. */
export function captionTrack(caption: CaptionRow): SubtitleTrackManifest {
  return {
    id: `c${caption.id}`,
    sourceCodec: caption.sourceFormat === 'srt' ? 'subrip' : 'webvtt',
    language: caption.language,
    name: caption.label,
    default: false,
    forced: false,
    playlist: `${TRACKS_DIR}c${caption.id}/${CAPTION_FILES.playlist}`,
    cueCount: caption.cueCount,
  };
}

export interface TracksServiceDeps {
  captions: CaptionsRepository;
  jobs: JobsRepository;
  storage: StoragePort;
  logger: Logger;
}

export function createTracksService({ captions, jobs, storage, logger }: TracksServiceDeps) {
  /** The output prefix playback uses: the finished job's, else the newest job with outputs. */
  async function outputPrefixOf(video: VideoRow): Promise<string | undefined> {
    const masterKey =
      video.masterPlaylistKey ??
      (await jobs
        .latestSucceeded(video.id)
        .then((job) => job && finalOutputKey(job.outputPrefix, 'master')));
    if (masterKey) return masterKey.slice(0, masterKey.lastIndexOf('/') + 1);
    const latest = (await jobs.forVideo(video.id)).reverse().find((job) => job.outputPrefix);
    return latest?.outputPrefix;
  }

  /** tracks.json under a job's prefix; undefined until the tracks step has written it. */
  function manifestAt(outputPrefix: string): Promise<TracksManifest | undefined> {
    return manifestFile(`${outputPrefix}${TRACKS_MANIFEST}`);
  }

  async function manifestFile(key: string): Promise<TracksManifest | undefined> {
    try {
      const parsed = TracksManifest.safeParse(JSON.parse(await text(await storage.get(key))));
      return parsed.success ? parsed.data : undefined;
    } catch (error) {
      if (error instanceof ObjectNotFoundError || error instanceof SyntaxError) return undefined;
      throw error;
    }
  }

  return {
    manifestAt,
    outputPrefixOf,

    async sidecarTracks(video: VideoRow): Promise<SubtitleTrackManifest[]> {
      return (await captions.forVideo(video.id)).map(captionTrack);
    },

    /** Where a track's playlist lives in storage: a job's `tracks/{id}/`, or a caption's prefix. */
    async trackDirectory(
      video: VideoRow,
      outputPrefix: string,
      trackId: string,
    ): Promise<string | undefined> {
      if (trackId.startsWith('c')) {
        const caption = await captions.find(video.id, trackId.slice(1));
        return caption?.storagePrefix;
      }
      // While the job runs, its audio plays from tracks/live.json's tracks (growing playlists).
      const manifest =
        (await manifestAt(outputPrefix)) ??
        (await manifestFile(liveTracksManifestKey(outputPrefix)));
      const known = [...(manifest?.audio ?? []), ...(manifest?.subtitles ?? [])].some(
        (track) => track.id === trackId,
      );
      return known ? `${outputPrefix}${TRACKS_DIR}${trackId}/` : undefined;
    },

    async summary(video: VideoRow): Promise<TracksSummary | null> {
      const prefix = await outputPrefixOf(video);
      const manifest = prefix ? await manifestAt(prefix) : undefined;
      const sidecars = (await captions.forVideo(video.id)).map(captionTrack);
      if (!manifest && sidecars.length === 0) return null;
      return summarizeTracks(
        manifest ?? { version: 1, audio: [], subtitles: [], skipped: [] },
        sidecars,
      );
    },

    async listCaptions(video: VideoRow): Promise<Caption[]> {
      return (await captions.forVideo(video.id)).map(toCaption);
    },

    /**
     * Parses the uploaded SubRip/WebVTT text (refusing anything else), converts it to
     * WebVTT and stores it segmented for HLS under its own prefix, then records it.
     */
    async addCaption(
      video: VideoRow,
      userId: string,
      request: CaptionCreateRequest,
    ): Promise<Caption> {
      let cues;
      try {
        cues = parseCaptions(request.content);
      } catch (error) {
        if (error instanceof CaptionParseError)
          throw new HttpError(422, 'invalid_captions', error.message);
        throw error;
      }
      const sourceFormat = /^\uFEFF?WEBVTT/.test(request.content) ? 'vtt' : 'srt';
      const prefix = `${captionsPrefix(video.id)}${randomUUID()}/`;
      const segmented = segmentWebVtt(cues, {
        segmentSeconds: CAPTION_SEGMENT_SECONDS,
        durationSeconds: Math.max(
          video.durationSeconds ?? 0,
          ...cues.map((cue) => cue.endMs / 1000),
          1,
        ),
      });
      const vtt = { contentType: 'text/vtt; charset=utf-8', cacheControl: 'public, max-age=60' };
      try {
        for (const segment of segmented.segments)
          await storage.put(`${prefix}${segment.name}`, segment.content, vtt);
        await storage.put(`${prefix}${CAPTION_FILES.full}`, renderWebVtt(cues), vtt);
        await storage.put(`${prefix}${CAPTION_FILES.playlist}`, segmented.playlist, {
          contentType: 'application/vnd.apple.mpegurl',
          cacheControl: 'public, max-age=60',
        });
        const row = await captions.insert({
          videoId: video.id,
          createdBy: userId,
          language: request.language,
          label: request.label,
          sourceFormat,
          cueCount: cues.length,
          storagePrefix: prefix,
        });
        logger.info({ videoId: video.id, captionId: row.id, cues: cues.length }, 'caption added');
        return toCaption(row);
      } catch (error) {
        await storage.deletePrefix(prefix).catch(() => undefined);
        throw error;
      }
    },

    async removeCaption(video: VideoRow, captionId: string): Promise<void> {
      const caption = await captions.find(video.id, captionId);
      if (!caption) throw new HttpError(404, 'not_found', 'caption not found');
      await captions.delete(video.id, captionId);
      await storage.deletePrefix(caption.storagePrefix);
    },

    /** A caption's whole WebVTT file (for download or a native <track>). */
    async captionVtt(video: VideoRow, captionId: string): Promise<string> {
      const caption = await captions.find(video.id, captionId);
      if (!caption) throw new HttpError(404, 'not_found', 'caption not found');
      return text(await storage.get(`${caption.storagePrefix}${CAPTION_FILES.full}`));
    },
  };
}
export type TracksService = ReturnType<typeof createTracksService>;
