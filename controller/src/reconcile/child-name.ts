import { createHash } from 'node:crypto';

const MAX = 63;

/**
 * `<transcodejob>-<suffix>`, deterministic so a workload is never created twice, and
 * at most 63 characters (Job names become pod labels, which are capped at 63): long
 * names keep a readable head and end in a hash of the whole.
 */
export function childName(parent: string, suffix: string): string {
  const full = `${parent}-${suffix}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  if (full.length <= MAX) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 10);
  return `${full.slice(0, MAX - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}
