import { useState, type FormEvent } from 'react';
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { OidcSignInError, type AuthConfigResponse } from '@videoforge/contracts';
import { useAuthConfig } from '../auth/auth-config.tsx';
import { useApi, useSession } from '../auth/auth-context.tsx';
import { Alert } from '../components/alert.tsx';
import { TotpCodeField } from '../components/totp-code-field.tsx';
import { ApiError, errorMessage } from '../lib/api-client.ts';

export function LoginPage() {
  const api = useApi();
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const state = (location.state ?? {}) as { from?: string; expired?: boolean };
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totpCode, setTotpCode] = useState('');
  const [needsCode, setNeedsCode] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const target = state.from && state.from.startsWith('/') ? state.from : '/gallery';
  const config = useAuthConfig();
  const [params] = useSearchParams();

  if (session.status === 'signed-in' && !busy) return <Navigate to={target} replace />;
  if (!config)
    return (
      <p className="p-8 text-center text-slate-500" role="status">
        Loading…
      </p>
    );
  if (config.mode === 'oidc')
    return (
      <OidcSignIn
        config={config}
        target={target}
        expired={state.expired === true}
        error={OidcSignInError.safeParse(params.get('error')).data}
      />
    );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api.login({ username, password, ...(needsCode ? { totpCode } : {}) });
      await navigate(target, { replace: true });
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === 'mfa_required') {
        setNeedsCode(true);
        setError(undefined);
      } else if (failure instanceof ApiError && failure.code === 'mfa_invalid') {
        setError('That code is not valid. Enter the current 6-digit code from your app.');
      } else if (failure instanceof ApiError && failure.code === 'invalid_credentials') {
        setError('The username or password is wrong.');
      } else {
        setError(errorMessage(failure));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="mx-auto max-w-sm">
      <h1 className="mb-6 text-2xl font-bold">Sign in</h1>
      <div className="space-y-4">
        {state.expired && (
          <Alert kind="info" title="Your session has expired">
            Sign in again to continue.
          </Alert>
        )}
        {error && <Alert kind="error">{error}</Alert>}
        <form className="card space-y-4" onSubmit={(event) => void submit(event)} noValidate>
          <div>
            <label htmlFor="login-username" className="field-label">
              Username or email
            </label>
            <input
              id="login-username"
              className="field-input"
              autoComplete="username"
              required
              value={username}
              onChange={(event) => setUsername(event.target.value)}
            />
          </div>
          <div>
            <label htmlFor="login-password" className="field-label">
              Password
            </label>
            <input
              id="login-password"
              type="password"
              className="field-input"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          </div>
          {needsCode && (
            <div>
              <TotpCodeField
                id="login-totp"
                value={totpCode}
                onChange={setTotpCode}
                help="This account uses two-factor authentication: enter the 6-digit code from your authenticator app."
              />
            </div>
          )}
          <button type="submit" className="btn-primary w-full" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <p className="text-center text-sm">
          No account?{' '}
          <Link
            to="/register"
            className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
          >
            Register
          </Link>
        </p>
      </div>
    </div>
  );
}

function oidcErrorMessage(error: OidcSignInError, provider: string): string {
  switch (error) {
    case 'provider_unreachable':
      return `${provider} cannot be reached right now. Try again in a minute; if it keeps failing, tell your administrator.`;
    case 'state_mismatch':
      return 'This sign-in could not be verified: it was started in another browser or tab, or took too long. Please sign in again.';
    case 'cancelled':
      return `Sign-in was cancelled at ${provider}. Sign in again when you are ready.`;
    case 'provider_error':
      return `${provider} refused the sign-in. Try again, or ask your administrator whether your account may use VideoForge.`;
    case 'sign_in_failed':
      return 'The sign-in could not be completed. Please try again.';
  }
}

/** OIDC mode: one button to the provider's own sign-in page (via the API, which keeps the tokens). */
function OidcSignIn({
  config,
  target,
  expired,
  error,
}: {
  config: Extract<AuthConfigResponse, { mode: 'oidc' }>;
  target: string;
  expired: boolean;
  error: OidcSignInError | undefined;
}) {
  return (
    <div className="mx-auto max-w-sm">
      <h1 className="mb-6 text-2xl font-bold">Sign in</h1>
      <div className="space-y-4">
        {expired && (
          <Alert kind="info" title="Your session has expired">
            Sign in again to continue.
          </Alert>
        )}
        {error && (
          <Alert kind="error" title="You are not signed in">
            {oidcErrorMessage(error, config.providerName)}
          </Alert>
        )}
        <div className="card space-y-4">
          <p className="text-sm text-slate-600 dark:text-slate-300">
            Accounts are managed by {config.providerName}.
          </p>
          <a
            className="btn-primary block w-full text-center"
            href={`${config.signInUrl}?returnTo=${encodeURIComponent(target)}`}
          >
            Sign in with {config.providerName}
          </a>
        </div>
      </div>
    </div>
  );
}
