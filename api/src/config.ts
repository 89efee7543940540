import { z } from 'zod';
import {
  DatabaseEnv,
  LoggingEnv,
  QueueEnv,
  StorageEnv,
  withAdapterRequirements,
} from '@videoforge/platform/config';

const MiB = 1024 * 1024;
const csv = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

/** Everything the API process reads from its environment. */
export const ApiConfig = withAdapterRequirements(
  z.object({
    ...LoggingEnv,
    ...DatabaseEnv,
    ...StorageEnv,
    ...QueueEnv,
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    /** Loopback by default: all-in-one mode is for this machine unless told otherwise. */
    HOST: z.string().default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    /** Run the outbox relay in this process (all-in-one); a separate relay deployment can turn it off. */
    OUTBOX_RELAY_ENABLED: z.stringbool().default(true),

    /** builtin: accounts in Postgres, JWTs signed here. oidc: tokens from an external issuer, checked against its JWKS. */
    AUTH_MODE: z.enum(['builtin', 'oidc']).default('builtin'),
    /** HMAC key for access tokens (and the TOTP secrets' encryption key). Generated into the data dir when unset, outside production. */
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    OIDC_ISSUER: z.url().optional(),
    OIDC_AUDIENCE: z.string().optional(),
    OIDC_JWKS_URL: z.url().optional(),
    /** Claim holding the user's groups; Cognito's by default. */
    OIDC_GROUPS_CLAIM: z.string().default('cognito:groups'),
    OIDC_ADMIN_GROUP: z.string().default('admin'),

    /** Origins allowed to call the API from a browser; empty means same-origin only. */
    CORS_ORIGINS: csv.default([]),
    JSON_BODY_LIMIT: z
      .string()
      .regex(/^[0-9]+(b|kb|mb)$/)
      .default('100kb'),
    /** Requests per minute per client address on the auth routes. */
    AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(30),
    MAX_UPLOAD_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(20 * 1024 * MiB),
    /** Files up to this size get one presigned PUT; larger ones are multipart. */
    SINGLE_UPLOAD_MAX_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(100 * MiB),
    MULTIPART_PART_BYTES: z.coerce
      .number()
      .int()
      .min(5 * MiB)
      .default(16 * MiB),
    /** How long an unfinished multipart upload can be resumed; the sweeper then removes it with its parts. */
    UPLOAD_RESUMABLE_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 30)
      .default(24),
    /** Per-user quotas (issue 15 item 8); see api/src/uploads/user-quotas.ts. */
    QUOTA_CONCURRENT_UPLOADS: z.coerce.number().int().positive().default(20),
    QUOTA_ACTIVE_JOBS: z.coerce.number().int().positive().default(10),
    QUOTA_STORED_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(200 * 1024 * MiB),
    QUOTA_SOURCE_DURATION_SECONDS: z.coerce
      .number()
      .positive()
      .default(4 * 3600),
    FFPROBE_PATH: z.string().default('ffprobe'),
    PROBE_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  }),
).check(
  z.superRefine(
    (env, ctx) => {
      const require = (variable: string, when: string) =>
        ctx.addIssue({ code: 'custom', path: [variable], message: `is required when ${when}` });
      // Replicas must share the secret (stream tokens, sealed TOTP secrets), so
      // production never falls back to a generated one.
      if (!env.JWT_SECRET && env.NODE_ENV === 'production')
        require('JWT_SECRET', 'NODE_ENV=production');
      if (env.AUTH_MODE === 'oidc') {
        if (!env.OIDC_ISSUER) require('OIDC_ISSUER', 'AUTH_MODE=oidc');
        if (!env.OIDC_JWKS_URL) require('OIDC_JWKS_URL', 'AUTH_MODE=oidc');
      }
    },
    { when: () => true },
  ),
);
export type ApiConfig = z.infer<typeof ApiConfig>;
