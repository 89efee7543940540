import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/**
 * What the CLI remembers about an unfinished upload, in a small file beside the video
 * (`.NAME.videoforge-upload.json`): only which server upload it was. Which parts are
 * stored is always asked from the server (GET /api/uploads/:id), never trusted from here.
 */
export const UploadStateFile = z.object({
  version: z.literal(1),
  api: z.string(),
  uploadId: z.uuid(),
  /** The file as it was when the upload started; a changed file starts a new upload. */
  size: z.number().int().positive(),
  mtimeMs: z.number(),
});
export type UploadStateFile = z.infer<typeof UploadStateFile>;

export function stateFilePath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.videoforge-upload.json`);
}

export async function readState(file: string): Promise<UploadStateFile | undefined> {
  try {
    const parsed = UploadStateFile.safeParse(
      JSON.parse(await readFile(stateFilePath(file), 'utf8')),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** False when the directory is not writable: resuming then falls back to GET /api/uploads. */
export async function writeState(file: string, state: UploadStateFile): Promise<boolean> {
  try {
    await writeFile(stateFilePath(file), JSON.stringify(state));
    return true;
  } catch {
    return false;
  }
}

export async function removeState(file: string): Promise<void> {
  await rm(stateFilePath(file), { force: true });
}
