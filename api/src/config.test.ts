import { describe, expect, it } from 'vitest';
import { ApiConfig } from './config.ts';

const messages = (env: Record<string, string>) => {
  const result = ApiConfig.safeParse(env);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('ApiConfig', () => {
  it('needs nothing in all-in-one mode', () => {
    const config = ApiConfig.parse({});
    expect(config).toMatchObject({
      AUTH_MODE: 'builtin',
      CORS_ORIGINS: [],
      JSON_BODY_LIMIT: '100kb',
      AUTH_RATE_LIMIT_PER_MINUTE: 30,
    });
    expect(config.JWT_SECRET).toBeUndefined();
  });

  it('requires a JWT secret in production and the issuer and client id with OIDC', () => {
    expect(messages({ NODE_ENV: 'production' })).toEqual([
      'JWT_SECRET: is required when NODE_ENV=production',
    ]);
    expect(messages({ AUTH_MODE: 'oidc' })).toEqual([
      'OIDC_ISSUER: is required when AUTH_MODE=oidc',
      'OIDC_CLIENT_ID: is required when AUTH_MODE=oidc',
    ]);
    expect(messages({ JWT_SECRET: 'short' })).toEqual([
      expect.stringContaining('JWT_SECRET: must be at least 32'),
    ]);
  });

  it('reads CORS origins as a list and refuses bad limits', () => {
    expect(
      ApiConfig.parse({ CORS_ORIGINS: 'https://a.example, https://b.example' }).CORS_ORIGINS,
    ).toEqual(['https://a.example', 'https://b.example']);
    expect(messages({ MULTIPART_PART_BYTES: '1024' })).toHaveLength(1);
  });
});
