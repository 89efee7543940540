import type { ReactNode } from 'react';
import { useSession } from '../auth/auth-context.tsx';

/**
 * Admin-only pages, inside RequireAuth. The API is the real guard (it answers 403
 * `forbidden` to anyone else); this only spares other users a page that cannot load.
 */
export function RequireAdmin({ children }: { children: ReactNode }) {
  const session = useSession();
  if (session.status === 'signed-in' && session.session.user.role === 'admin') return children;
  return (
    <div className="space-y-2 p-8 text-center" role="alert">
      <h1 className="text-xl font-bold">Admins only</h1>
      <p className="text-slate-500">This page is for administrators.</p>
    </div>
  );
}
