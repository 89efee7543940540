import type { KubernetesObject } from '@kubernetes/client-node';

/**
 * The names of cached objects by the uid of each of their owners, kept current from an
 * informer's add/update/delete events, so a reconcile pass finds the Jobs its
 * TranscodeJob owns without scanning every cached Job (client-go's indexer, by owner).
 */
export class OwnerIndex {
  readonly #names = new Map<string, Set<string>>();
  readonly #owners = new Map<string, readonly string[]>();

  /** On add and update: the object's current owners. */
  set(object: KubernetesObject): void {
    const key = keyOf(object);
    this.delete(object);
    const owners = (object.metadata?.ownerReferences ?? []).map((owner) => owner.uid);
    if (owners.length === 0) return;
    this.#owners.set(key, owners);
    for (const uid of owners) {
      let names = this.#names.get(uid);
      if (!names) this.#names.set(uid, (names = new Set()));
      names.add(object.metadata?.name ?? '');
    }
  }

  delete(object: KubernetesObject): void {
    const key = keyOf(object);
    for (const uid of this.#owners.get(key) ?? []) {
      const names = this.#names.get(uid);
      names?.delete(object.metadata?.name ?? '');
      if (names?.size === 0) this.#names.delete(uid);
    }
    this.#owners.delete(key);
  }

  /**
   * The names of the objects `ownerUid` owns: all in the owner's namespace, since
   * Kubernetes owner references never cross namespaces.
   */
  owned(ownerUid: string): string[] {
    return [...(this.#names.get(ownerUid) ?? [])];
  }
}

function keyOf(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}
