import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig } from './load-config.ts';
import { DatabaseEnv, QueueEnv, StorageEnv, withAdapterRequirements } from './env-schemas.ts';

const Schema = withAdapterRequirements(
  z.object({
    ...DatabaseEnv,
    ...StorageEnv,
    ...QueueEnv,
    PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  }),
);

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(Schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('gives all-in-one defaults from an empty environment', () => {
    const config = loadConfig(Schema, {});
    expect(config).toMatchObject({
      STORAGE_DRIVER: 'local',
      QUEUE_DRIVER: 'postgres',
      PORT: 8080,
      DB_PORT: 5432,
      QUEUE_MAX_RECEIVES: 5,
    });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('lists every problem in one error, naming each variable', () => {
    const env = {
      DB_PORT: 'abc',
      PORT: '70000',
      STORAGE_DRIVER: 's3',
      QUEUE_DRIVER: 'sqs',
      DATABASE_URL: 'mysql://x',
    };
    expect(() => loadConfig(Schema, env)).toThrowError(/Invalid configuration \(5 problems\)/);
    const problems = problemsOf(env);
    expect(problems.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining([
        'DB_PORT',
        'PORT',
        'S3_BUCKET_NAME',
        'SQS_QUEUE_URL',
        'DATABASE_URL',
      ]),
    );
    expect(problems.find((p) => p.startsWith('S3_BUCKET_NAME'))).toBe(
      'S3_BUCKET_NAME: is required when STORAGE_DRIVER=s3',
    );
    expect(problems.find((p) => p.startsWith('DB_PORT'))).toMatch(/expected number/);
  });

  it('never echoes a value, which may be a secret', () => {
    const secret = 'hunter2-super-secret-value';
    const problems = problemsOf({
      STORAGE_SIGNING_SECRET: secret,
      DB_HOST: 'db',
      DATABASE_URL: `not a url ${secret}`,
    });
    expect(problems.join('\n')).not.toContain(secret);
    expect(problems.some((p) => p.startsWith('STORAGE_SIGNING_SECRET:'))).toBe(true);
  });

  it('treats empty strings as unset so defaults apply', () => {
    expect(loadConfig(Schema, { PORT: '', STORAGE_DRIVER: ' ' })).toMatchObject({
      PORT: 8080,
      STORAGE_DRIVER: 'local',
    });
  });

  it('rejects an unknown driver with the allowed values', () => {
    expect(problemsOf({ QUEUE_DRIVER: 'redis' })[0]).toMatch(/^QUEUE_DRIVER: .*"postgres".*"sqs"/);
  });
});
