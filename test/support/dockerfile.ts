import { readFile } from 'node:fs/promises';

/** The facts tests and benches need from a Dockerfile's final stage. */
export interface Dockerfile {
  stages: number;
  finalUser: string | undefined;
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
}

/** Reads a Dockerfile: its stage count and the final stage's USER, ENV, ENTRYPOINT and CMD. */
export async function readDockerfile(file: string): Promise<Dockerfile> {
  const text = (await readFile(file, 'utf8')).replace(/\\\n/g, ' ');
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const result: Dockerfile = { stages: 0, finalUser: undefined, entrypoint: [], cmd: [], env: {} };
  for (const line of lines) {
    const [instruction = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    switch (instruction.toUpperCase()) {
      case 'FROM':
        result.stages++;
        result.finalUser = undefined;
        result.env = {};
        break;
      case 'USER':
        result.finalUser = args;
        break;
      case 'ENV':
        for (const [, k = '', v = ''] of args.matchAll(/(\w+)=(\S+)/g)) result.env[k] = v;
        break;
      case 'ENTRYPOINT':
        result.entrypoint = JSON.parse(args) as string[];
        break;
      case 'CMD':
        result.cmd = JSON.parse(args) as string[];
        break;
    }
  }
  return result;
}
