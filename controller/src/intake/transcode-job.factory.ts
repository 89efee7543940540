import {
  DEFAULT_CHUNK_MAX_PARALLEL,
  DEFAULT_CODEC_FAMILIES,
  renditionForName,
  TRANSCODE_JOB_FINALIZER,
  TRANSCODE_JOB_GROUP,
  TRANSCODE_JOB_KIND,
  TRANSCODE_JOB_VERSION,
  outputPrefixFor,
  transcodeJobName,
  type CodecFamily,
  type TranscodeJobResource,
  type TranscodeJobStrategy,
} from '@videoforge/contracts';

export interface JobRow {
  id: string;
  video_id: string;
  formats: string[];
  strategy: TranscodeJobStrategy;
  /** Absent on rows read before migration 0009's column existed in the query. */
  hdr?: boolean;
  /** The codec families asked for; null or absent: the server's default. */
  codecs?: CodecFamily[] | null;
  /** The source's probed duration (the video row's); null or absent when unknown. */
  duration_seconds?: number | null;
  input_key: string;
  output_prefix: string | null;
  status: string;
}

/** The TranscodeJob for a Postgres job row; its name comes from the job id, so creating it twice is harmless. */
export function transcodeJobFor(
  job: JobRow,
  options: {
    namespace: string;
    bucket: string;
    /** What a job that named no codec families gets (the operator's TRANSCODE_CODECS). */
    defaultCodecs?: readonly CodecFamily[];
    /** spec.chunking.maxParallel for a job whose duration is known (TRANSCODE_CHUNK_MAX_PARALLEL). */
    chunkMaxParallel?: number;
  },
): TranscodeJobResource {
  const codecs = job.codecs ?? options.defaultCodecs ?? DEFAULT_CODEC_FAMILIES;
  return {
    apiVersion: `${TRANSCODE_JOB_GROUP}/${TRANSCODE_JOB_VERSION}`,
    kind: TRANSCODE_JOB_KIND,
    metadata: {
      name: transcodeJobName(job.id),
      namespace: options.namespace,
      labels: { 'videoforge.io/job-id': job.id, 'videoforge.io/video-id': job.video_id },
      // Born with the cleanup finalizer, so the controller's first pass need not patch
      // it in: one API write and one watch event fewer per job.
      finalizers: [TRANSCODE_JOB_FINALIZER],
    },
    spec: {
      jobId: job.id,
      videoId: job.video_id,
      source: { bucket: options.bucket, key: job.input_key },
      renditions: job.formats.map(renditionForName),
      outputPrefix: job.output_prefix ?? outputPrefixFor(job.id),
      priority: 0,
      maxRetries: 2,
      strategy: job.strategy,
      ...(job.hdr ? { hdr: true } : {}),
      // H.264 alone is what a spec without codecs means: such specs stay as they were.
      ...(codecs.some((family) => family !== 'h264') ? { codecs: [...codecs] } : {}),
      // The duration lets `auto` choose chunks for a long title (and a chunked job cut it).
      ...(typeof job.duration_seconds === 'number'
        ? {
            chunking: {
              maxParallel: options.chunkMaxParallel ?? DEFAULT_CHUNK_MAX_PARALLEL,
              durationSeconds: job.duration_seconds,
            },
          }
        : {}),
    },
  };
}
