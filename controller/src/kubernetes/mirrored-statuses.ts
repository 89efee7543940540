import { hash } from 'node:crypto';
import type { TranscodeJobStatus } from '@videoforge/contracts';

/**
 * Which status each TranscodeJob last had mirrored to Postgres, so a pass whose status
 * is what was already mirrored skips the mirror's transaction (three round trips or
 * more) and its transition metrics. Most passes are such passes: a Job's status
 * changing, or our own status write coming back as a watch event. Only the API changes a
 * mirrored row otherwise (a cancel), which the mirror must never overwrite anyway.
 *
 * A digest rather than the status, so 10,000 TranscodeJobs cost ~1 MB, not ~10 MB.
 */
export class MirroredStatuses {
  readonly #digests = new Map<string, string>();

  /** Whether `status` differs from the one last mirrored for `uid` (or none was). */
  changed(uid: string, status: TranscodeJobStatus): boolean {
    return this.#digests.get(uid) !== digest(status);
  }

  /** After a successful mirror. */
  remember(uid: string, status: TranscodeJobStatus): void {
    this.#digests.set(uid, digest(status));
  }

  /** When the TranscodeJob is gone. */
  forget(uid: string): void {
    this.#digests.delete(uid);
  }

  get size(): number {
    return this.#digests.size;
  }
}

function digest(status: TranscodeJobStatus): string {
  return hash('sha1', JSON.stringify(status), 'base64');
}
