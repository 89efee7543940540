import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { generateSecret, generateURI, verify as verifyTotp } from 'otplib';

/**
 * Argon2id with OWASP's minimum (19 MiB, 2 passes): memory-hard, so a stolen table
 * is expensive to brute-force on GPUs. The parameters travel inside the hash string,
 * so raising them later still verifies old hashes.
 */
export async function hashPassword(password: string): Promise<string> {
  return hash(password, { memoryCost: 19_456, timeCost: 2, parallelism: 1 });
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the user does not exist, so timing does not reveal which usernames are taken. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}

/**
 * TOTP secrets are stored encrypted (AES-256-GCM) under a key derived from a key ring:
 * the first key seals, every key opens. Sealed values name their key (`v2.<key id>.…`),
 * so the ring can be rotated (new key first, old ones kept until re-sealed) without
 * touching the JWT secret, and rotating the JWT secret leaves them readable. `v1` values
 * (sealed under the JWT secret before the ring existed) open with any key in the ring.
 */
function mfaKey(keyMaterial: string): Buffer {
  return Buffer.from(hkdfSync('sha256', keyMaterial, 'videoforge', 'totp-secret-encryption', 32));
}

function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export function encryptSecret(keyRing: readonly string[], plaintext: string): string {
  const [current] = keyRing;
  if (!current) throw new Error('the MFA key ring is empty');
  const key = mfaKey(current);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    'v2',
    keyId(key),
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    body.toString('base64url'),
  ].join('.');
}

function open(key: Buffer, iv: string, tag: string, body: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([
    decipher.update(Buffer.from(body, 'base64url')),
    decipher.final(),
  ]).toString('utf8');
}

export function decryptSecret(keyRing: readonly string[], sealed: string): string {
  const parts = sealed.split('.');
  const keys = keyRing.map(mfaKey);
  if (parts[0] === 'v2' && parts.length === 5) {
    const [, id, iv = '', tag = '', body = ''] = parts;
    const key = keys.find((k) => keyId(k) === id);
    if (!key) throw new Error(`no key in the MFA key ring has id ${id}`);
    return open(key, iv, tag, body);
  }
  if (parts[0] === 'v1' && parts.length === 4) {
    const [, iv = '', tag = '', body = ''] = parts;
    for (const key of keys) {
      try {
        return open(key, iv, tag, body);
      } catch {
        /* sealed under another key of the ring */
      }
    }
    throw new Error('no key in the MFA key ring opens this secret');
  }
  throw new Error('unknown sealed secret format');
}

export function newTotpSecret(): string {
  return generateSecret();
}

export function totpUri(secret: string, account: string): string {
  return generateURI({ issuer: 'VideoForge', label: account, secret });
}

/**
 * Accepts the current code and its neighbours (±30 s) for clock drift; resolves with
 * the code's RFC 6238 time step, which the caller claims so the code works once.
 */
export async function checkTotp(secret: string, code: string): Promise<number | undefined> {
  try {
    const result = await verifyTotp({ secret, token: code, epochTolerance: 30 });
    return result.valid && 'timeStep' in result ? result.timeStep : undefined;
  } catch {
    return undefined;
  }
}
