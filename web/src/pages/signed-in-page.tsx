import { useEffect } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useApi } from '../auth/auth-context.tsx';

/** Only paths on this site: `//host` or a scheme would make this an open redirect. */
function localPath(value: string | null): string {
  return value && /^\/(?![/\\])/.test(value) ? value : '/gallery';
}

/**
 * Where the API's OIDC callback lands: it has set the HttpOnly refresh cookie, which
 * this page trades for the session (an access token in memory) before moving on.
 */
export function SignedInPage() {
  const api = useApi();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const to = localPath(params.get('to'));
  useEffect(() => {
    let current = true;
    api.refresh().then(
      () => current && navigate(to, { replace: true }),
      () => current && navigate('/login?error=sign_in_failed', { replace: true }),
    );
    return () => {
      current = false;
    };
  }, [api, navigate, to]);
  return (
    <p className="p-8 text-center text-slate-500" role="status">
      Signing you in…
    </p>
  );
}
