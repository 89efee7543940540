import { describe, expect, it } from 'vitest';
import { InvalidStorageKeyError, validateStorageKey } from './storage-key.ts';

describe('validateStorageKey', () => {
  it.each([
    'videos/raw/42/clip.mp4',
    'videos/output/42/720p/seg_001.m4s',
    'a',
    'names with spaces/é.mp4',
  ])('accepts %s', (key) => expect(validateStorageKey(key)).toBe(key));

  it.each([
    ['../etc/passwd', '".." segment'],
    ['videos/../../secret', '".." segment'],
    ['videos/./x', '"." segment'],
    ['/etc/passwd', 'absolute'],
    ['C:\\windows', 'absolute'],
    ['videos\\..\\x', 'backslashes'],
    ['videos//x', 'empty segments'],
    ['videos/x\u0000.mp4', 'control characters'],
    ['videos/x\n.mp4', 'control characters'],
    ['', 'empty'],
    ['x'.repeat(1025), 'longer than 1024'],
  ])('refuses %j (%s)', (key, reason) => {
    expect(() => validateStorageKey(key)).toThrowError(InvalidStorageKeyError);
    expect(() => validateStorageKey(key)).toThrowError(reason);
  });

  it('allows a trailing slash and the empty prefix only for prefixes', () => {
    expect(validateStorageKey('videos/output/42/', { allowPrefix: true })).toBe(
      'videos/output/42/',
    );
    expect(validateStorageKey('', { allowPrefix: true })).toBe('');
    expect(() => validateStorageKey('videos/output/42/')).toThrowError('empty segments');
    expect(() => validateStorageKey('../', { allowPrefix: true })).toThrowError('".." segment');
  });
});
