/**
 * Object keys come from user-influenced values (upload names, job ids), and the local
 * adapter maps them onto a directory, so every adapter refuses anything that could
 * escape its prefix or confuse a path or header.
 */
export class InvalidStorageKeyError extends Error {
  readonly key: string;
  constructor(key: string, reason: string) {
    super(`invalid storage key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'InvalidStorageKeyError';
    this.key = key;
  }
}

const MAX_KEY_BYTES = 1024;
// C0 controls, DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

export function validateStorageKey(key: string, { allowPrefix = false } = {}): string {
  if (key.length === 0) {
    if (allowPrefix) return key;
    throw new InvalidStorageKeyError(key, 'must not be empty');
  }
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new InvalidStorageKeyError(key, `longer than ${MAX_KEY_BYTES} bytes`);
  }
  if (CONTROL_CHARACTERS.test(key)) {
    throw new InvalidStorageKeyError(key, 'contains control characters');
  }
  if (key.startsWith('/') || /^[A-Za-z]:[\\/]/.test(key)) {
    throw new InvalidStorageKeyError(key, 'must be relative, not an absolute path');
  }
  if (key.includes('\\')) {
    throw new InvalidStorageKeyError(key, 'must not contain backslashes');
  }
  const segments = key.split('/');
  const last = segments.length - 1;
  for (const [index, segment] of segments.entries()) {
    if (segment === '..' || segment === '.') {
      throw new InvalidStorageKeyError(key, `must not contain a "${segment}" segment`);
    }
    // A trailing slash is how prefixes are written; an empty segment elsewhere is a typo
    // that would map two keys onto one file in the local adapter.
    if (segment === '' && !(allowPrefix && index === last)) {
      throw new InvalidStorageKeyError(key, 'must not contain empty segments');
    }
  }
  return key;
}
