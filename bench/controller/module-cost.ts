/**
 * bench/controller/module-cost — what each of the controller's heavy dependencies costs
 * resident just to be loaded, bundled as scripts/bundle.ts bundles the controller: the
 * part of the controller's ~100 MB with no objects cached that is code, not data.
 *
 *   node bench/controller/module-cost.ts
 *
 * Each case is bundled alone (esbuild, minified ESM) and imported by a fresh Node with the
 * image's heap flags; its resident set and V8 heap are read 300 ms later.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cases: Record<string, string> = {
  'node alone': '',
  '@kubernetes/client-node (everything)':
    "import * as k from '@kubernetes/client-node'; globalThis.k = k;",
  '@kubernetes/client-node (KubeConfig only, tree-shaken)':
    "import { KubeConfig } from '@kubernetes/client-node'; globalThis.k = KubeConfig;",
  undici: "import * as u from 'undici'; globalThis.u = u;",
  '@aws-sdk/client-sqs': "import * as q from '@aws-sdk/client-sqs'; globalThis.q = q;",
  '@aws-sdk/client-s3': "import * as s from '@aws-sdk/client-s3'; globalThis.s = s;",
  '@aws-sdk/client-s3, bundled but imported lazily (never called)':
    "export async function later() { return import('@aws-sdk/client-s3'); } globalThis.l = later;",
  zod: "import * as z from 'zod'; globalThis.z = z;",
};

const dir = await mkdtemp(path.join(tmpdir(), 'vf-module-cost-'));
console.log('| loaded | RSS | V8 heap used | external |');
console.log('| --- | --- | --- | --- |');
for (const [name, contents] of Object.entries(cases)) {
  const outfile = path.join(dir, `${Object.keys(cases).indexOf(name)}.mjs`);
  await build({
    stdin: { contents, resolveDir: repoRoot, loader: 'ts' },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    keepNames: true,
    logLevel: 'error',
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  const probe = `await import(${JSON.stringify(outfile)}); await new Promise((r) => setTimeout(r, 300));
    const m = process.memoryUsage(); console.log(JSON.stringify(m));`;
  const usage = JSON.parse(
    execFileSync(
      process.execPath,
      ['--max-semi-space-size=1', '--heap-growing-percent=25', '--input-type=module', '-e', probe],
      { encoding: 'utf8' },
    ),
  ) as NodeJS.MemoryUsage;
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  console.log(`| ${name} | ${mb(usage.rss)} | ${mb(usage.heapUsed)} | ${mb(usage.external)} |`);
}
await rm(dir, { recursive: true, force: true });
