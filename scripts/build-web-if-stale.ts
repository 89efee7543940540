// `npm start` runs this first: builds the web app when web/dist is missing or older
// than its sources, so a fresh clone needs no separate build step and a warm start
// doesn't pay for one.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('../web', import.meta.url));

function newestMtime(entry: string): number {
  const stat = statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(entry).map((name) => newestMtime(path.join(entry, name))));
}

const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'].map((name) =>
  newestMtime(path.join(web, name)),
);
const built = newestMtime(path.join(web, 'dist', 'index.html'));
if (built > 0 && built >= Math.max(...sources)) process.exit(0);

console.error('building the web app (web/dist)…');
const result = spawnSync('npm', ['run', 'build', '--workspace', '@videoforge/web'], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
