import { z } from 'zod';
import {
  ApiErrorBody,
  AuthConfigResponse,
  Caption,
  CaptionCreateRequest,
  CaptionList,
  TracksResponse,
  DownloadsResponse,
  EventsTicketResponse,
  Job,
  JobCreateRequest,
  JobListQuery,
  JobPage,
  LoginRequest,
  MfaCodeRequest,
  MfaSetupResponse,
  PasswordChangeRequest,
  RefreshRequest,
  RegisterRequest,
  TokenResponse,
  UploadCompleteRequest,
  UploadCompleteResponse,
  UploadCreateRequest,
  UploadCreateResponse,
  UploadList,
  UploadPartsRequest,
  UploadPartsResponse,
  UploadState,
  User,
  Video,
  VideoListQuery,
  VideoPage,
  VideoUpdateRequest,
} from '@videoforge/contracts';
import { StreamQuery } from '../streaming/streaming.routes.ts';

type Auth = 'none' | 'optional' | 'required';

interface Operation {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Express-style path; `:name` becomes `{name}`. */
  path: string;
  summary: string;
  tag: string;
  auth: Auth;
  query?: z.ZodObject;
  body?: z.ZodType;
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
}

const ok = (schema: z.ZodType, description = 'OK') => ({ 200: { description, schema } });
const created = (schema: z.ZodType) => ({ 201: { description: 'Created', schema } });
const noContent = { 204: { description: 'No content' } };
const m3u8 = { 200: { description: 'HLS playlist', contentType: 'application/vnd.apple.mpegurl' } };

/** Every route, with the very schemas the handlers validate with. */
export const OPERATIONS: readonly Operation[] = [
  {
    method: 'post',
    path: '/api/auth/register',
    summary: 'Create an account',
    tag: 'auth',
    auth: 'none',
    body: RegisterRequest,
    responses: created(TokenResponse),
  },
  {
    method: 'post',
    path: '/api/auth/login',
    summary: 'Sign in (TOTP code required once MFA is on)',
    tag: 'auth',
    auth: 'none',
    body: LoginRequest,
    responses: ok(TokenResponse),
  },
  {
    method: 'post',
    path: '/api/auth/refresh',
    summary:
      'Exchange a refresh token (body, or the vf_refresh cookie with X-Requested-With: videoforge) for new tokens (rotating)',
    tag: 'auth',
    auth: 'none',
    body: RefreshRequest,
    responses: ok(TokenResponse),
  },
  {
    method: 'post',
    path: '/api/auth/logout',
    summary:
      "End the session of a refresh token (body, or the vf_refresh cookie) and clear the cookie; OIDC mode answers 200 {endSessionUrl}, the provider's sign-out",
    tag: 'auth',
    auth: 'required',
    body: RefreshRequest,
    responses: noContent,
  },
  {
    method: 'post',
    path: '/api/auth/logout-all',
    summary: 'Sign out everywhere: revoke every refresh token of the account',
    tag: 'auth',
    auth: 'required',
    responses: noContent,
  },
  {
    method: 'post',
    path: '/api/auth/password',
    summary: 'Change the password; every other session is signed out, new tokens for this one',
    tag: 'auth',
    auth: 'required',
    body: PasswordChangeRequest,
    responses: ok(TokenResponse),
  },
  {
    method: 'get',
    path: '/api/openapi.json',
    summary: 'This document',
    tag: 'auth',
    auth: 'none',
    responses: { 200: { description: 'OpenAPI 3.1', contentType: 'application/json' } },
  },
  {
    method: 'get',
    path: '/api/auth/config',
    summary: 'How this install signs people in: builtin form, or an OIDC provider (its name)',
    tag: 'auth',
    auth: 'none',
    responses: ok(AuthConfigResponse),
  },
  {
    method: 'get',
    path: '/api/auth/oidc/start',
    summary:
      'OIDC mode: redirect to the provider (authorization code + PKCE); sets the vf_oidc transaction cookie',
    tag: 'auth',
    auth: 'none',
    query: z.object({ returnTo: z.string().optional() }),
    responses: { 303: { description: 'To the provider, or /login?error=<code>' } },
  },
  {
    method: 'get',
    path: '/api/auth/oidc/callback',
    summary:
      "OIDC mode: the provider's redirect back; sets the vf_refresh cookie and redirects to /signed-in",
    tag: 'auth',
    auth: 'none',
    responses: { 303: { description: 'To /signed-in?to=<path>, or /login?error=<code>' } },
  },
  {
    method: 'get',
    path: '/api/auth/me',
    summary: 'The signed-in user',
    tag: 'auth',
    auth: 'required',
    responses: ok(User),
  },
  {
    method: 'post',
    path: '/api/auth/mfa/setup',
    summary: 'Start TOTP enrolment',
    tag: 'auth',
    auth: 'required',
    responses: ok(MfaSetupResponse),
  },
  {
    method: 'post',
    path: '/api/auth/mfa/verify',
    summary: 'Confirm TOTP enrolment with a code',
    tag: 'auth',
    auth: 'required',
    body: MfaCodeRequest,
    responses: ok(User),
  },
  {
    method: 'delete',
    path: '/api/auth/mfa',
    summary: 'Remove TOTP (needs a current code)',
    tag: 'auth',
    auth: 'required',
    body: MfaCodeRequest,
    responses: noContent,
  },
  {
    method: 'post',
    path: '/api/uploads',
    summary: 'Start an upload: presigned PUT or multipart part URLs',
    tag: 'uploads',
    auth: 'required',
    body: UploadCreateRequest,
    responses: created(UploadCreateResponse),
  },
  {
    method: 'get',
    path: '/api/uploads',
    summary: "The caller's unfinished uploads (resumable until expiresAt)",
    tag: 'uploads',
    auth: 'required',
    responses: ok(UploadList),
  },
  {
    method: 'get',
    path: '/api/uploads/:id',
    summary: 'An unfinished upload: size, part size, parts stored (read from storage), expiry',
    tag: 'uploads',
    auth: 'required',
    responses: ok(UploadState),
  },
  {
    method: 'post',
    path: '/api/uploads/:id/parts',
    summary: 'Fresh part URLs, each signed for its exact length',
    tag: 'uploads',
    auth: 'required',
    body: UploadPartsRequest,
    responses: ok(UploadPartsResponse),
  },
  {
    method: 'post',
    path: '/api/uploads/:id/complete',
    summary: 'Finish an upload: probe, then video + job + outbox',
    tag: 'uploads',
    auth: 'required',
    body: UploadCompleteRequest,
    responses: created(UploadCompleteResponse),
  },
  {
    method: 'delete',
    path: '/api/uploads/:id',
    summary: 'Abort an upload and remove its bytes',
    tag: 'uploads',
    auth: 'required',
    responses: noContent,
  },
  {
    method: 'get',
    path: '/api/videos',
    summary: 'Public gallery: search, filter, sort, paginate',
    tag: 'videos',
    auth: 'optional',
    query: VideoListQuery,
    responses: ok(VideoPage),
  },
  {
    method: 'get',
    path: '/api/videos/mine',
    summary: "The caller's videos",
    tag: 'videos',
    auth: 'required',
    query: VideoListQuery,
    responses: ok(VideoPage),
  },
  {
    method: 'get',
    path: '/api/videos/:id',
    summary: 'One video with its metadata',
    tag: 'videos',
    auth: 'optional',
    responses: ok(Video),
  },
  {
    method: 'patch',
    path: '/api/videos/:id',
    summary: 'Change title, description or visibility',
    tag: 'videos',
    auth: 'required',
    body: VideoUpdateRequest,
    responses: ok(Video),
  },
  {
    method: 'delete',
    path: '/api/videos/:id',
    summary: 'Delete a video, its objects and its jobs',
    tag: 'videos',
    auth: 'required',
    responses: noContent,
  },
  {
    method: 'get',
    path: '/api/videos/:id/downloads',
    summary: 'Signed MP4 download links',
    tag: 'videos',
    auth: 'optional',
    responses: ok(DownloadsResponse),
  },
  {
    method: 'post',
    path: '/api/jobs',
    summary: 'Transcode an existing video into chosen formats',
    tag: 'jobs',
    auth: 'required',
    body: JobCreateRequest,
    responses: created(Job),
  },
  {
    method: 'get',
    path: '/api/jobs',
    summary: "The caller's jobs (admins: scope=all)",
    tag: 'jobs',
    auth: 'required',
    query: JobListQuery,
    responses: ok(JobPage),
  },
  {
    method: 'get',
    path: '/api/jobs/:id',
    summary: 'One job with per-rendition progress',
    tag: 'jobs',
    auth: 'required',
    responses: ok(Job),
  },
  {
    method: 'post',
    path: '/api/jobs/:id/cancel',
    summary: 'Cancel a pending or running job',
    tag: 'jobs',
    auth: 'required',
    responses: ok(Job),
  },
  {
    method: 'post',
    path: '/api/jobs/:id/retry',
    summary: 'Retry a failed or cancelled job as a new job',
    tag: 'jobs',
    auth: 'required',
    responses: created(Job),
  },
  {
    method: 'get',
    path: '/api/stream/:videoId/master.m3u8',
    summary: 'HLS master playlist',
    tag: 'streaming',
    auth: 'optional',
    responses: m3u8,
  },
  {
    method: 'get',
    path: '/api/stream/:videoId/:rendition/index.m3u8',
    summary: 'HLS variant playlist with signed segment URLs',
    tag: 'streaming',
    auth: 'optional',
    responses: m3u8,
  },
  {
    method: 'get',
    path: '/api/stream/:videoId/manifest.mpd',
    summary:
      'DASH MPD (static) over the same CMAF segments: one video AdaptationSet per codec family and dynamic range, one per audio track, WebVTT subtitles as sidecar files; every URL a signed storage URL',
    tag: 'streaming',
    auth: 'optional',
    query: StreamQuery,
    responses: { 200: { description: 'DASH MPD', contentType: 'application/dash+xml' } },
  },
  {
    method: 'get',
    path: '/api/stream/:videoId/poster.jpg',
    summary: 'The poster: a redirect to a short-lived signed storage URL, usable in <img>',
    tag: 'streaming',
    auth: 'optional',
    responses: { 302: { description: 'To the signed poster URL' } },
  },
  {
    method: 'get',
    path: '/api/stream/:videoId/thumbnails.vtt',
    summary: 'Seek thumbnails (WebVTT) whose sprite URIs are signed like segments',
    tag: 'streaming',
    auth: 'optional',
    responses: { 200: { description: 'WebVTT', contentType: 'text/vtt' } },
  },
  {
    method: 'get',
    path: '/api/stream/:videoId/tracks/:trackId/index.m3u8',
    summary:
      'HLS audio or subtitle rendition playlist (a0…, s0…, c{captionId}) with signed segment URLs',
    tag: 'streaming',
    auth: 'optional',
    responses: m3u8,
  },
  {
    method: 'get',
    path: '/api/videos/:id/tracks',
    summary:
      'The audio and subtitle tracks the player offers, and the source tracks skipped with why',
    tag: 'videos',
    auth: 'optional',
    responses: ok(TracksResponse),
  },
  {
    method: 'get',
    path: '/api/videos/:id/captions',
    summary: "A video's sidecar captions",
    tag: 'videos',
    auth: 'optional',
    responses: ok(CaptionList),
  },
  {
    method: 'post',
    path: '/api/videos/:id/captions',
    summary:
      'Add a sidecar caption (owner or admin): SubRip or WebVTT text ≤ 512 KiB, stored as segmented WebVTT; 422 when it is not a subtitle file',
    tag: 'videos',
    auth: 'required',
    body: CaptionCreateRequest,
    responses: created(Caption),
  },
  {
    method: 'get',
    path: '/api/videos/:id/captions/:captionId/vtt',
    summary: 'A sidecar caption as one WebVTT file',
    tag: 'videos',
    auth: 'optional',
    responses: { 200: { description: 'WebVTT', contentType: 'text/vtt' } },
  },
  {
    method: 'delete',
    path: '/api/videos/:id/captions/:captionId',
    summary: 'Remove a sidecar caption (owner or admin)',
    tag: 'videos',
    auth: 'required',
    responses: noContent,
  },
  {
    method: 'get',
    path: '/api/events',
    summary:
      "Server-sent events: the caller's job progress (?ticket= from POST /api/events/ticket, or a bearer token)",
    tag: 'events',
    auth: 'optional',
    responses: { 200: { description: 'text/event-stream', contentType: 'text/event-stream' } },
  },
  {
    method: 'post',
    path: '/api/events/ticket',
    summary: 'A single-use ticket (30 s) for one GET /api/events?ticket=…',
    tag: 'events',
    auth: 'required',
    responses: created(EventsTicketResponse),
  },
];

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const document: Record<string, unknown> = {
    ...z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }),
  };
  // OpenAPI 3.1's dialect is implied; a per-schema $schema only adds noise.
  delete document.$schema;
  return document;
}

function operationObject(op: Operation): Record<string, unknown> {
  const pathParams = [...op.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const queryParams = op.query
    ? Object.entries(
        (jsonSchema(op.query, 'input').properties ?? {}) as Record<string, unknown>,
      ).map(([name, schema]) => ({ name, in: 'query', required: false, schema }))
    : [];
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(op.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.schema
        ? { content: { 'application/json': { schema: jsonSchema(response.schema, 'output') } } }
        : response.contentType
          ? { content: { [response.contentType]: { schema: { type: 'string' } } } }
          : {}),
    };
  }
  responses.default = {
    description: 'Error',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
  return {
    summary: op.summary,
    tags: [op.tag],
    operationId: `${op.method}${op.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    ...(op.auth === 'none'
      ? { security: [] }
      : op.auth === 'optional'
        ? { security: [{}, { bearer: [] }] }
        : { security: [{ bearer: [] }] }),
    ...(pathParams.length + queryParams.length > 0
      ? { parameters: [...pathParams, ...queryParams] }
      : {}),
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(op.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const path = op.path.replace(/:([A-Za-z]+)/g, '{$1}');
    paths[path] = { ...paths[path], [op.method]: operationObject(op) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'VideoForge API',
      version: '1.0.0',
      description: 'Uploads, gallery, transcoding jobs, streaming and live events.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: jsonSchema(ApiErrorBody, 'output') },
    },
  };
}
