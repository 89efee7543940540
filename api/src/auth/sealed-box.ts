import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM under a key derived (HKDF) from the API's secret and a purpose, so a value
 * sealed for one purpose (the sign-in transaction cookie, a stored provider token) can
 * never be opened as another. Tampering fails the GCM tag: `open` returns undefined.
 */
export interface SealedBox {
  seal(plaintext: string): string;
  open(sealed: string): string | undefined;
}

export function sealedBox(serverSecret: string, purpose: string): SealedBox {
  const key = Buffer.from(hkdfSync('sha256', serverSecret, 'videoforge', purpose, 32));
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), body]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },
    open(sealed) {
      const [version, iv, tag, body, extra] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || !body || extra !== undefined) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([
          decipher.update(Buffer.from(body, 'base64url')),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        return undefined;
      }
    },
  };
}
