// The IAM policies in docs/deploy.md against what the code touches. Every storage and
// queue call of each cluster-mode process is found in its source; the table below says
// which key each call works on, built with the code's own key functions; the actions a
// call needs follow from the S3/SQS request the adapter sends. The documented policy
// must allow every one of them, and grant nothing none of them needs.

import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  finalOutputKey,
  outputPrefixFor,
  renditionPlaylistKey,
  SUBTITLE_FULL_VTT,
  TRACKS_DIR,
  renditionPrefix,
  TRACKS_MANIFEST,
  CHUNKS_DIR,
  chunkManifestKey,
  liveManifestKey,
  liveTracksManifestKey,
} from '@videoforge/contracts';
import { captionsPrefix } from '../api/src/tracks/tracks.service.ts';
import { storageProbePrefix } from '../api/src/routes/dependency-monitor.ts';
import { pinnedKey, rawKey } from '../api/src/uploads/upload-policy.ts';
import { sourcePrefix } from '../api/src/videos/videos.service.ts';
import { jobSessionPolicy } from '../platform/src/storage/job-credentials.ts';
import { repoRoot } from './test-support/deploy-test-utils.ts';

type Component = 'api' | 'controller' | 'transcoder';

/** The IAM actions each port method's S3 or SQS request needs (platform/src/{storage,queue}). */
const storageActions: Record<string, string[]> = {
  put: ['s3:PutObject', 's3:AbortMultipartUpload'], // lib-storage aborts a failed multipart put
  get: ['s3:GetObject'],
  head: ['s3:GetObject'],
  delete: ['s3:DeleteObject'],
  deletePrefix: ['s3:ListBucket', 's3:DeleteObject'],
  list: ['s3:ListBucket'],
  presignGet: ['s3:GetObject'],
  presignPut: ['s3:PutObject'],
  createMultipart: ['s3:PutObject'],
  presignPart: ['s3:PutObject'],
  completeMultipart: ['s3:PutObject'],
  abortMultipart: ['s3:AbortMultipartUpload'],
  listParts: ['s3:ListMultipartUploadParts'],
  copy: ['s3:GetObject', 's3:PutObject'], // CopyObject reads the source, writes the target
  filePath: [], // local storage only (all-in-one)
};
const queueActions: Record<string, string[]> = {
  send: ['sqs:SendMessage'],
  receive: ['sqs:ReceiveMessage'],
  delete: ['sqs:DeleteMessage'],
  changeVisibility: ['sqs:ChangeMessageVisibility'],
  depth: ['sqs:GetQueueAttributes'],
  deadLetters: ['sqs:GetQueueAttributes'],
};

/** The per-Job credentials issuer (platform/src/storage/job-credentials.ts) assumes a role. */
const stsActions: Record<string, string[]> = {
  createJobCredentialsIssuer: ['sts:AssumeRole'],
};

/** The source each cluster-mode process runs (all-in-one's local runtime and test fixtures excluded). */
const sources: Record<Component, { dirs: string[]; exclude: RegExp }> = {
  api: { dirs: ['api/src', 'platform/src/outbox'], exclude: /\.test\.ts$/ },
  controller: { dirs: ['controller/src'], exclude: /\.test\.ts$|^controller\/src\/local\// },
  transcoder: { dirs: ['transcoder/src'], exclude: /\.test\.ts$|integration\.fixtures\.ts$/ },
};

const source = rawKey('7', '0b8f5c4e-8d2a-4c1e-9f6b-2a7d3c4e5f60', 'holiday.mp4');
const outputs = outputPrefixFor('42');
const segment = `${renditionPrefix(outputs, '720p')}segment-00001.m4s`;
const queue = 'arn:aws:sqs:REGION:ACCOUNT:videoforge-transcode-jobs';
const caption = `${captionsPrefix('17')}1/`;
const subtitleFile = `${outputs}${TRACKS_DIR}s0/${SUBTITLE_FULL_VTT}`;
const transcoderRole = 'arn:aws:iam::ACCOUNT:role/videoforge-transcoder';

/** Which key (or listed prefix) each call works on: file, `storage.method` or `queue.method`, keys. */
const uses: Record<Component, [file: string, call: string, keys: string[]][]> = {
  api: [
    ['api/src/uploads/uploads.service.ts', 'storage.presignPut', [source]],
    ['api/src/uploads/uploads.service.ts', 'storage.createMultipart', [source]],
    ['api/src/uploads/uploads.service.ts', 'storage.presignPart', [source]],
    ['api/src/uploads/uploads.service.ts', 'storage.completeMultipart', [source]],
    ['api/src/uploads/uploads.service.ts', 'storage.head', [source]],
    ['api/src/uploads/uploads.service.ts', 'storage.presignGet', [source]],
    ['api/src/uploads/uploads.service.ts', 'storage.delete', [source]],
    ['api/src/uploads/uploads.service.ts', 'storage.listParts', [source]],
    ['api/src/uploads/uploads.service.ts', 'storage.copy', [source, pinnedKey(source)]],
    ['api/src/uploads/uploads.service.ts', 'storage.abortMultipart', [source]],
    ['api/src/uploads/upload-sweeper.ts', 'storage.delete', [source, pinnedKey(source)]],
    ['api/src/uploads/upload-sweeper.ts', 'storage.abortMultipart', [source]],
    [
      'api/src/videos/video-processing.reader.ts',
      'storage.get',
      [`${renditionPrefix(outputs, '720p')}rendition.json`],
    ],
    [
      'api/src/videos/videos.service.ts',
      'storage.deletePrefix',
      [sourcePrefix(source) ?? '', outputs],
    ],
    ['api/src/videos/videos.service.ts', 'storage.delete', [source]],
    [
      'api/src/videos/videos.service.ts',
      'storage.head',
      [`${renditionPrefix(outputs, '720p')}720p.mp4`],
    ],
    [
      'api/src/videos/videos.service.ts',
      'storage.presignGet',
      [`${renditionPrefix(outputs, '720p')}720p.mp4`],
    ],
    [
      'api/src/streaming/streaming.routes.ts',
      'storage.get',
      [renditionPlaylistKey(outputs, '720p'), liveManifestKey(outputs, '720p')],
    ],
    ['api/src/streaming/streaming.routes.ts', 'storage.head', [finalOutputKey(outputs, 'poster')]],
    ['api/src/streaming/streaming.routes.ts', 'storage.presignGet', [segment]],
    // The DASH MPD: a subtitle's whole WebVTT file, checked and signed.
    ['api/src/streaming/dash-presentation.ts', 'storage.head', [subtitleFile]],
    ['api/src/streaming/dash-presentation.ts', 'storage.presignGet', [segment, subtitleFile]],
    ['api/src/tracks/tracks.service.ts', 'storage.get', [`${outputs}${TRACKS_MANIFEST}`]],
    ['api/src/tracks/tracks.service.ts', 'storage.put', [`${caption}index.m3u8`]],
    ['api/src/tracks/tracks.service.ts', 'storage.deletePrefix', [caption]],
    ['api/src/routes/dependency-monitor.ts', 'storage.list', [storageProbePrefix]],
    ['api/src/routes/dependency-monitor.ts', 'queue.depth', [queue]],
    ['platform/src/outbox/outbox-relay.ts', 'queue.send', [queue]],
  ],
  controller: [
    ['controller/src/main.ts', 'storage.deletePrefix', [outputs]],
    ['controller/src/intake/queue-intake.ts', 'queue.receive', [queue]],
    ['controller/src/intake/queue-intake.ts', 'queue.changeVisibility', [queue]],
    // runWithVisibility (platform/src/queue) deletes the message once the work is done.
    ['controller/src/intake/queue-intake.ts', 'queue.delete', [queue]],
    ['controller/src/controller-metrics.ts', 'queue.depth', [queue]],
    ['controller/src/main.ts', 'sts.createJobCredentialsIssuer', [transcoderRole]],
  ],
  transcoder: [
    ['transcoder/src/cli/cli.ts', 'storage.presignGet', [source]],
    ['transcoder/src/cli/cli.ts', 'storage.filePath', []],
    [
      'transcoder/src/steps/transcode.service.ts',
      'storage.deletePrefix',
      [renditionPrefix(outputs, '720p')],
    ],
    ['transcoder/src/steps/finalize.service.ts', 'storage.list', [outputs]],
    [
      'transcoder/src/steps/finalize.service.ts',
      'storage.get',
      [`${renditionPrefix(outputs, '720p')}rendition.json`],
    ],
    [
      'transcoder/src/output/upload.service.ts',
      'storage.put',
      [segment, finalOutputKey(outputs, 'master')],
    ],
    ['transcoder/src/output/upload.service.ts', 'storage.delete', [segment]],
    ['transcoder/src/steps/tracks.service.ts', 'storage.deletePrefix', [`${outputs}${TRACKS_DIR}`]],
    // Published while ffmpeg runs: segments and the EVENT playlist, then live.json.
    [
      'transcoder/src/output/live-publisher.ts',
      'storage.put',
      [segment, renditionPlaylistKey(outputs, '720p')],
    ],
    [
      'transcoder/src/steps/live-outputs.service.ts',
      'storage.deletePrefix',
      [renditionPrefix(outputs, '720p')],
    ],
    [
      'transcoder/src/steps/live-outputs.service.ts',
      'storage.put',
      [liveManifestKey(outputs, '720p'), liveTracksManifestKey(outputs)],
    ],
    [
      'transcoder/src/steps/transcode.service.ts',
      'storage.delete',
      [liveManifestKey(outputs, '720p')],
    ],
    ['transcoder/src/steps/tracks.service.ts', 'storage.delete', [liveTracksManifestKey(outputs)]],
    // The chunked strategy: each chunk's segments and manifest, then stitch reads and clears them.
    [
      'transcoder/src/steps/chunk.service.ts',
      'storage.put',
      [segment, chunkManifestKey(outputs, 0)],
    ],
    ['transcoder/src/steps/stitch.service.ts', 'storage.get', [chunkManifestKey(outputs, 0)]],
    ['transcoder/src/steps/stitch.service.ts', 'storage.deletePrefix', [`${outputs}${CHUNKS_DIR}`]],
    [
      'transcoder/src/steps/progressive-mux.service.ts',
      'storage.get',
      [`${outputs}${TRACKS_DIR}a0/init.mp4`, `${renditionPrefix(outputs, '720p')}720p.mp4`],
    ],
  ],
};
/** Calls the scan cannot see: made inside platform helpers the component calls. */
const indirect: Record<Component, string[]> = {
  api: [],
  controller: ['controller/src/intake/queue-intake.ts queue.delete'],
  transcoder: [],
};

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: { StringLike?: { 's3:prefix'?: string[] } };
}

/** The JSON policy block under each "**API**" / "**Controller**" / "**Transcoder**" paragraph. */
async function documentedPolicies(): Promise<Record<Component, Statement[]>> {
  const doc = await readFile(path.join(repoRoot, 'docs/deploy.md'), 'utf8');
  const policy = (heading: string): Statement[] => {
    const at = doc.indexOf(`**${heading}**`);
    if (at < 0) throw new Error(`docs/deploy.md has no **${heading}** policy`);
    const block = /```json\n([\s\S]*?)\n```/.exec(doc.slice(at));
    if (!block?.[1]) throw new Error(`no JSON block after **${heading}**`);
    return (JSON.parse(block[1]) as { Statement: Statement[] }).Statement;
  };
  return { api: policy('API'), controller: policy('Controller'), transcoder: policy('Transcoder') };
}

const list = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);
const glob = (pattern: string, value: string): boolean =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.?+^$()[\]{}|\\/]/g, '\\$&'))
      .join('.*')}$`,
  ).test(value);

/** One permission a call needs: an action on a resource, with the listed prefix for ListBucket. */
interface Need {
  action: string;
  resource: string;
  prefix?: string;
  from: string;
}

function needsOf(component: Component): Need[] {
  return uses[component].flatMap(([file, call, keys]) => {
    const [port = '', method = ''] = call.split('.');
    const actions = (
      port === 'storage' ? storageActions : port === 'sts' ? stsActions : queueActions
    )[method];
    if (!actions) throw new Error(`no IAM mapping for ${call}`);
    return actions.flatMap((action) =>
      keys.map((key): Need => {
        const from = `${file} ${call} ${key}`;
        if (action.startsWith('sqs:') || action.startsWith('sts:'))
          return { action, resource: key, from };
        if (action === 's3:ListBucket')
          return { action, resource: 'arn:aws:s3:::BUCKET', prefix: key, from };
        return { action, resource: `arn:aws:s3:::BUCKET/${key}`, from };
      }),
    );
  });
}

function allows(statement: Statement, need: Need): boolean {
  if (statement.Effect !== 'Allow') return false;
  if (!list(statement.Action).includes(need.action)) return false;
  if (!list(statement.Resource).some((r) => glob(r, need.resource))) return false;
  const prefixes = statement.Condition?.StringLike?.['s3:prefix'];
  if (need.prefix !== undefined) return prefixes?.some((p) => glob(p, need.prefix ?? '')) ?? true;
  return true;
}

async function sourceFiles(component: Component): Promise<string[]> {
  const files: string[] = [];
  for (const dir of sources[component].dirs) {
    for (const entry of await readdir(path.join(repoRoot, dir), { recursive: true })) {
      const file = path.posix.join(dir, entry.split(path.sep).join('/'));
      if (file.endsWith('.ts') && !sources[component].exclude.test(file)) files.push(file);
    }
  }
  return files;
}

const components: Component[] = ['api', 'controller', 'transcoder'];

describe('the IAM policies in docs/deploy.md', () => {
  it.each(components)(
    '%s: the table names every storage and queue call in the source',
    async (c) => {
      const found = new Set<string>();
      for (const file of await sourceFiles(c)) {
        const text = await readFile(path.join(repoRoot, file), 'utf8');
        // A call may be split over lines (`storage\n  .abortMultipart(…)`).
        for (const [, port = '', method = ''] of text.matchAll(/\b(storage|queue)\s*\.\s*(\w+)\(/g))
          // Every storage call must be known here (a new port method fails this test until
          // its actions are); only `queue` may also be an in-memory work queue.
          if (port === 'storage' || method in queueActions) found.add(`${file} ${port}.${method}`);
        if (/\bcreateJobCredentialsIssuer\(/.test(text))
          found.add(`${file} sts.createJobCredentialsIssuer`);
      }
      const tabled = new Set(uses[c].map(([file, call]) => `${file} ${call}`));
      expect([...found].sort()).toEqual([...tabled].filter((u) => !indirect[c].includes(u)).sort());
    },
  );

  it.each(components)('%s: the documented policy allows every call', async (c) => {
    const statements = (await documentedPolicies())[c];
    const denied = needsOf(c).filter((need) => !statements.some((s) => allows(s, need)));
    expect(
      denied.map(
        (n) => `${n.action} ${n.resource}${n.prefix ? ` prefix ${n.prefix}` : ''} (${n.from})`,
      ),
    ).toEqual([]);
  });

  it.each(components)(
    '%s: the documented policy grants nothing no call needs, on no wider prefix',
    async (c) => {
      const statements = (await documentedPolicies())[c];
      const needs = needsOf(c);
      const unused: string[] = [];
      for (const statement of statements) {
        for (const action of list(statement.Action)) {
          for (const resource of list(statement.Resource)) {
            const single: Statement = { ...statement, Action: action, Resource: resource };
            const served = needs.filter((n) => allows(single, n));
            if (served.length === 0) {
              unused.push(`${statement.Sid ?? '?'}: ${action} on ${resource}`);
              continue;
            }
            // Too wide when a narrower documented prefix (videos/raw/, videos/output/, …) would do.
            const objectPrefix = /^arn:aws:s3:::BUCKET\/(.*)\*$/.exec(resource)?.[1];
            if (objectPrefix !== undefined)
              for (const narrower of ['videos/raw/', 'videos/output/', 'videos/captions/'])
                if (
                  narrower.startsWith(objectPrefix) &&
                  narrower !== objectPrefix &&
                  served.every((n) => n.resource.startsWith(`arn:aws:s3:::BUCKET/${narrower}`))
                )
                  unused.push(
                    `${statement.Sid ?? '?'}: ${action} on ${resource} could be ${narrower}*`,
                  );
          }
        }
      }
      expect(unused).toEqual([]);
    },
  );

  it('the per-Job session policy allows every transcoder call on its own job, and nothing of another job', () => {
    const policy = jobSessionPolicy({ bucket: 'BUCKET', sourceKey: source, outputPrefix: outputs });
    const statements = policy.Statement as Statement[];
    const needs = needsOf('transcoder');
    const denied = needs.filter((need) => !statements.some((s) => allows(s, need)));
    expect(denied.map((n) => `${n.action} ${n.resource} (${n.from})`)).toEqual([]);
    // Another upload, another job's outputs, a listing outside the job: none allowed.
    const otherSource = rawKey('8', '1c9a6d5f-9e3b-4d2f-8a7c-3b8e4d5f6a71', 'private.mp4');
    const other = outputPrefixFor('43');
    const foreign: Need[] = [
      {
        action: 's3:GetObject',
        resource: `arn:aws:s3:::BUCKET/${otherSource}`,
        from: 'other upload',
      },
      {
        action: 's3:GetObject',
        resource: `arn:aws:s3:::BUCKET/${other}720p/720p.mp4`,
        from: 'other job',
      },
      {
        action: 's3:PutObject',
        resource: `arn:aws:s3:::BUCKET/${other}720p/720p.mp4`,
        from: 'other job',
      },
      { action: 's3:PutObject', resource: `arn:aws:s3:::BUCKET/${source}`, from: 'own source' },
      {
        action: 's3:ListBucket',
        resource: 'arn:aws:s3:::BUCKET',
        prefix: 'videos/raw/',
        from: 'uploads',
      },
      {
        action: 's3:ListBucket',
        resource: 'arn:aws:s3:::BUCKET',
        prefix: other,
        from: 'other job',
      },
    ];
    expect(
      foreign.filter((need) => statements.some((s) => allows(s, need))).map((n) => n.from),
    ).toEqual([]);
  });

  it('every key literal in the code sits under videos/raw/, videos/output/ or videos/captions/ (or is the probe prefix)', async () => {
    const literals: string[] = [];
    for (const c of components)
      for (const file of await sourceFiles(c)) {
        const text = await readFile(path.join(repoRoot, file), 'utf8');
        for (const [, literal = ''] of text.matchAll(/['"`](videos\/[^'"`$]*)/g))
          literals.push(`${file}: ${literal}`);
        // The old readiness probe wrote outside videos/, where no role may go.
        expect(text, file).not.toMatch(/['"`]healthz\//);
      }
    const outside = literals.filter(
      (l) => !/: videos\/(raw|output|captions)\//.test(l) && !l.endsWith(`: ${storageProbePrefix}`),
    );
    expect(outside).toEqual([]);
    expect(literals.length).toBeGreaterThan(3);
  });
});
