// What points a chart preset at the test servers: the Secrets an operator creates before
// installing, the `--set` flags for its external endpoints, and, for the kind bundle,
// its in-cluster servers' addresses replaced by the test servers'.

import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { TestAws } from '../../test/support/aws.ts';
import type { TestDatabase } from '../../test/support/database.ts';
import { startOidcProvider, type RunningOidcProvider } from '../../test/servers/oidc.server.ts';

export const presets = ['default', 'kind', 'eks'] as const;
export type Preset = (typeof presets)[number];

/** The JWT signing key an operator puts in the videoforge-auth Secret (docs/deploy.md). */
const jwtSecret = randomBytes(36).toString('base64');

/** The app client id the presets' API is configured with (auth.oidc.clientId). */
export const presetOidcClientId = 'videoforge-preset-test';

/** The tests' OIDC provider, with a Cognito-shaped access token for the preset's client. */
export interface PresetOidc {
  provider: RunningOidcProvider;
  token(user: { subject: string; email: string; groups: string[] }): Promise<string>;
}

export async function startPresetOidc(): Promise<PresetOidc> {
  const provider = await startOidcProvider({
    clients: [
      {
        client_id: presetOidcClientId,
        token_endpoint_auth_method: 'none',
        redirect_uris: ['http://127.0.0.1/api/auth/oidc/callback'],
      },
    ],
    users: {},
  });
  return {
    provider,
    // As Cognito's access tokens: no aud, the app client in client_id, token_use access.
    token: ({ subject, email, groups }) =>
      provider.signToken({
        sub: subject,
        email,
        'cognito:groups': groups,
        client_id: presetOidcClientId,
        token_use: 'access',
      }),
  };
}

export interface Servers {
  db: TestDatabase;
  aws: TestAws;
  oidc: PresetOidc;
  namespace: string;
  kubeconfig: string;
}

/** The Secrets docs/deploy.md tells an operator to create before installing (the chart only references them). */
export function existingSecrets(s: Servers): Record<string, Record<string, string>> {
  const db = new URL(s.db.url);
  return {
    'videoforge-database': { DATABASE_URL: s.db.url },
    'videoforge-db': { password: decodeURIComponent(db.password) },
    'videoforge-auth': { 'jwt-secret': jwtSecret },
  };
}

/** `--set` flags pointing a preset's external services at the test servers. */
export function substitutions(preset: Preset, s: Servers): string[] {
  const endpoint = inject('awsEndpoint');
  const db = new URL(s.db.url);
  const set = (pairs: Record<string, string>) =>
    Object.entries(pairs).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  switch (preset) {
    case 'default':
      // values.yaml's required values: the database URL Secret (above), the bucket and its endpoint.
      return set({ 'config.storage.bucket': s.aws.bucket, 'config.storage.endpoint': endpoint });
    case 'kind':
      // The bundle's own bucket and queue names, so the run's moto holds them.
      return set({
        'kindBundle.bucket': s.aws.bucket,
        'kindBundle.queueName': s.aws.queueUrl.split('/').at(-1) ?? '',
      });
    case 'eks':
      return set({
        'config.database.host': db.hostname,
        'config.database.port': db.port,
        'config.database.name': db.pathname.slice(1),
        'config.database.user': decodeURIComponent(db.username),
        'config.database.ssl': 'disable', // the test server has no TLS; RDS gets verify-full
        'config.storage.bucket': s.aws.bucket,
        'config.storage.region': 'us-east-1',
        'config.storage.endpoint': endpoint,
        'config.queue.sqsQueueUrl': s.aws.queueUrl,
        'config.queue.sqsEndpoint': endpoint,
        'config.queue.region': 'us-east-1',
        'auth.oidc.issuer': s.oidc.provider.issuer,
        'auth.oidc.clientId': presetOidcClientId,
      });
  }
}

/** In-cluster addresses of the kind bundle's servers, which the test servers replace. */
export function bundleAddresses(
  env: Record<string, string>,
  s: Servers,
  release: string,
): Record<string, string> {
  const moto = `http://${release}-videoforge-moto:5000`;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env))
    if (v.startsWith(moto)) out[k] = inject('awsEndpoint') + v.slice(moto.length);
  if (env.DATABASE_URL?.includes(`@${release}-videoforge-postgres:`)) out.DATABASE_URL = s.db.url;
  return out;
}
