import { Router, type CookieOptions, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import {
  RefreshRequest,
  type AuthConfigResponse,
  type OidcLogoutResponse,
  type OidcSignInError,
} from '@videoforge/contracts';
import type { Logger } from '@videoforge/platform/logging';
import { HttpError } from '../http/errors.ts';
import type { ApiMetrics } from '../http/metrics.ts';
import { parse } from '../http/validate.ts';
import {
  clearRefreshCookie,
  fromWebApp,
  REFRESH_COOKIE,
  RefreshCookies,
  requestCookies,
  sendTokens,
  setRefreshCookie,
  WEB_APP_HEADER,
} from './auth.routes.ts';
import type { AuthService } from './auth.service.ts';
import { currentUser, type Authentication } from './authenticate.ts';
import {
  classifyOidcError,
  rootMessage,
  type OidcClient,
  type SignInTransaction,
} from './oidc-client.ts';
import type { OidcSessionsRepository } from './oidc-sessions.repository.ts';
import { identityFromClaims, type OidcSettings } from './oidc-settings.ts';
import { sealedBox } from './sealed-box.ts';
import type { UsersRepository } from './users.repository.ts';

/** The sign-in transaction (state, nonce, PKCE verifier) between the redirect and the callback. */
export const OIDC_TRANSACTION_COOKIE = 'vf_oidc';
const CALLBACK_PATH = '/api/auth/oidc/callback';
const TRANSACTION_TTL_SECONDS = 600;

/** A path on this site only: no scheme, no `//host`, no backslash tricks. */
const ReturnTo = z
  .string()
  .max(512)
  .regex(/^\/(?![/\\])[^\s\\]*$/)
  .catch('/gallery');
const StartQuery = z.object({ returnTo: ReturnTo.default('/gallery') });

const SealedTransaction = z.object({
  state: z.string(),
  nonce: z.string(),
  codeVerifier: z.string(),
  redirectUri: z.url(),
  returnTo: ReturnTo,
  expiresAt: z.number(),
});

/**
 * The transaction cookie is SameSite=Lax, unlike the Strict refresh cookie: the callback
 * is a top-level navigation from the provider's site, and a Strict cookie would not be
 * sent with it. It is HttpOnly, sealed (AES-GCM), scoped to the callback path and lives
 * ten minutes; the sealed copy carries its own expiry, so a replayed old cookie fails too.
 */
function transactionCookieOptions(req: Request): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', path: CALLBACK_PATH, secure: req.secure };
}

/** `GET /api/auth/config`, in both modes: what the web sign-in page shows. */
export function authConfigRoutes(mode: 'builtin' | 'oidc', settings?: OidcSettings): Router {
  const router = Router();
  const body: AuthConfigResponse =
    mode === 'oidc' && settings
      ? { mode, providerName: settings.providerName, signInUrl: '/api/auth/oidc/start' }
      : { mode: 'builtin' };
  router.get('/api/auth/config', (_req, res) => {
    res.json(body);
  });
  return router;
}

export interface OidcRoutesDeps {
  settings: OidcSettings;
  client: OidcClient;
  jwtSecret: string;
  auth: AuthService;
  users: UsersRepository;
  sessions: OidcSessionsRepository;
  authn: Authentication;
  rateLimit: RequestHandler;
  metrics: ApiMetrics;
  log: Logger;
}

/**
 * OIDC sign-in as a backend-for-frontend: the API is the relying party. The browser
 * gets the same session as builtin mode (an access token in memory, the rotating
 * HttpOnly SameSite=Strict `vf_refresh` cookie); the provider's tokens never leave the
 * API and are kept sealed in `oidc_sessions`.
 */
export function oidcRoutes(deps: OidcRoutesDeps): Router {
  const { settings, client, auth, users, sessions, authn, rateLimit, metrics, log } = deps;
  const transactions = sealedBox(deps.jwtSecret, 'oidc-sign-in-transaction');
  const providerTokens = sealedBox(deps.jwtSecret, 'oidc-provider-tokens');
  const router = Router();

  const origin = (req: Request) => `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  const redirectUriFor = (req: Request) => settings.redirectUri ?? `${origin(req)}${CALLBACK_PATH}`;
  const postLogoutUriFor = (req: Request) =>
    settings.postLogoutRedirectUri ??
    `${settings.redirectUri ? new URL(settings.redirectUri).origin : origin(req)}/login`;
  const seal = (value: string | undefined) => (value ? providerTokens.seal(value) : null);

  const failed = (reason: OidcSignInError, error: unknown) => {
    metrics.authFailures.inc({ reason: `oidc_${reason}` });
    // Messages only: the library's error objects carry the callback's parameters (the code).
    log.warn({ reason, cause: rootMessage(error) }, 'OIDC sign-in failed');
    return `/login?error=${reason}`;
  };

  router.get('/api/auth/oidc/start', rateLimit, async (req, res) => {
    const { returnTo } = StartQuery.parse(req.query);
    res.setHeader('Cache-Control', 'no-store');
    let started: { url: string; transaction: SignInTransaction };
    try {
      started = await client.start({ redirectUri: redirectUriFor(req), returnTo });
    } catch (error) {
      res.redirect(303, failed(classifyOidcError(error).reason, error));
      return;
    }
    const expiresAt = Date.now() + TRANSACTION_TTL_SECONDS * 1000;
    res.cookie(
      OIDC_TRANSACTION_COOKIE,
      transactions.seal(JSON.stringify({ ...started.transaction, expiresAt })),
      { ...transactionCookieOptions(req), maxAge: TRANSACTION_TTL_SECONDS * 1000 },
    );
    res.redirect(303, started.url);
  });

  router.get(CALLBACK_PATH, rateLimit, async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    // Used once, whatever happens next.
    res.clearCookie(OIDC_TRANSACTION_COOKIE, transactionCookieOptions(req));
    const sealed = requestCookies(req)[OIDC_TRANSACTION_COOKIE];
    const opened = sealed ? transactions.open(sealed) : undefined;
    const transaction = (() => {
      try {
        return opened ? SealedTransaction.parse(JSON.parse(opened)) : undefined;
      } catch {
        return undefined;
      }
    })();
    const query = new URL(req.originalUrl, 'http://callback.invalid').search;
    if (!transaction || transaction.expiresAt < Date.now()) {
      // No transaction in this browser: a stale tab, another browser's link, or a forged callback.
      const reason = req.query.error === 'access_denied' ? 'cancelled' : 'state_mismatch';
      res.redirect(303, failed(reason, new Error('no sign-in transaction cookie')));
      return;
    }
    let user;
    let tokens;
    try {
      const provider = await client.finish(query, transaction);
      if (!provider.claims) throw new Error('the provider sent no ID token');
      const identity = identityFromClaims(provider.claims, settings);
      if (!identity.subject) throw new Error('the ID token has no subject');
      user = await users.syncOidc(identity);
      tokens = await auth.startSession(user);
      const session = await auth.sessionOf(tokens.refreshToken);
      if (!session) throw new Error('the new session was not stored');
      await sessions.save({
        familyId: session.familyId,
        userId: user.id,
        sealedRefreshToken: seal(provider.refreshToken),
        sealedIdToken: seal(provider.idToken),
      });
    } catch (error) {
      res.redirect(303, failed(classifyOidcError(error).reason, error));
      return;
    }
    log.info({ userId: user.id, role: user.role }, 'signed in with OIDC');
    // The refresh cookie only: the web app's landing page trades it for an access token.
    setRefreshCookie(req, res, tokens.refreshToken);
    res.redirect(303, `/signed-in?to=${encodeURIComponent(transaction.returnTo)}`);
  });

  /**
   * Each refresh of our session refreshes at the provider too, and the user's role
   * follows the new ID token's groups. The provider refusing ends the session; the
   * provider being unreachable does not (the session goes on, retried next time).
   */
  const refreshAtProvider = async ({ familyId }: { familyId: string }) => {
    const session = await sessions.find(familyId);
    const refreshToken = session?.sealedRefreshToken
      ? providerTokens.open(session.sealedRefreshToken)
      : undefined;
    if (!session || !refreshToken) return;
    let refreshed;
    try {
      refreshed = await client.refresh(refreshToken);
    } catch (error) {
      log.warn(
        { reason: classifyOidcError(error).reason },
        'OIDC refresh at the provider failed; session kept',
      );
      return;
    }
    if (refreshed === 'ended') {
      await sessions.remove(familyId);
      metrics.authFailures.inc({ reason: 'oidc_session_ended' });
      throw new HttpError(
        401,
        'session_ended',
        'the identity provider ended this session; sign in again',
      );
    }
    if (refreshed.claims) {
      // OIDC Core 12.2: a refreshed ID token is about the same person, or it is not taken.
      const identity = identityFromClaims(refreshed.claims, settings);
      const user = await users.findById(session.userId);
      if (!user || user.oidcSubject !== identity.subject) {
        await sessions.remove(familyId);
        throw new HttpError(401, 'session_ended', 'the identity provider changed the subject');
      }
      await users.syncOidc(identity);
    }
    await sessions.save({
      familyId,
      userId: session.userId,
      sealedRefreshToken: seal(refreshed.refreshToken ?? refreshToken),
      sealedIdToken: seal(refreshed.idToken) ?? session.sealedIdToken,
    });
  };

  router.post('/api/auth/refresh', rateLimit, async (req, res) => {
    const { refreshToken } = parse(RefreshRequest, req.body ?? {}, 'body');
    if (refreshToken) {
      sendTokens(req, res, 200, await auth.refresh(refreshToken, refreshAtProvider));
      return;
    }
    const cookies = requestCookies(req);
    if (cookies[REFRESH_COOKIE] === undefined)
      throw new HttpError(401, 'unauthenticated', `no refresh token: sign in first`);
    if (!fromWebApp(req))
      throw new HttpError(
        403,
        'forbidden',
        `a refresh by cookie needs the header ${WEB_APP_HEADER.name}: ${WEB_APP_HEADER.value}`,
      );
    try {
      const token = parse(RefreshCookies, cookies, 'cookies')[REFRESH_COOKIE];
      sendTokens(req, res, 200, await auth.refresh(token, refreshAtProvider));
    } catch (error) {
      clearRefreshCookie(req, res);
      throw error;
    }
  });

  router.post('/api/auth/logout', rateLimit, authn.required, async (req, res) => {
    const token =
      parse(RefreshRequest, req.body ?? {}, 'body').refreshToken ??
      requestCookies(req)[REFRESH_COOKIE];
    const session = token ? await auth.sessionOf(token) : undefined;
    let idToken: string | undefined;
    if (token && session && session.userId === currentUser(req).userId) {
      const stored = await sessions.find(session.familyId);
      idToken = stored?.sealedIdToken ? providerTokens.open(stored.sealedIdToken) : undefined;
      await sessions.remove(session.familyId);
      await auth.logout(token, session.userId);
    }
    clearRefreshCookie(req, res);
    let endSessionUrl: string | undefined;
    try {
      endSessionUrl = await client.endSessionUrl({
        idToken,
        postLogoutRedirectUri: postLogoutUriFor(req),
      });
    } catch (error) {
      // Signed out here; the provider's session is its own to expire.
      log.warn(
        { reason: classifyOidcError(error).reason },
        'no end-session URL: provider unreachable',
      );
    }
    res.setHeader('Cache-Control', 'no-store');
    const body: OidcLogoutResponse = endSessionUrl ? { endSessionUrl } : {};
    res.json(body);
  });

  return router;
}
