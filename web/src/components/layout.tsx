import { Suspense } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useApi, useSession } from '../auth/auth-context.tsx';
import { useAuthConfig } from '../auth/auth-config.tsx';

const link = ({ isActive }: { isActive: boolean }) =>
  `rounded-md px-3 py-2 text-sm font-medium ${isActive ? 'bg-indigo-50 text-indigo-700 dark:bg-indigo-950 dark:text-indigo-200' : 'text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800'}`;

export function Layout() {
  const session = useSession();
  const api = useApi();
  const navigate = useNavigate();
  const location = useLocation();
  const user = session.status === 'signed-in' ? session.session.user : undefined;
  const authConfig = useAuthConfig();
  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-indigo-700"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <nav
          aria-label="Main"
          className="mx-auto flex max-w-6xl flex-wrap items-center gap-1 px-4 py-2"
        >
          <NavLink
            to="/gallery"
            className="mr-4 text-lg font-bold text-indigo-700 dark:text-indigo-300"
          >
            VideoForge
          </NavLink>
          <NavLink to="/gallery" className={link}>
            Gallery
          </NavLink>
          {user && (
            <>
              <NavLink to="/my-videos" className={link}>
                My videos
              </NavLink>
              <NavLink to="/upload" className={link}>
                Upload
              </NavLink>
              {user.role === 'admin' && (
                <NavLink to="/all-videos" className={link}>
                  All videos
                </NavLink>
              )}
            </>
          )}
          <span className="flex-1" />
          {user ? (
            <>
              <NavLink to="/account" className={link}>
                <span className="sr-only">Account settings for </span>
                {user.username}
              </NavLink>
              <button
                type="button"
                className="rounded-md px-3 py-2 text-sm text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
                onClick={() => {
                  void api.logout().then((endSessionUrl) => {
                    // OIDC: on to the provider, which ends its session and sends us back.
                    if (endSessionUrl) window.location.assign(endSessionUrl);
                    else return navigate('/login');
                  });
                }}
              >
                Sign out
              </button>
            </>
          ) : session.status === 'signed-out' ? (
            <>
              <NavLink to="/login" className={link}>
                Sign in
              </NavLink>
              {authConfig?.mode !== 'oidc' && (
                <NavLink to="/register" className={link}>
                  Register
                </NavLink>
              )}
            </>
          ) : null}
        </nav>
      </header>
      {session.status === 'signed-out' && session.expired && location.pathname !== '/login' && (
        <div
          role="status"
          className="border-b border-amber-300 bg-amber-50 px-4 py-2 text-center text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
          data-testid="session-expired"
        >
          Your session has expired.{' '}
          <NavLink to="/login" className="font-medium underline">
            Sign in again
          </NavLink>
        </div>
      )}
      <main id="main" className="mx-auto max-w-6xl px-4 py-6" tabIndex={-1}>
        <Suspense
          fallback={
            <p role="status" className="text-slate-500">
              Loading…
            </p>
          }
        >
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
