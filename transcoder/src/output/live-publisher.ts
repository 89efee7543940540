import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StoragePort } from '@videoforge/platform/storage';
import { parseMediaPlaylist, type MediaPlaylist } from './hls-playlist.ts';
import { cacheControlFor, contentTypeFor } from './output-layout.ts';

/** One HLS output ffmpeg is writing: a local directory mirrored to a storage prefix. */
export interface LiveOutput {
  /** The directory ffmpeg writes the playlist, init segment and segments into. */
  dir: string;
  /** Where they go in storage, e.g. `videos/output/42/720p/`. */
  prefix: string;
  /** The media playlist's file name in both places. */
  playlist: string;
  /** Called once, after the init segment, the first segments and the playlist are up. */
  onFirstSegments?: ((init: Buffer) => Promise<void>) | undefined;
}

export interface LivePublishing {
  /** Stops watching after the pass under way; resolves once it has settled. */
  stop(): Promise<void>;
  /** File names (relative to the output's dir) already uploaded for an output. */
  published(output: LiveOutput): ReadonlySet<string>;
}

/**
 * The fallback when no change was reported: a pass runs the moment ffmpeg renames a
 * playlist into place (fs.watch), so this only covers a watch that misses an event or
 * cannot be set up.
 */
const FALLBACK_POLL_MS = 1000;

/**
 * Mirrors what ffmpeg has closed to storage while it still runs. ffmpeg writes with
 * `hls_flags=temp_file`, so a segment is renamed into place only when complete and the
 * EVENT playlist lists only such segments; each pass uploads the init segment (once),
 * every newly listed segment in order, then a playlist naming only uploaded segments.
 * A pass starts as soon as a watched directory changes (a segment closing is a player
 * waiting), at most one at a time; changes during a pass cause one more pass after it.
 * An upload error stops the mirroring, not the encode: the final upload sends the rest.
 */
export function publishWhileEncoding(
  storage: StoragePort,
  outputs: readonly LiveOutput[],
  signal?: AbortSignal,
): LivePublishing {
  const state = new Map(
    outputs.map((output) => [
      output,
      { files: new Set<string>(), announced: false, init: undefined as Buffer | undefined },
    ]),
  );
  let stopped = false;
  let failed = false;
  const pass = async () => {
    for (const output of outputs) await mirror(output);
  };
  const mirror = async (output: LiveOutput) => {
    const seen = state.get(output);
    if (!seen) return;
    const text = await readFile(path.join(output.dir, output.playlist), 'utf8').catch(
      () => undefined,
    );
    if (text === undefined) return;
    let playlist: MediaPlaylist;
    try {
      playlist = parseMediaPlaylist(text);
    } catch {
      return;
    }
    if (playlist.segments.length === 0 || !playlist.initUri) return;
    const put = async (
      name: string,
      body: Buffer | string,
      cacheControl = cacheControlFor(name),
    ) => {
      signal?.throwIfAborted();
      await storage.put(`${output.prefix}${name}`, body, {
        contentType: contentTypeFor(name),
        cacheControl,
      });
    };
    // The init segment is read once: uploaded with the first segments, then announced.
    seen.init ??= await readFile(path.join(output.dir, playlist.initUri));
    const { init } = seen;
    if (!seen.files.has(playlist.initUri)) {
      await put(playlist.initUri, init);
      seen.files.add(playlist.initUri);
    }
    let added = false;
    for (const segment of playlist.segments) {
      if (seen.files.has(segment.uri)) continue;
      await put(segment.uri, await readFile(path.join(output.dir, segment.uri)));
      seen.files.add(segment.uri);
      added = true;
    }
    if (!added) return;
    // Re-read by players every target duration: never cached.
    await put(output.playlist, renderEventPlaylist(playlist), 'no-cache');
    if (!seen.announced) {
      seen.announced = true;
      await output.onFirstSegments?.(init);
    }
  };
  // A change seen while a pass runs is picked up by the next one; wake() ends the wait.
  let changed = true;
  let wake: (() => void) | undefined;
  const onChange = () => {
    changed = true;
    wake?.();
  };
  // Only the playlist's rename into place matters: ffmpeg writes the MP4 and the segment
  // being encoded in the same directory all the time.
  const watchers: FSWatcher[] = [];
  for (const output of outputs) {
    try {
      const watcher = watch(output.dir, { persistent: false }, (_event, name) => {
        if (name === null || name === output.playlist) onChange();
      });
      watchers.push(watcher.on('error', () => undefined));
    } catch {
      // No watch (the directory is gone, or no inotify): the fallback poll still runs.
    }
  }
  const loop = (async () => {
    while (!stopped && !failed) {
      if (changed) {
        changed = false;
        try {
          await pass();
        } catch {
          failed = true;
          break;
        }
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, FALLBACK_POLL_MS);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          changed = true;
          resolve();
        }
        wake = done;
      });
    }
    for (const watcher of watchers) watcher.close();
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
    published: (output) => state.get(output)?.files ?? new Set(),
  };
}

/**
 * An HLS EVENT playlist over the segments listed so far: no EXT-X-ENDLIST, so players
 * keep reloading it. TARGETDURATION is the largest listed segment's, rounded up.
 */
export function renderEventPlaylist(playlist: MediaPlaylist): string {
  const target = Math.max(
    playlist.targetDuration,
    ...playlist.segments.map((segment) => Math.ceil(segment.durationSeconds)),
  );
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${target}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:EVENT',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    `#EXT-X-MAP:URI="${playlist.initUri ?? ''}"`,
    ...playlist.segments.flatMap((segment) => [
      `#EXTINF:${segment.durationSeconds.toFixed(6)},`,
      segment.uri,
    ]),
    '',
  ].join('\n');
}

/**
 * ffmpeg ends an EVENT playlist with EXT-X-ENDLIST but keeps PLAYLIST-TYPE:EVENT; the
 * finished rendition's playlist says VOD, so players and caches treat it as final.
 */
export function asVodPlaylist(text: string): string {
  return text.replace(/^#EXT-X-PLAYLIST-TYPE:EVENT$/m, '#EXT-X-PLAYLIST-TYPE:VOD');
}
