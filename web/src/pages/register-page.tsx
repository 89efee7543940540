import { RegisterRequest } from '@videoforge/contracts';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useApi } from '../auth/auth-context.tsx';
import { Alert } from '../components/alert.tsx';
import { errorMessage } from '../lib/api-client.ts';
import { passwordAcceptable, passwordRules } from '../lib/password-policy.ts';

export function RegisterPage() {
  const api = useApi();
  const navigate = useNavigate();
  // The one-time link the API logs when it has no admin yet: /register?setup=<token>.
  const [searchParams] = useSearchParams();
  const setupToken = searchParams.get('setup') ?? undefined;
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const rules = passwordRules(password);
  const mismatch = confirm !== '' && confirm !== password;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const parsed = RegisterRequest.safeParse({
      username,
      email,
      password,
      ...(setupToken ? { setupToken } : {}),
    });
    if (!parsed.success) {
      setError(
        parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
      );
      return;
    }
    if (password !== confirm) {
      setError('The passwords do not match.');
      return;
    }
    setBusy(true);
    try {
      await api.register(parsed.data);
      await navigate('/upload', { replace: true });
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="mx-auto max-w-md">
      <h1 className="mb-6 text-2xl font-bold">
        {setupToken ? 'Create the admin account' : 'Create an account'}
      </h1>
      <div className="space-y-4">
        {error && <Alert kind="error">{error}</Alert>}
        <form className="card space-y-4" onSubmit={(event) => void submit(event)} noValidate>
          <div>
            <label htmlFor="register-username" className="field-label">
              Username
            </label>
            <input
              id="register-username"
              className="field-input"
              autoComplete="username"
              required
              minLength={3}
              maxLength={40}
              aria-describedby="register-username-help"
              value={username}
              onChange={(event) => setUsername(event.target.value)}
            />
            <p id="register-username-help" className="mt-1 text-xs text-slate-500">
              3–40 letters, digits, dots, underscores or hyphens.
            </p>
          </div>
          <div>
            <label htmlFor="register-email" className="field-label">
              Email
            </label>
            <input
              id="register-email"
              type="email"
              className="field-input"
              autoComplete="email"
              required
              value={email}
              onChange={(event) => setEmail(event.target.value)}
            />
          </div>
          <div>
            <label htmlFor="register-password" className="field-label">
              Password
            </label>
            <input
              id="register-password"
              type="password"
              className="field-input"
              autoComplete="new-password"
              required
              aria-describedby="password-policy"
              aria-invalid={password !== '' && !passwordAcceptable(password)}
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
            <ul
              id="password-policy"
              className="mt-2 space-y-1 text-sm"
              aria-label="Password policy"
              aria-live="polite"
            >
              {rules.map((rule) => (
                <li
                  key={rule.id}
                  data-testid={`policy-${rule.id}`}
                  data-met={rule.met}
                  className={rule.met ? 'text-emerald-700 dark:text-emerald-400' : 'text-slate-500'}
                >
                  <span aria-hidden="true">{rule.met ? '✓' : '○'} </span>
                  {rule.label}
                  <span className="sr-only">{rule.met ? ' (met)' : ' (not yet)'}</span>
                </li>
              ))}
            </ul>
          </div>
          <div>
            <label htmlFor="register-confirm" className="field-label">
              Confirm password
            </label>
            <input
              id="register-confirm"
              type="password"
              className="field-input"
              autoComplete="new-password"
              required
              aria-invalid={mismatch}
              aria-describedby={mismatch ? 'register-confirm-error' : undefined}
              value={confirm}
              onChange={(event) => setConfirm(event.target.value)}
            />
            {mismatch && (
              <p
                id="register-confirm-error"
                className="mt-1 text-xs text-red-700 dark:text-red-400"
              >
                The passwords do not match.
              </p>
            )}
          </div>
          <button
            type="submit"
            className="btn-primary w-full"
            disabled={busy || !passwordAcceptable(password) || password !== confirm}
          >
            {busy ? 'Creating account…' : 'Create account'}
          </button>
        </form>
        <p className="text-center text-sm">
          Already registered?{' '}
          <Link
            to="/login"
            className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
          >
            Sign in
          </Link>
        </p>
      </div>
    </div>
  );
}
