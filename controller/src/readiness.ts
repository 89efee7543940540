import type { Sql } from '@videoforge/platform/database';

export interface ReadinessState {
  /** Leader election is on and this replica does not lead: a healthy standby. */
  standby: boolean;
  /** The leader's work (informers, intake) has started; undefined while starting. */
  informersSynced: (() => boolean) | undefined;
}

export interface Readiness {
  ready: boolean;
  checks: { database: boolean; informers: boolean | 'standby' };
}

/**
 * /readyz: the database answers (within two seconds) and, on the leader, both
 * informers' caches are synced. A standby is ready when its database answers: it can
 * take over the moment the lease frees.
 */
export async function checkReadiness(sql: Sql, state: ReadinessState): Promise<Readiness> {
  const database = await Promise.race([
    sql`SELECT 1`.then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000).unref()),
  ]);
  const informers = state.standby ? 'standby' : (state.informersSynced?.() ?? false);
  return { ready: database && informers !== false, checks: { database, informers } };
}
