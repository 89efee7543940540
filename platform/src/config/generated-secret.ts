import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * All-in-one mode must work with no configuration, yet what a secret protects (signed
 * URLs, sessions) must survive a restart, so an unset secret is generated once and kept
 * (mode 0600) in `dir/fileName`. Concurrent first starts agree: only one write wins.
 */
export async function loadOrCreateSecret(
  dir: string,
  fileName: string,
  bytes = 32,
): Promise<string> {
  const file = path.join(dir, fileName);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(dir, { recursive: true });
    await writeFile(file, randomBytes(bytes).toString('base64url'), {
      mode: 0o600,
      flag: 'wx',
    }).catch(() => undefined);
    return (await readFile(file, 'utf8')).trim();
  }
}
