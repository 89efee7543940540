import { z } from 'zod';

/**
 * Environment-variable fragments shared by every process. Each process spreads the
 * ones it needs into its own schema (see api/src/config.ts) and maps them to a typed
 * settings object with the to*Settings functions below.
 */

const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z.stringbool();

export const LoggingEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

export const DatabaseEnv = {
  /** Full connection string; wins over the DB_* parts. Unset and no DB_HOST: embedded PostgreSQL. */
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })
    .optional(),
  DB_HOST: z.string().optional(),
  DB_PORT: port.default(5432),
  DB_NAME: z.string().default('videoforge'),
  DB_USER: z.string().default('videoforge'),
  DB_PASSWORD: z.string().optional(),
  DB_SSL: z.enum(['disable', 'require', 'verify-full']).default('disable'),
  DB_POOL_MAX: positiveInt.default(10),
  /** Where the embedded PostgreSQL keeps its data (all-in-one mode). */
  EMBEDDED_PG_DATA_DIR: z.string().default('.data/postgres'),
  EMBEDDED_PG_PORT: port.default(54329),
};

export const StorageEnv = {
  STORAGE_DRIVER: z.enum(['local', 's3']).default('local'),
  S3_BUCKET_NAME: z.string().optional(),
  S3_REGION: z.string().default('us-east-1'),
  /** For S3-compatible servers (MinIO, moto); unset means AWS. */
  S3_ENDPOINT: z.url().optional(),
  S3_FORCE_PATH_STYLE: bool.optional(),
  LOCAL_STORAGE_DIR: z.string().default('.data/storage'),
  /** HMAC key for the local adapter's signed URLs; generated and kept in the data dir when unset. */
  STORAGE_SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Base URL that signed local-storage URLs point at (the API's public address). */
  PUBLIC_BASE_URL: z.url().optional(),
};

export const QueueEnv = {
  QUEUE_DRIVER: z.enum(['postgres', 'sqs']).default('postgres'),
  SQS_QUEUE_URL: z.url().optional(),
  SQS_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().default('us-east-1'),
  QUEUE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,80}$/)
    .default('transcode-jobs'),
  QUEUE_VISIBILITY_TIMEOUT_SECONDS: positiveInt.max(43_200).default(60),
  QUEUE_WAIT_SECONDS: z.coerce.number().int().min(0).max(20).default(20),
  /** Receives without success before a message moves to the dead-letter queue (Postgres queue; SQS uses its redrive policy). */
  QUEUE_MAX_RECEIVES: positiveInt.max(1000).default(5),
};

type Shape<T extends z.core.$ZodLooseShape> = z.output<z.ZodObject<T>>;
export type LoggingEnv = Shape<typeof LoggingEnv>;
export type DatabaseEnv = Shape<typeof DatabaseEnv>;
export type StorageEnv = Shape<typeof StorageEnv>;
export type QueueEnv = Shape<typeof QueueEnv>;

/**
 * Adds the cross-field rules to a process's schema. They run even when other fields
 * failed (`when`), so one start-up error lists every problem at once.
 */
export function withAdapterRequirements<T extends z.ZodObject>(schema: T) {
  return schema.check(z.superRefine(checkAdapterRequirements, { when: () => true }));
}

function checkAdapterRequirements(
  env: Partial<StorageEnv & QueueEnv & DatabaseEnv>,
  ctx: z.RefinementCtx,
): void {
  const require = (variable: string, when: string) =>
    ctx.addIssue({ code: 'custom', path: [variable], message: `is required when ${when}` });
  if (env.STORAGE_DRIVER === 's3' && !env.S3_BUCKET_NAME)
    require('S3_BUCKET_NAME', 'STORAGE_DRIVER=s3');
  if (env.QUEUE_DRIVER === 'sqs' && !env.SQS_QUEUE_URL)
    require('SQS_QUEUE_URL', 'QUEUE_DRIVER=sqs');
  if (env.DB_HOST && !env.DATABASE_URL && !env.DB_PASSWORD)
    require('DB_PASSWORD', 'DB_HOST is set');
}
