import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import type { TokenVerifier } from './authenticate.ts';
import { identityFromClaims, type OidcSettings } from './oidc-settings.ts';
import { TokenError, toTokenError, verifyAccessToken } from './tokens.ts';
import type { UsersRepository } from './users.repository.ts';

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'PS256'];
/** The built-in tokens' issuer (tokens.ts): the web sign-in's own session tokens. */
const OWN_ISSUER = 'videoforge';

/**
 * Is this token meant for us? ID tokens and RFC 9068 access tokens name us in `aud`;
 * Cognito's access tokens carry no `aud` but `client_id` and `token_use: access`.
 */
export function acceptsAudience(
  payload: JWTPayload,
  settings: Pick<OidcSettings, 'clientId' | 'audience'>,
): boolean {
  const tokenUse = payload.token_use;
  if (tokenUse !== undefined && tokenUse !== 'id' && tokenUse !== 'access') return false;
  if (tokenUse === 'access') return payload.client_id === settings.clientId;
  const audiences = Array.isArray(payload.aud) ? payload.aud : payload.aud ? [payload.aud] : [];
  const accepted = [settings.clientId, settings.audience].filter(Boolean);
  return audiences.some((aud) => accepted.includes(aud));
}

/**
 * OIDC mode's bearer tokens. Two kinds arrive: the API's own session tokens, minted at
 * the web sign-in (HS256, iss "videoforge"), and the provider's own tokens from other
 * clients (checked against its JWKS, fetched and cached by jose, for the configured
 * issuer and for our client id or audience). The account is created on first sight
 * and written again only when its role changes.
 */
export function oidcVerifier(deps: {
  settings: OidcSettings;
  jwtSecret: string;
  jwksUri: () => Promise<string>;
  users: UsersRepository;
}): TokenVerifier {
  const { settings, users } = deps;
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  return async (token) => {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch (error) {
      throw toTokenError(error);
    }
    if (unverified.iss === OWN_ISSUER) return verifyAccessToken(deps.jwtSecret, token);
    let payload: JWTPayload;
    try {
      jwks ??= createRemoteJWKSet(new URL(await deps.jwksUri()));
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: settings.issuer,
        algorithms: ALGORITHMS,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      throw toTokenError(error);
    }
    if (!acceptsAudience(payload, settings))
      throw new TokenError('invalid', 'token is not for this application');
    const user = await users.syncOidc(identityFromClaims(payload, settings));
    return { userId: user.id, username: user.username, role: user.role };
  };
}
