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
    /** The app client the web sign-in uses; tokens must name it (aud, or Cognito's client_id). */
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    /** Confidential clients only (a Cognito app client with a secret); unset = public client, PKCE only. */
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    /** A further audience to accept on bearer tokens (an API resource); the client id always is. */
    OIDC_AUDIENCE: z.string().optional(),
    /** Overrides the discovered jwks_uri. */
    OIDC_JWKS_URL: z.url().optional(),
    /** The callback registered at the provider: https://<host>/api/auth/oidc/callback. Unset: derived from each request. */
    OIDC_REDIRECT_URI: z.url().optional(),
    OIDC_SCOPES: z.string().default('openid email profile'),
    /** Shown on the web sign-in button: "Sign in with <name>". */
    OIDC_PROVIDER_NAME: z.string().min(1).optional(),
    /** Cognito's hosted-UI /logout (its discovery has no end_session_endpoint): https://<domain>/logout. */
    OIDC_LOGOUT_URL: z.url().optional(),
    /** Where the provider sends the browser after sign-out; unset: /login on the callback's origin. */
    OIDC_POST_LOGOUT_REDIRECT_URI: z.url().optional(),
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
        // Item 12 of issue 15: without a client id any token of the issuer would do.
        if (!env.OIDC_CLIENT_ID) require('OIDC_CLIENT_ID', 'AUTH_MODE=oidc');
      }
    },
    { when: () => true },
  ),
);
export type ApiConfig = z.infer<typeof ApiConfig>;
