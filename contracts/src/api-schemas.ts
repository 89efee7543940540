import { z } from 'zod';
import { CodecFamilies } from './codec-families.ts';
import { EntityId } from './queue-messages.ts';
import { RenditionName } from './renditions.ts';
import { RenditionQuality, TwinQuality } from './rendition-quality.ts';
import { VideoProcessing } from './video-processing.ts';

/**
 * Request and response bodies of the HTTP API. The API validates with these and
 * builds its OpenAPI document from them, and the web app types its calls with them,
 * so the three cannot drift apart.
 */

export const IsoDateTime = z.iso.datetime({ offset: true });

// ── Auth ────────────────────────────────────────────────────────────────────────

export const Role = z.enum(['user', 'admin']);
export type Role = z.infer<typeof Role>;

export const Username = z
  .string()
  .trim()
  .min(3)
  .max(40)
  .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, underscore and hyphen only');

/** The original policy: 8+ characters with upper case, lower case, a digit and a symbol. */
export const Password = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(256, 'must be at most 256 characters')
  // Unicode-aware: "Ü" is an upper-case letter too.
  .regex(/\p{Lu}/u, 'must contain an upper-case letter')
  .regex(/\p{Ll}/u, 'must contain a lower-case letter')
  .regex(/\p{Nd}/u, 'must contain a digit')
  .regex(/[^\p{L}\p{Nd}]/u, 'must contain a symbol');

export const TotpCode = z.string().regex(/^[0-9]{6}$/, 'must be 6 digits');

/** A one-time admin setup token (printed in the API's log when there is no admin yet). */
export const SetupToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'is not a setup token');

export const RegisterRequest = z.strictObject({
  username: Username,
  email: z.email().max(254),
  password: Password,
  /** Makes this account the first admin; also opens registration when it is closed. */
  setupToken: SetupToken.optional(),
});
export type RegisterRequest = z.infer<typeof RegisterRequest>;

export const LoginRequest = z.strictObject({
  /** Username or email. */
  username: z.string().min(1).max(254),
  password: z.string().min(1).max(256),
  /** Required once MFA is enabled; without it login answers 401 mfa_required. */
  totpCode: TotpCode.optional(),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const RefreshToken = z.string().min(16).max(512);
export type RefreshToken = z.infer<typeof RefreshToken>;

/**
 * Non-browser clients send the refresh token in the body; the web app sends none and the
 * API reads the HttpOnly `vf_refresh` cookie instead (with `X-Requested-With: videoforge`).
 */
export const RefreshRequest = z.strictObject({ refreshToken: RefreshToken.optional() });
export type RefreshRequest = z.infer<typeof RefreshRequest>;

export const User = z.object({
  id: EntityId,
  username: z.string(),
  email: z.string(),
  role: Role,
  mfaEnabled: z.boolean(),
  createdAt: IsoDateTime,
});
export type User = z.infer<typeof User>;

export const TokenResponse = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  /** Seconds until the access token expires. */
  expiresIn: z.number().int().positive(),
  /**
   * Absent when the request came from the web app (`X-Requested-With: videoforge`): it gets
   * the refresh token only as the HttpOnly `vf_refresh` cookie, out of reach of scripts.
   */
  refreshToken: z.string().optional(),
  user: User,
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export const MfaSetupResponse = z.object({ secret: z.string(), otpauthUrl: z.string() });
export type MfaSetupResponse = z.infer<typeof MfaSetupResponse>;

export const MfaCodeRequest = z.strictObject({ code: TotpCode });
export type MfaCodeRequest = z.infer<typeof MfaCodeRequest>;

/** A password change signs out every other session (their refresh tokens are revoked). */
export const PasswordChangeRequest = z.strictObject({
  currentPassword: z.string().min(1).max(256),
  newPassword: Password,
});
export type PasswordChangeRequest = z.infer<typeof PasswordChangeRequest>;

/** A single-use ticket for one `GET /api/events?ticket=…`, valid for `expiresIn` seconds. */
export const EventsTicketResponse = z.object({
  ticket: z.string(),
  expiresIn: z.number().int().positive(),
});
export type EventsTicketResponse = z.infer<typeof EventsTicketResponse>;

// ── Videos ──────────────────────────────────────────────────────────────────────

export const Visibility = z.enum(['public', 'private']);
export type Visibility = z.infer<typeof Visibility>;

export const VideoStatus = z.enum(['uploading', 'processing', 'playable', 'ready', 'failed']);
export type VideoStatus = z.infer<typeof VideoStatus>;

export const Title = z.string().trim().min(1).max(200);
export const Description = z.string().trim().max(5000);

export const Video = z.object({
  id: EntityId,
  ownerId: EntityId,
  ownerName: z.string(),
  title: z.string(),
  description: z.string(),
  visibility: Visibility,
  status: VideoStatus,
  originalFilename: z.string().nullable(),
  durationSeconds: z.number().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  frameRate: z.number().nullable(),
  videoCodec: z.string().nullable(),
  audioCodec: z.string().nullable(),
  bitRate: z.number().int().nullable(),
  fileSize: z.number().int().nullable(),
  /** What the transcode did to the picture (HDR tone mapping, deinterlacing); single-video reads only. */
  processing: VideoProcessing.optional(),
  /**
   * The streamed renditions' measured SSIM/PSNR against the source, those that were
   * measured (TRANSCODE_QUALITY_METRICS); single-video reads only.
   */
  renditions: z
    .array(
      z.object({
        name: RenditionName,
        /** The H.264 rendition's figure (a rendition is listed once it has one). */
        quality: RenditionQuality,
        /** Its twins' figures (HEVC, AV1; the HDR twin's in the PQ/HLG domain). */
        twins: z.array(TwinQuality).optional(),
      }),
    )
    .optional(),
  /** A player can start: a rendition has segments, though the transcode may still run. */
  playable: z.boolean(),
  /** When it first became playable; null until then. */
  playableAt: IsoDateTime.nullable(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export type Video = z.infer<typeof Video>;

export const VideoSort = z.enum(['createdAt', 'title', 'duration']);
export type VideoSort = z.infer<typeof VideoSort>;

/** Query of the gallery lists. Resolution filters compare the short side (720 = "720p"). */
export const VideoListQuery = z.strictObject({
  q: z.string().trim().max(200).optional(),
  minDuration: z.coerce.number().nonnegative().optional(),
  maxDuration: z.coerce.number().nonnegative().optional(),
  minResolution: z.coerce.number().int().positive().max(8192).optional(),
  maxResolution: z.coerce.number().int().positive().max(8192).optional(),
  uploadedAfter: IsoDateTime.optional(),
  uploadedBefore: IsoDateTime.optional(),
  sort: VideoSort.default('createdAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  /** Admins may list every video, private ones included. */
  scope: z.enum(['public', 'all']).default('public'),
});
export type VideoListQuery = z.infer<typeof VideoListQuery>;

export const VideoPage = z.object({
  items: z.array(Video),
  page: z.number().int(),
  pageSize: z.number().int(),
  total: z.number().int(),
});
export type VideoPage = z.infer<typeof VideoPage>;

export const VideoUpdateRequest = z
  .strictObject({
    title: Title.optional(),
    description: Description.optional(),
    visibility: Visibility.optional(),
  })
  .refine(
    (body) => Object.keys(body).length > 0,
    'give at least one of title, description, visibility',
  );
export type VideoUpdateRequest = z.infer<typeof VideoUpdateRequest>;

export const DownloadLink = z.object({
  rendition: RenditionName,
  url: z.string(),
  expiresAt: IsoDateTime,
});
export const DownloadsResponse = z.object({ items: z.array(DownloadLink) });
export type DownloadsResponse = z.infer<typeof DownloadsResponse>;

// ── Jobs ────────────────────────────────────────────────────────────────────────

export const JobStatus = z.enum(['pending', 'running', 'succeeded', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof JobStatus>;

/** The renditions a client may ask for: the default ladder's names. */
export const Format = z.enum(['2160p', '1080p', '720p', '480p', '360p']);
export type Format = z.infer<typeof Format>;
export const Formats = z
  .array(Format)
  .min(1)
  .max(5)
  .refine((list) => new Set(list).size === list.length, 'formats must not repeat');

export const JobRendition = z.object({
  name: RenditionName,
  phase: z.enum(['pending', 'running', 'succeeded', 'failed', 'cancelled']),
  progress: z.number().min(0).max(100),
  /** Measured SSIM/PSNR against the source, once the rendition is done and was measured. */
  quality: RenditionQuality.optional(),
  /** Its twins' measured SSIM/PSNR (HEVC, AV1; the HDR twin's in the PQ/HLG domain). */
  twins: z.array(TwinQuality).optional(),
});
export type JobRendition = z.infer<typeof JobRendition>;

export const Job = z.object({
  id: EntityId,
  videoId: EntityId,
  status: JobStatus,
  progress: z.number().min(0).max(100),
  formats: z.array(z.string()),
  errorMessage: z.string().nullable(),
  attempts: z.number().int(),
  renditions: z.array(JobRendition),
  /** The audio/subtitle tracks' workload; null until the controller reports it. */
  tracks: z
    .object({
      phase: z.enum(['pending', 'running', 'succeeded', 'failed', 'cancelled']),
      attempts: z.number().int().optional(),
      message: z.string().optional(),
    })
    .nullable()
    .optional(),
  /** Its outputs can be played: a rendition has segments, though the job may still run. */
  playable: z.boolean(),
  /** When the first rendition had its first segments published; null until then. */
  playableAt: IsoDateTime.nullable(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  startedAt: IsoDateTime.nullable(),
  completedAt: IsoDateTime.nullable(),
});
export type Job = z.infer<typeof Job>;

export const JobCreateRequest = z.strictObject({
  videoId: EntityId,
  formats: Formats,
  /** Also an HDR set beside the SDR ladder, when the source is HDR. */
  hdr: z.boolean().optional(),
  /** Codec families to encode in: h264 always, hevc and av1 beside it; default: the server's. */
  codecs: CodecFamilies.optional(),
});
export type JobCreateRequest = z.infer<typeof JobCreateRequest>;

export const JobListQuery = z.strictObject({
  status: JobStatus.optional(),
  /** Only this video's jobs (newest first), e.g. for a video page's live status. */
  videoId: EntityId.optional(),
  /** Admins may list everyone's jobs. */
  scope: z.enum(['mine', 'all']).default('mine'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type JobListQuery = z.infer<typeof JobListQuery>;

export const JobPage = z.object({
  items: z.array(Job),
  page: z.number().int(),
  pageSize: z.number().int(),
  total: z.number().int(),
});

/**
 * The Postgres NOTIFY channel for job changes: the controller announces status it
 * mirrors from TranscodeJobs, the API announces jobs it creates or cancels; every API
 * process LISTENs and fans the events out to its event streams.
 */
export const JOB_EVENTS_CHANNEL = 'videoforge_job_events';

/** What the events stream sends for each job change (`event: job`). */
export const JobEvent = z.object({
  jobId: EntityId,
  videoId: EntityId,
  status: JobStatus,
  progress: z.coerce.number().min(0).max(100),
  /** Per-rendition state, when the controller reports it. */
  renditions: z.array(JobRendition).optional(),
  error: z.string().optional(),
  /** Whether a player can start, when the writer knows (the controller's mirror does). */
  playable: z.boolean().optional(),
  playableAt: IsoDateTime.nullable().optional(),
});
export type JobEvent = z.infer<typeof JobEvent>;

/**
 * What the events stream sends once, when a job becomes playable (`event: playable`):
 * the moment a player can start, before the job succeeds.
 */
export const PlayableEvent = z.object({
  jobId: EntityId,
  videoId: EntityId,
  playableAt: IsoDateTime,
});
export type PlayableEvent = z.infer<typeof PlayableEvent>;

/**
 * The NOTIFY payload on JOB_EVENTS_CHANNEL: the event plus whose job it is, and whether
 * this change is the one that made the job playable.
 */
export const JobEventNotification = JobEvent.extend({
  type: z.literal('job'),
  userId: EntityId,
  becamePlayable: z.boolean().optional(),
});
export type JobEventNotification = z.infer<typeof JobEventNotification>;

// ── Uploads ─────────────────────────────────────────────────────────────────────

export const UploadId = z.uuid();

export const UploadCreateRequest = z.strictObject({
  filename: z.string().trim().min(1).max(255),
  size: z.number().int().positive(),
  contentType: z.string().regex(/^video\/[A-Za-z0-9.+-]+$/, 'must be a video/* media type'),
  /** Force a multipart upload even for a small file (large files are always multipart). */
  multipart: z.boolean().optional(),
  /**
   * Multipart: the part size the client will cut the file into (≥ 5 MiB, at most 10 000
   * parts), for clients that plan their parts before creating the upload (Uppy).
   */
  partSize: z
    .number()
    .int()
    .min(5 * 1024 * 1024)
    .max(5 * 1024 ** 3)
    .optional(),
  title: Title.optional(),
  description: Description.optional(),
  visibility: Visibility.optional(),
});
export type UploadCreateRequest = z.infer<typeof UploadCreateRequest>;

export const UploadPart = z.object({
  partNumber: z.number().int().min(1).max(10_000),
  url: z.string(),
});

export const UploadCreateResponse = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('single'),
    uploadId: UploadId,
    key: z.string(),
    url: z.string(),
    expiresAt: IsoDateTime,
  }),
  z.object({
    mode: z.literal('multipart'),
    uploadId: UploadId,
    key: z.string(),
    partSize: z.number().int().positive(),
    parts: z.array(UploadPart),
    expiresAt: IsoDateTime,
  }),
]);
export type UploadCreateResponse = z.infer<typeof UploadCreateResponse>;

export const UploadCompleteRequest = z.strictObject({
  /** Multipart uploads: each part's number and the ETag its PUT returned. */
  parts: z
    .array(
      z.strictObject({
        partNumber: z.number().int().min(1).max(10_000),
        etag: z.string().min(1).max(200),
      }),
    )
    .max(10_000)
    .optional(),
  /** Renditions to produce; default: the ladder up to the source's resolution. */
  formats: Formats.optional(),
  /** Also an HDR set (HEVC Main10, PQ/HLG) beside the SDR ladder, when the source is HDR. */
  hdr: z.boolean().optional(),
  /** Codec families to encode in (`["h264", "av1"]`): h264 always; default: the server's. */
  codecs: CodecFamilies.optional(),
});
export type UploadCompleteRequest = z.infer<typeof UploadCompleteRequest>;

export const UploadCompleteResponse = z.object({ video: Video, job: Job });
export type UploadCompleteResponse = z.infer<typeof UploadCompleteResponse>;
