import type { Principal } from '../auth/tokens.ts';

/** Owners and admins manage a resource. */
export function canManage(principal: Principal | undefined, ownerId: string): boolean {
  return principal !== undefined && (principal.role === 'admin' || principal.userId === ownerId);
}

/**
 * Public videos are for everyone; private ones only for their owner and admins. For
 * anyone else a private video does not exist (404, never 403), so ids cannot be probed.
 */
export function canView(
  principal: Principal | undefined,
  video: { ownerId: string; visibility: 'public' | 'private' },
): boolean {
  return video.visibility === 'public' || canManage(principal, video.ownerId);
}
