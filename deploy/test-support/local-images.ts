// The images as local processes: each image's ENTRYPOINT, CMD, ENV and WORKDIR read from
// its Dockerfile, with what the image holds mapped to this checkout (the api and
// transcoder images copy the workspaces unchanged, the controller image holds the
// esbuild bundle, the web image the static server, at the same paths, and a build).

import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleService } from '../../scripts/bundle.ts';
import { readDockerfile } from '../../test/support/dockerfile.ts';
import { repoRoot } from './deploy-test-utils.ts';

export const imageNames = ['api', 'controller', 'transcoder', 'web'] as const;
export type ImageName = (typeof imageNames)[number];

export interface LocalImage {
  name: ImageName;
  /** ENTRYPOINT, `node` being this Node. */
  entrypoint: string[];
  cmd: string[];
  /** The image's ENV, with its paths mapped here. */
  env: Record<string, string>;
  /** WORKDIR (/app) as a directory of this checkout. */
  cwd: string;
}

export interface LocalImages {
  /** The image a reference names (any registry and tag): `…/videoforge/api:1.0` → api. */
  forReference(reference: string): LocalImage;
  /** PATH as the images have it: the transcoder's videoforge-transcode, then this Node, then the host's. */
  path: string;
  close(): Promise<void>;
}

/** Builds what the images need locally (the controller bundle, the transcoder's bin link, a web root). */
export async function prepareLocalImages(): Promise<LocalImages> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vf-images-'));
  const bundle = await bundleService('controller', path.join(dir, 'controller'));
  // As the transcoder image's RUN does: /usr/local/bin/videoforge-transcode -> /app/transcoder/src/main.ts
  const bin = path.join(dir, 'bin');
  await mkdir(bin);
  await symlink(
    path.join(repoRoot, 'transcoder/src/main.ts'),
    path.join(bin, 'videoforge-transcode'),
  );
  const webRoot = path.join(dir, 'web-public');
  await mkdir(webRoot);
  await writeFile(path.join(webRoot, 'index.html'), '<!doctype html><div id="root"></div>');

  const images = new Map<ImageName, LocalImage>();
  for (const name of imageNames) {
    const file = await readDockerfile(path.join(repoRoot, 'deploy/docker', `${name}.Dockerfile`));
    const entrypoint = file.entrypoint.map((part, i) =>
      i === 0 && part === 'node' ? process.execPath : part,
    );
    const env = { ...file.env };
    if (name === 'web') env.STATIC_DIR = webRoot;
    // The web image keeps its server at the repository's paths too (deploy/docker/…).
    const cwd = name === 'controller' ? bundle.dir : repoRoot;
    images.set(name, { name, entrypoint, cmd: file.cmd, env, cwd });
  }
  return {
    forReference(reference) {
      const repository = (reference.split('@')[0] ?? '').replace(/:[^/:]+$/, '');
      const name = imageNames.find(
        (n) => repository.endsWith(`/videoforge/${n}`) || repository === `videoforge/${n}`,
      );
      const image = name && images.get(name);
      if (!image) throw new Error(`no local stand-in for image ${reference}`);
      return image;
    },
    path: [bin, path.dirname(process.execPath), process.env.PATH ?? ''].join(path.delimiter),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}
