import { MfaSetupResponse, User } from '@videoforge/contracts';
import QRCode from 'qrcode';
import { useEffect, useState, type FormEvent } from 'react';
import { useAuthConfig } from '../auth/auth-config.tsx';
import { useApi, useSession } from '../auth/auth-context.tsx';
import { Alert } from '../components/alert.tsx';
import { TotpCodeField } from '../components/totp-code-field.tsx';
import { errorMessage } from '../lib/api-client.ts';
import { formatDate } from '../lib/format.ts';

type Enrolment =
  | { step: 'idle' }
  | { step: 'scan'; setup: MfaSetupResponse; qr: string | undefined }
  | { step: 'disable' };

export function AccountPage() {
  const api = useApi();
  const session = useSession();
  const [enrolment, setEnrolment] = useState<Enrolment>({ step: 'idle' });
  const [code, setCode] = useState('');
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const user = session.status === 'signed-in' ? session.session.user : undefined;
  const authConfig = useAuthConfig();

  // Refresh the account from the server once (another tab may have changed MFA).
  useEffect(() => {
    void api
      .request('GET', '/api/auth/me', { schema: User, auth: 'required' })
      .then((me) => api.setUser(me))
      .catch(() => undefined);
  }, [api]);

  if (!user) return null;

  const refreshUser = async () =>
    api.setUser(await api.request('GET', '/api/auth/me', { schema: User, auth: 'required' }));

  const startEnrolment = async () => {
    setBusy(true);
    setMessage(undefined);
    try {
      const setup = await api.request('POST', '/api/auth/mfa/setup', {
        schema: MfaSetupResponse,
        auth: 'required',
      });
      const qr = await QRCode.toDataURL(setup.otpauthUrl, { margin: 1, width: 224 }).catch(
        () => undefined,
      );
      setCode('');
      setEnrolment({ step: 'scan', setup, qr });
    } catch (failure) {
      setMessage({ kind: 'error', text: errorMessage(failure) });
    } finally {
      setBusy(false);
    }
  };

  const submitCode = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setMessage(undefined);
    try {
      if (enrolment.step === 'scan') {
        await api.request('POST', '/api/auth/mfa/verify', { body: { code }, auth: 'required' });
        setMessage({ kind: 'success', text: 'Two-factor authentication is on.' });
      } else {
        await api.request('DELETE', '/api/auth/mfa', { body: { code }, auth: 'required' });
        setMessage({ kind: 'success', text: 'Two-factor authentication is off.' });
      }
      setEnrolment({ step: 'idle' });
      setCode('');
      await refreshUser();
    } catch (failure) {
      setMessage({
        kind: 'error',
        text:
          failure instanceof Error && 'code' in failure && failure.code === 'mfa_invalid'
            ? 'That code is not valid. Enter the current 6-digit code from your app.'
            : errorMessage(failure),
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="mx-auto max-w-2xl space-y-6">
      <h1 className="text-2xl font-bold">Account settings</h1>
      <section className="card" aria-labelledby="profile-heading">
        <h2 id="profile-heading" className="mb-3 text-lg font-semibold">
          Profile
        </h2>
        <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-1 text-sm">
          <dt className="text-slate-500">Username</dt>
          <dd data-testid="account-username">{user.username}</dd>
          <dt className="text-slate-500">Email</dt>
          <dd>{user.email}</dd>
          <dt className="text-slate-500">Role</dt>
          <dd>{user.role}</dd>
          <dt className="text-slate-500">Member since</dt>
          <dd>{formatDate(user.createdAt)}</dd>
        </dl>
      </section>

      {authConfig?.mode === 'oidc' ? (
        <section className="card space-y-2" aria-labelledby="sign-in-heading">
          <h2 id="sign-in-heading" className="text-lg font-semibold">
            Sign-in
          </h2>
          <p className="text-sm" data-testid="oidc-managed">
            Your password and two-factor authentication are managed by {authConfig.providerName}.
          </p>
        </section>
      ) : (
        <section className="card space-y-4" aria-labelledby="mfa-heading">
          <h2 id="mfa-heading" className="text-lg font-semibold">
            Two-factor authentication
          </h2>
          <p className="text-sm" data-testid="mfa-state">
            {user.mfaEnabled
              ? 'On: signing in asks for a code from your authenticator app.'
              : 'Off: add a second step to signing in with an authenticator app (TOTP).'}
          </p>
          {message && <Alert kind={message.kind}>{message.text}</Alert>}
          {enrolment.step === 'idle' &&
            (user.mfaEnabled ? (
              <button
                type="button"
                className="btn-secondary"
                onClick={() => {
                  setCode('');
                  setEnrolment({ step: 'disable' });
                }}
              >
                Turn off two-factor authentication
              </button>
            ) : (
              <button
                type="button"
                className="btn-primary"
                disabled={busy}
                onClick={() => void startEnrolment()}
              >
                Set up two-factor authentication
              </button>
            ))}
          {enrolment.step !== 'idle' && (
            <form className="space-y-4" onSubmit={(event) => void submitCode(event)}>
              {enrolment.step === 'scan' && (
                <div className="flex flex-col gap-4 sm:flex-row sm:items-start">
                  {enrolment.qr && (
                    <img
                      src={enrolment.qr}
                      width={224}
                      height={224}
                      alt="QR code to scan with your authenticator app"
                      className="rounded border border-slate-200 bg-white"
                      data-testid="mfa-qr"
                    />
                  )}
                  <div className="space-y-2 text-sm">
                    <p>1. Scan the code with an authenticator app (or enter the key by hand).</p>
                    <p>
                      Key:{' '}
                      <code
                        className="rounded bg-slate-100 px-1 break-all dark:bg-slate-800"
                        data-testid="mfa-secret"
                      >
                        {enrolment.setup.secret}
                      </code>
                    </p>
                    <p>2. Enter the 6-digit code it shows.</p>
                  </div>
                </div>
              )}
              <div className="max-w-xs">
                <TotpCodeField id="mfa-code" value={code} onChange={setCode} />
              </div>
              <div className="flex gap-2">
                <button type="submit" className="btn-primary" disabled={busy || code.length !== 6}>
                  {enrolment.step === 'scan' ? 'Verify and turn on' : 'Turn off'}
                </button>
                <button
                  type="button"
                  className="btn-secondary"
                  onClick={() => setEnrolment({ step: 'idle' })}
                >
                  Cancel
                </button>
              </div>
            </form>
          )}
        </section>
      )}
    </div>
  );
}
