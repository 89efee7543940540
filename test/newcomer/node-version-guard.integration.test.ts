import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeUnlessMissing } from '../support/components.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** An older Node.js with its npm, as a newcomer may have (Debian 12/13's nodejs is 20). */
const OLD_NODE_DIR = process.env.OLD_NODE_DIR ?? '/usr/bin';
const oldNode = path.join(OLD_NODE_DIR, 'node');
const oldNpm = path.join(OLD_NODE_DIR, 'npm');

function runOld(
  file: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      // Only the old Node.js on PATH, as on the newcomer's machine.
      {
        cwd: repoRoot,
        env: { PATH: `${OLD_NODE_DIR}:/bin`, HOME: process.env.HOME ?? '/tmp' },
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const missing = (() => {
  if (!existsSync(oldNode) || !existsSync(oldNpm))
    return [
      `${OLD_NODE_DIR}/node and npm: install Debian's nodejs and npm (Node.js 20), or set OLD_NODE_DIR`,
    ];
  return [];
})();

describeUnlessMissing(
  missing,
  'on Node.js older than 24',
  () => {
    it('`npm start` and `npm test` stop at once with one line naming the version and how to get it', async () => {
      const version = await runOld(oldNode, ['--version']);
      expect(Number(/^v(\d+)/.exec(version.stdout)?.[1])).toBeLessThan(24);
      for (const script of ['start', 'test']) {
        const started = Date.now();
        const result = await runOld(oldNpm, [script]);
        expect(result.code, script).not.toBe(0);
        const lines = result.stderr.trim().split('\n');
        expect(lines, `${script}: ${result.stderr}`).toHaveLength(1);
        expect(lines[0]).toMatch(
          /^VideoForge needs Node\.js 24 or newer, but this is Node\.js v\d+/,
        );
        expect(lines[0]).toContain('nvm install');
        // No stack trace, and nothing else ran: stdout holds npm's own echo of the script only.
        expect(result.stdout).not.toMatch(/ERR_|at .*\(|Error/);
        expect(Date.now() - started).toBeLessThan(15_000);
      }
    });
  },
  'program',
);
