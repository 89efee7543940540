import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const webDir = path.join(repoRoot, 'web');

/**
 * Builds the web app from the current sources into `outDir`, for the browser suites that
 * serve it from a real all-in-one process. A child process, so vitest's environment
 * (VITEST*, NODE_ENV=test) stays out of the production build.
 */
export async function buildWeb(outDir: string): Promise<void> {
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (key.startsWith('VITEST') || key === 'NODE_ENV') delete env[key];
  await run(
    process.execPath,
    [
      path.join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: webDir, env, maxBuffer: 16 * 1024 * 1024 },
  );
}
