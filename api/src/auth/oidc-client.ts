import * as oidc from 'openid-client';
import type { OidcSignInError } from '@videoforge/contracts';
import { isLoopbackHttp, type OidcSettings } from './oidc-settings.ts';

/** What the API remembers between the redirect to the provider and the callback. */
export interface SignInTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  /** A path on this site to land on afterwards. */
  returnTo: string;
}

export interface ProviderTokens {
  /** The ID token's claims (validated by openid-client: signature, iss, aud, exp, nonce). */
  claims: Record<string, unknown> | undefined;
  idToken: string | undefined;
  refreshToken: string | undefined;
}

/** A sign-in or refresh step failed for a reason the user can be told. */
export class OidcFlowError extends Error {
  readonly reason: OidcSignInError;
  constructor(reason: OidcSignInError, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OidcFlowError';
    this.reason = reason;
  }
}

const DISCOVERY_TIMEOUT_SECONDS = 10;

/** An error and its causes: openid-client wraps oauth4webapi's errors in its own. */
function causes(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let e: unknown = error; e instanceof Error && chain.length < 8; e = e.cause) chain.push(e);
  return chain;
}

function networkFailure(chain: Error[]): boolean {
  return chain.some((e) => {
    if (e instanceof TypeError && /fetch failed/i.test(e.message)) return true;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
    const code = (e as { code?: unknown }).code;
    return (
      typeof code === 'string' &&
      /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|UND_ERR)/.test(code)
    );
  });
}

/** Names what went wrong, for the sign-in page; the library's message stays in the log. */
export function classifyOidcError(error: unknown): OidcFlowError {
  if (error instanceof OidcFlowError) return error;
  const chain = causes(error);
  const refused = chain.find((e) => e instanceof oidc.AuthorizationResponseError);
  if (refused)
    return refused.error === 'access_denied'
      ? new OidcFlowError('cancelled', 'sign-in was cancelled at the provider', { cause: error })
      : new OidcFlowError('provider_error', `the provider answered ${refused.error}`, {
          cause: error,
        });
  if (networkFailure(chain))
    return new OidcFlowError('provider_unreachable', 'the identity provider is unreachable', {
      cause: error,
    });
  // oauth4webapi's own words for a callback whose state is not the one this browser sent.
  if (chain.some((e) => /"state"/.test(e.message)))
    return new OidcFlowError('state_mismatch', 'the sign-in response does not match this browser', {
      cause: error,
    });
  return new OidcFlowError('sign_in_failed', 'the sign-in could not be completed', {
    cause: error,
  });
}

/** The innermost message, for the log (never the error object: it carries the callback's code). */
export function rootMessage(error: unknown): string {
  const chain = causes(error);
  return chain.map((e) => e.message).join(': ') || String(error);
}

/**
 * The relying party: openid-client does discovery, PKCE (S256), state, nonce, the code
 * exchange and ID token validation. Discovery runs on first use and again after a
 * failure, so an API started while the provider is down recovers by itself.
 */
export function createOidcClient(settings: OidcSettings) {
  let discovered: Promise<oidc.Configuration> | undefined;

  function configuration(): Promise<oidc.Configuration> {
    discovered ??= oidc
      .discovery(
        new URL(settings.issuer),
        settings.clientId,
        settings.clientSecret,
        settings.clientSecret ? oidc.ClientSecretPost(settings.clientSecret) : oidc.None(),
        {
          timeout: DISCOVERY_TIMEOUT_SECONDS,
          ...(isLoopbackHttp(new URL(settings.issuer))
            ? { execute: [oidc.allowInsecureRequests] }
            : {}),
        },
      )
      .catch((error: unknown) => {
        discovered = undefined;
        throw classifyOidcError(error);
      });
    return discovered;
  }

  const tokensOf = (
    response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
  ): ProviderTokens => ({
    claims: response.claims(),
    idToken: response.id_token,
    refreshToken: response.refresh_token,
  });

  return {
    async jwksUri(): Promise<string> {
      if (settings.jwksUrl) return settings.jwksUrl;
      const uri = (await configuration()).serverMetadata().jwks_uri;
      if (!uri) throw new OidcFlowError('provider_error', 'the provider publishes no jwks_uri');
      return uri;
    },

    /** The provider's authorization URL and what the callback must check against. */
    async start(input: {
      redirectUri: string;
      returnTo: string;
    }): Promise<{ url: string; transaction: SignInTransaction }> {
      const config = await configuration();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const transaction: SignInTransaction = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        codeVerifier,
        redirectUri: input.redirectUri,
        returnTo: input.returnTo,
      };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: input.redirectUri,
        scope: settings.scopes,
        response_type: 'code',
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state: transaction.state,
        nonce: transaction.nonce,
      });
      return { url: url.href, transaction };
    },

    /** The callback: checks state, exchanges the code with the PKCE verifier, validates the ID token. */
    async finish(callbackQuery: string, transaction: SignInTransaction): Promise<ProviderTokens> {
      try {
        const config = await configuration();
        const current = new URL(transaction.redirectUri);
        current.search = callbackQuery;
        return tokensOf(
          await oidc.authorizationCodeGrant(config, current, {
            pkceCodeVerifier: transaction.codeVerifier,
            expectedState: transaction.state,
            expectedNonce: transaction.nonce,
            idTokenExpected: true,
          }),
        );
      } catch (error) {
        throw classifyOidcError(error);
      }
    },

    /**
     * Uses the provider's refresh token. `ended` means the provider refused it (revoked,
     * expired, user disabled): the session ends here too.
     */
    async refresh(refreshToken: string): Promise<ProviderTokens | 'ended'> {
      try {
        return tokensOf(await oidc.refreshTokenGrant(await configuration(), refreshToken));
      } catch (error) {
        if (error instanceof oidc.ResponseBodyError) return 'ended';
        throw classifyOidcError(error);
      }
    },

    /**
     * Where to send the browser to end the provider's session: its end_session_endpoint
     * (RP-initiated logout), or Cognito's /logout with client_id and logout_uri.
     */
    async endSessionUrl(input: {
      idToken: string | undefined;
      postLogoutRedirectUri: string;
    }): Promise<string | undefined> {
      const config = await configuration();
      if (config.serverMetadata().end_session_endpoint)
        return oidc.buildEndSessionUrl(config, {
          post_logout_redirect_uri: input.postLogoutRedirectUri,
          ...(input.idToken ? { id_token_hint: input.idToken } : {}),
        }).href;
      if (!settings.logoutUrl) return undefined;
      const url = new URL(settings.logoutUrl);
      url.searchParams.set('client_id', settings.clientId);
      url.searchParams.set('logout_uri', input.postLogoutRedirectUri);
      return url.href;
    },
  };
}
export type OidcClient = ReturnType<typeof createOidcClient>;
