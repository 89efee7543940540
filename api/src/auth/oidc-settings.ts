import type { Role } from '@videoforge/contracts';

/** OIDC mode's settings, mapped from ApiConfig by server.ts (tests build them directly). */
export interface OidcSettings {
  issuer: string;
  /** The app client of the web sign-in; bearer tokens must be for it (aud or client_id). */
  clientId: string;
  /** Set for a confidential client; unset means a public client (PKCE only). */
  clientSecret?: string | undefined;
  /** A further accepted audience (an API resource server identifier). */
  audience?: string | undefined;
  /** Overrides the discovered jwks_uri. */
  jwksUrl?: string | undefined;
  /** The registered callback; unset means derived from the request's origin. */
  redirectUri?: string | undefined;
  scopes: string;
  providerName: string;
  /** Cognito's hosted-UI logout, used when discovery has no end_session_endpoint. */
  logoutUrl?: string | undefined;
  postLogoutRedirectUri?: string | undefined;
  groupsClaim: string;
  adminGroup: string;
}

/** Who the provider says the user is, as the users table keeps it. */
export interface OidcIdentity {
  subject: string;
  username: string;
  email: string;
  role: Role;
}

/** Reads an identity from ID token or access token claims (Cognito or any issuer). */
export function identityFromClaims(
  claims: Record<string, unknown>,
  settings: Pick<OidcSettings, 'groupsClaim' | 'adminGroup'>,
): OidcIdentity {
  const subject = typeof claims.sub === 'string' ? claims.sub : '';
  const claim = claims[settings.groupsClaim];
  const groups = Array.isArray(claim)
    ? claim.filter((g): g is string => typeof g === 'string')
    : typeof claim === 'string'
      ? claim.split(/[ ,]/)
      : [];
  const name = [claims['cognito:username'], claims.preferred_username, claims.username].find(
    (v): v is string => typeof v === 'string' && v.length > 0,
  );
  return {
    subject,
    username: name ?? `oidc-${subject}`,
    email: typeof claims.email === 'string' ? claims.email : `${subject}@oidc.invalid`,
    role: groups.includes(settings.adminGroup) ? 'admin' : 'user',
  };
}

/** A provider on this machine may speak plain HTTP (tests, a local Dex); anywhere else it may not. */
export function isLoopbackHttp(url: URL): boolean {
  return (
    url.protocol === 'http:' &&
    (url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\./.test(url.hostname))
  );
}
