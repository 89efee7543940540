import { describe, expect, it } from 'vitest';
import { OwnerIndex } from './owner-index.ts';

const job = (name: string, ...owners: string[]) => ({
  metadata: { name, namespace: 'vf', ownerReferences: owners.map((uid) => ({ uid })) },
});

describe('OwnerIndex', () => {
  it('finds the objects each owner owns', () => {
    const index = new OwnerIndex();
    index.set(job('a-720p', 'uid-a') as never);
    index.set(job('a-480p', 'uid-a') as never);
    index.set(job('b-720p', 'uid-b') as never);
    index.set(job('orphan') as never);
    expect(index.owned('uid-a').sort()).toEqual(['a-480p', 'a-720p']);
    expect(index.owned('uid-b')).toEqual(['b-720p']);
    expect(index.owned('uid-c')).toEqual([]);
  });

  it('follows an update that changes the owner, and forgets deleted objects', () => {
    const index = new OwnerIndex();
    index.set(job('x', 'uid-a') as never);
    index.set(job('x', 'uid-b') as never);
    expect(index.owned('uid-a')).toEqual([]);
    expect(index.owned('uid-b')).toEqual(['x']);
    index.delete(job('x', 'uid-b') as never);
    expect(index.owned('uid-b')).toEqual([]);
  });
});
