import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@videoforge/platform/config';
import { AllInOneConfig } from './config.ts';
import { transcoderEnvironment } from './transcoder-env.ts';

// What an operator's shell holds when starting the all-in-one: the secrets of the API
// and database beside what a transcoder child needs.
const SECRETS = {
  JWT_SECRET: 'jwt-secret-value-that-is-long-enough-0123456789',
  DATABASE_URL: 'postgres://videoforge:db-password-value@127.0.0.1:5432/videoforge',
  DB_PASSWORD: 'db-password-value',
  ADMIN_PASSWORD: 'Adm1n!password-value',
  OIDC_CLIENT_SECRET: 'oidc-client-secret-value',
  MFA_ENCRYPTION_KEYS: 'k1:mfa-key-value-0123456789abcdef0123456789abcdef',
};
const NEEDED = {
  PATH: '/usr/local/bin:/usr/bin',
  HOME: '/home/ada',
  FFMPEG_PATH: '/opt/ffmpeg/bin/ffmpeg',
  AWS_REGION: 'eu-west-1',
  S3_ENDPOINT: 'http://127.0.0.1:9000',
  TRANSCODE_TONEMAP: 'mobius',
  LOG_LEVEL: 'debug',
};

function childEnvironment(extra: Record<string, string> = {}) {
  const env = {
    ...SECRETS,
    ...NEEDED,
    ADMIN_EMAIL: 'admin@example.com',
    LOCAL_STORAGE_DIR: 'relative/storage',
    ...extra,
  };
  const config = loadConfig(AllInOneConfig, { ...env, DATABASE_URL: SECRETS.DATABASE_URL });
  return transcoderEnvironment(config, env, 'http://127.0.0.1:8080');
}

describe('the environment of a transcoder child', () => {
  it('carries no secret of the API or the database, by name or by value', () => {
    const child = childEnvironment({ SOME_TOKEN: 'unrelated-token-value' });
    for (const name of [...Object.keys(SECRETS), 'SOME_TOKEN'])
      expect(child).not.toHaveProperty(name);
    const values = Object.values(child).join('\n');
    for (const secret of [...Object.values(SECRETS), 'unrelated-token-value']) {
      expect(values).not.toContain(secret);
    }
  });

  it('keeps what the transcoder reads: tools, storage, AWS and its own TRANSCODE_* knobs', () => {
    const child = childEnvironment();
    expect(child).toMatchObject(NEEDED);
    expect(child.LOCAL_STORAGE_DIR).toBe(path.resolve('relative/storage'));
    expect(child.PUBLIC_BASE_URL).toBe('http://127.0.0.1:8080');
    expect(child.TRANSCODE_ALLOW_LOOPBACK_HTTP).toBe('true');
  });
});
