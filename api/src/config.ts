import { isIP } from 'node:net';
import { z } from 'zod';
import { Password } from '@videoforge/contracts';
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

/** proxy-addr's names for address ranges, as Express's `trust proxy` accepts them. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(value: string): boolean {
  if (PROXY_RANGE_NAMES.has(value)) return true;
  const [address = '', prefix, extra] = value.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^[0-9]{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

/**
 * Which proxies' X-Forwarded-For/-Proto to believe: a hop count ("1" behind one ALB or
 * ingress) or a list of addresses, CIDRs and range names. Never "true": believing every
 * hop lets any client pick its own address and defeat the per-address limits.
 */
const TrustProxy = z
  .string()
  .trim()
  .transform((value, ctx) => {
    if (/^[0-9]+$/.test(value)) return Number(value);
    const list = value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    const bad = list.filter((item) => !isProxyAddress(item));
    if (list.length === 0 || bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a hop count or addresses/CIDRs/loopback,linklocal,uniquelocal (not: ${bad.join(', ') || value})`,
      });
      return z.NEVER;
    }
    return list;
  });

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
    /** Requests per minute per client address on the auth routes, counted in Postgres (all replicas). */
    AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(30),
    /** Failed passwords per account per 15 minutes before its sign-in is refused for the rest of the window. */
    AUTH_LOGIN_FAILURE_LIMIT: z.coerce.number().int().positive().default(10),
    /** Wrong authenticator codes per account per 15 minutes before its codes are locked. */
    AUTH_TOTP_FAILURE_LIMIT: z.coerce.number().int().positive().default(5),
    /** Proxies whose X-Forwarded-* headers are believed: hop count or addresses/CIDRs. */
    TRUST_PROXY: TrustProxy.default(['loopback']),
    /** open: anyone may register. closed: only the first admin (with the setup link). */
    REGISTRATION: z.enum(['open', 'closed']).default('open'),
    /** The first admin, created at start when no admin exists; otherwise a one-time setup link is logged. */
    ADMIN_USERNAME: z.string().default('admin'),
    ADMIN_EMAIL: z.email().optional(),
    ADMIN_PASSWORD: Password.optional(),
    /** A refresh-token family (one sign-in) ends after this many days, however often rotated. */
    REFRESH_FAMILY_MAX_AGE_DAYS: z.coerce.number().int().positive().default(90),
    /** Keys sealing TOTP secrets: the first seals, all open (rotate by prepending). JWT_SECRET when unset. */
    MFA_ENCRYPTION_KEYS: csv
      .pipe(z.array(z.string().min(32, 'each key must be at least 32 characters')))
      .optional(),
    /** Open event streams per user and API process. */
    EVENTS_MAX_STREAMS_PER_USER: z.coerce.number().int().positive().default(10),
    /** Origins of presigned storage URLs for the web app's CSP; derived from the S3 settings when unset. */
    CSP_STORAGE_ORIGINS: csv.optional(),
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
      if (env.ADMIN_EMAIL && !env.ADMIN_PASSWORD) require('ADMIN_PASSWORD', 'ADMIN_EMAIL is set');
      if (env.ADMIN_PASSWORD && !env.ADMIN_EMAIL) require('ADMIN_EMAIL', 'ADMIN_PASSWORD is set');
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
