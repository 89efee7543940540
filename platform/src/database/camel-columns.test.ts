import { describe, expect, it } from 'vitest';
import { camelColumns } from './camel-columns.ts';

describe('camelColumns', () => {
  it('renames snake_case columns the way the API reads them and keeps every value', () => {
    const createdAt = new Date('2026-12-02T12:00:00Z');
    expect(
      camelColumns({ id: '1', user_id: '7', family_expires_at: createdAt, mfa_enabled: false }),
    ).toEqual({ id: '1', userId: '7', familyExpiresAt: createdAt, mfaEnabled: false });
  });
});
