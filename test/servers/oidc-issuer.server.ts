// A minimal OpenID Connect issuer on 127.0.0.1 for suites that need the API in OIDC mode:
// discovery and a JWKS served over HTTP, and access tokens signed with its key, shaped as
// Cognito's (groups in `cognito:groups`, `client_id`, `token_use: access`). It has no
// login page: a test mints tokens directly. Suites that sign in through a browser use a
// full provider instead; this helper is the one place to swap when that lands.

import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface TestOidcIssuer {
  /** The issuer URL (no trailing slash), the `iss` of every token. */
  issuer: string;
  jwksUrl: string;
  /** The audience (app client id) tokens carry unless told otherwise. */
  audience: string;
  /** An access token for `subject`, in `groups`, valid for `expiresInSeconds`. */
  token(options: {
    subject: string;
    email?: string;
    groups?: string[];
    audience?: string;
    expiresInSeconds?: number;
  }): Promise<string>;
  close(): Promise<void>;
}

export async function startTestOidcIssuer(
  options: { audience?: string } = {},
): Promise<TestOidcIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
  let issuer = '';
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const json = (body: unknown) =>
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    if (path === '/.well-known/openid-configuration')
      json({
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    else if (path === '/.well-known/jwks.json') json({ keys: [jwk] });
    else res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const audience = options.audience ?? 'videoforge-test-client';
  return {
    issuer,
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    audience,
    token: ({ subject, email, groups = [], audience: aud = audience, expiresInSeconds = 600 }) =>
      new SignJWT({
        ...(email ? { email } : {}),
        'cognito:groups': groups,
        client_id: aud,
        token_use: 'access',
      })
        .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
        .setIssuer(issuer)
        .setSubject(subject)
        .setAudience(aud)
        .setIssuedAt()
        .setExpirationTime(`${expiresInSeconds}s`)
        .sign(privateKey),
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
