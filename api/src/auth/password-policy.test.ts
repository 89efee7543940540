import { Password } from '@videoforge/contracts';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, hashPassword, verifyPassword } from './credentials.ts';

describe('password policy', () => {
  it.each(['Sup3r!pass', 'Abcdefg1?', 'Ünïcode9#x'])('accepts %s', (password) => {
    expect(Password.safeParse(password).success).toBe(true);
  });
  it.each([
    ['Ab1!', 'at least 8'],
    ['abcdefg1!', 'upper-case'],
    ['ABCDEFG1!', 'lower-case'],
    ['Abcdefgh!', 'digit'],
    ['Abcdefgh1', 'symbol'],
  ])('refuses %s (%s)', (password, reason) => {
    const result = Password.safeParse(password);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message).join(' ')).toContain(reason);
  });
});

describe('credentials', () => {
  it('hashes with argon2id and verifies only the right password', async () => {
    const stored = await hashPassword('Sup3r!pass');
    expect(stored).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(stored, 'Sup3r!pass')).toBe(true);
    expect(await verifyPassword(stored, 'Sup3r!pasS')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });

  it('seals TOTP secrets so only a key of the ring opens them', () => {
    const sealed = encryptSecret(['k'.repeat(40)], 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    expect(sealed).not.toContain('JBSWY3DP');
    expect(decryptSecret(['k'.repeat(40)], sealed)).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    expect(() => decryptSecret(['j'.repeat(40)], sealed)).toThrow();
  });

  it('keeps sealed TOTP secrets readable across a key rotation (new key first, old kept)', () => {
    const sealed = encryptSecret(['old-key'.repeat(6)], 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    expect(decryptSecret(['new-key'.repeat(6), 'old-key'.repeat(6)], sealed)).toBe(
      'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
    );
    expect(encryptSecret(['new-key'.repeat(6), 'old-key'.repeat(6)], 'x').split('.')[1]).not.toBe(
      sealed.split('.')[1],
    );
  });
});
