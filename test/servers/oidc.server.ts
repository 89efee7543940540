import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import Provider, { type ClientMetadata, type KoaContextWithOIDC } from 'oidc-provider';
import { freePort } from '../support/free-port.ts';

export interface OidcTestUser {
  password: string;
  email: string;
  groups: string[];
}

export interface RunningOidcProvider {
  /** e.g. http://localhost:41234 — discovery at <issuer>/.well-known/openid-configuration. */
  issuer: string;
  /**
   * Signs a token with the provider's own signing key (published in its JWKS), for shapes
   * the provider does not issue itself, such as Cognito's access tokens
   * (`token_use: access`, `client_id`, no `aud`). Defaults: iss, iat, exp in 1 h, kid.
   */
  signToken(claims: JWTPayload, options?: { expiresAt?: number }): Promise<string>;
  stop(): Promise<void>;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid: string, error?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider — sign in</title></head>
<body>
  <h1>Test identity provider</h1>
  ${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
  <form method="post" action="/login/${escapeHtml(uid)}">
    <label for="username">Username</label> <input id="username" name="username" autocomplete="username" required>
    <label for="password">Password</label> <input id="password" name="password" type="password" required>
    <button type="submit" name="action" value="login">Sign in</button>
    <button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
  </form>
</body></html>`;
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 16_384) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * The certified `oidc-provider` on 127.0.0.1 (a free port), for tests and the generic-OIDC
 * walkthrough. Its issuer host is `localhost`, so a browser sees it as another site than
 * an API on 127.0.0.1 (cookies' SameSite rules apply as they would in production).
 * It has its own login page that checks the users' passwords, a Cancel button that
 * answers `error=access_denied`, a groups claim (scope `groups`, also in the ID token),
 * refresh tokens for clients allowed the refresh_token grant, and RP-initiated logout.
 * Consent is implied (a first-party provider): no consent screen.
 */
export async function startOidcProvider(options: {
  clients: ClientMetadata[];
  users: Record<string, OidcTestUser>;
  /** Seconds an ID token lives (the default 1 h). */
  idTokenTtlSeconds?: number;
  /** A port chosen beforehand (freePort), when the issuer must be known before the provider starts. */
  port?: number;
  /** false: no end_session_endpoint in discovery, as with Cognito. */
  rpInitiatedLogout?: boolean;
}): Promise<RunningOidcProvider> {
  const port = options.port ?? (await freePort());
  const issuer = `http://localhost:${port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  const signingJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };

  const provider = new Provider(issuer, {
    clients: options.clients,
    jwks: { keys: [signingJwk] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['preferred_username', 'name'],
      groups: ['groups'],
    },
    // Scope claims in the ID token too, as Cognito does with cognito:groups.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: options.rpInitiatedLogout ?? true,
        logoutSource(ctx: KoaContextWithOIDC, form: string) {
          ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign out</title></head>
<body><h1>Sign out of the test identity provider?</h1>${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button></body></html>`;
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/login/${interaction.uid}` },
    async findAccount(_ctx, id) {
      const user = options.users[id];
      if (!user) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          email: user.email,
          email_verified: true,
          preferred_username: id,
          name: id,
          groups: user.groups,
        }),
      };
    },
    // First-party: grant what the client asked for instead of showing a consent screen.
    async loadExistingGrant(ctx) {
      const grantId =
        ctx.oidc.result?.consent?.grantId ??
        ctx.oidc.session?.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
      await grant.save();
      return grant;
    },
    async issueRefreshToken(_ctx, client) {
      return client.grantTypeAllowed('refresh_token');
    },
    // Every lifetime set, so the provider does not warn about its defaults.
    ttl: {
      IdToken: options.idTokenTtlSeconds ?? 3600,
      AccessToken: 3600,
      RefreshToken: 86_400,
      Interaction: 600,
      Session: 86_400,
      Grant: 86_400,
    },
  });
  // Its own warnings (dev-only adapter, etc.) are not the test's business.
  provider.on('server_error', (_ctx, error) => console.error('oidc-provider:', error));

  const handleLogin = async (req: IncomingMessage, res: ServerResponse, uid: string) => {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid || details.prompt.name !== 'login') {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end('unexpected interaction');
      return;
    }
    if (req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(loginPage(uid));
      return;
    }
    const form = await formBody(req);
    if (form.get('action') === 'cancel') {
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'End-User aborted interaction' },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const username = form.get('username') ?? '';
    const user = options.users[username];
    if (!user || user.password !== form.get('password')) {
      res
        .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
        .end(loginPage(uid, 'Wrong username or password.'));
      return;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: username } },
      { mergeWithLastSubmission: false },
    );
  };

  const callback = provider.callback();
  const server = createServer((req, res) => {
    const match = /^\/login\/([A-Za-z0-9_-]+)$/.exec(new URL(req.url ?? '/', issuer).pathname);
    if (!match?.[1]) {
      void callback(req, res);
      return;
    }
    handleLogin(req, res, match[1]).catch((error: unknown) => {
      if (!res.headersSent)
        res
          .writeHead(400, { 'Content-Type': 'text/plain' })
          .end(`sign-in failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');

  return {
    issuer,
    signToken(claims, { expiresAt } = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer(issuer)
        .setIssuedAt(Math.min(now, expiresAt ?? now))
        .setExpirationTime(expiresAt ?? now + 3600)
        .sign(privateKey);
    },
    async stop() {
      if (!server.listening) return;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
