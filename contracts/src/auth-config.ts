import { z } from 'zod';

/**
 * `GET /api/auth/config` (public): how this install signs people in, so the web app
 * shows the username/password form (builtin) or a "Sign in with …" button (oidc).
 */
export const AuthConfigResponse = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('builtin') }),
  z.object({
    mode: z.literal('oidc'),
    /** Shown on the button: "Sign in with <providerName>". */
    providerName: z.string(),
    /** Where the browser goes to start the sign-in (a redirect to the provider). */
    signInUrl: z.string(),
  }),
]);
export type AuthConfigResponse = z.infer<typeof AuthConfigResponse>;

/** `POST /api/auth/logout` in OIDC mode: where the browser goes to end the provider's session too. */
export const OidcLogoutResponse = z.object({ endSessionUrl: z.string().optional() });
export type OidcLogoutResponse = z.infer<typeof OidcLogoutResponse>;

/**
 * Why an OIDC sign-in failed: the API's callback sends the browser to
 * `/login?error=<code>` and the sign-in page explains it.
 */
export const OidcSignInError = z.enum([
  'provider_unreachable',
  'state_mismatch',
  'cancelled',
  'provider_error',
  'sign_in_failed',
]);
export type OidcSignInError = z.infer<typeof OidcSignInError>;
