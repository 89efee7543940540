import type { KubernetesObject } from '@kubernetes/client-node';

/**
 * The resourceVersion of each object this controller last wrote (a TranscodeJob's
 * status, a Job it created), so the watch event that brings that very write back is not
 * reconciled again: the pass that wrote it already decided with it. Each of our writes
 * otherwise costs a second pass (a Postgres query and the reconcile) that decides nothing.
 *
 * At most one entry per object, taken out when its echo arrives or the object goes. When
 * the echo arrived before our write's response (the watch can be faster than the
 * response), the informer already holds that version and nothing is remembered: the
 * echo then ran its pass, as before.
 */
export class OwnWrites {
  readonly #versions = new Map<string, string>();

  /** After a write whose response is `written`; `cached` is what the informer holds now. */
  wrote(written: KubernetesObject, cached: KubernetesObject | undefined): void {
    const uid = written.metadata?.uid;
    const version = written.metadata?.resourceVersion;
    if (!uid || !version || cached?.metadata?.resourceVersion === version) return;
    this.#versions.set(uid, version);
  }

  /** Whether a watch event's object is exactly our last write of it (then forgotten). */
  isEcho(object: KubernetesObject): boolean {
    const uid = object.metadata?.uid;
    if (!uid) return false;
    const mine = this.#versions.get(uid);
    if (mine === undefined) return false;
    this.#versions.delete(uid);
    return mine === object.metadata?.resourceVersion;
  }

  /** When the object is gone. */
  forget(object: KubernetesObject): void {
    const uid = object.metadata?.uid;
    if (uid) this.#versions.delete(uid);
  }

  get size(): number {
    return this.#versions.size;
  }
}
