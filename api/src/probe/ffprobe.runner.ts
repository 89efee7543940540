import { execFile } from 'node:child_process';
import { interpretFfprobe, type ProbeOutcome } from './probe.parser.ts';

/**
 * Demuxers an upload may use (the transcoder's list). Everything that opens further
 * URLs by itself (hls, dash, concat, image sequences …) is absent: a playlist renamed
 * .mp4 must not make the API fetch internal addresses on its behalf.
 */
export const ALLOWED_DEMUXERS = [
  'mov',
  'mp4',
  'm4a',
  '3gp',
  '3g2',
  'mj2',
  'matroska',
  'webm',
  'avi',
  'flv',
  'mpegts',
  'mpeg',
  'asf',
  'ogg',
  'mxf',
] as const;

export interface ProbeSettings {
  ffprobePath: string;
  timeoutMs: number;
}

/** Probes a (presigned) URL: ffprobe reads the header with ranged requests, never the whole file. */
export type Prober = (url: string) => Promise<ProbeOutcome>;

/**
 * Runs ffprobe with an argument array (never a shell). Only the protocols a presigned
 * URL needs are allowed, so a crafted playlist or concat file cannot make ffprobe open
 * local files or other schemes.
 */
export function createFfprobeProber(settings: ProbeSettings): Prober {
  return (url) =>
    new Promise((resolve, reject) => {
      const https = url.startsWith('https:');
      const args = [
        ...['-v', 'error', '-hide_banner'],
        ...['-protocol_whitelist', https ? 'https,tls,tcp' : 'http,tcp'],
        ...['-format_whitelist', ALLOWED_DEMUXERS.join(',')],
        ...(https ? ['-tls_verify', '1'] : []),
        ...['-rw_timeout', String(Math.min(settings.timeoutMs, 30_000) * 1000)],
        ...['-of', 'json', '-show_format', '-show_streams', url],
      ];
      execFile(
        settings.ffprobePath,
        args,
        {
          timeout: settings.timeoutMs,
          killSignal: 'SIGKILL',
          maxBuffer: 16 * 1024 * 1024,
          windowsHide: true,
        },
        (error, stdout) => {
          if (error && typeof error.code !== 'number' && !error.killed)
            return reject(new Error(`ffprobe could not run: ${error.message}`));
          if (error?.killed)
            return resolve({
              ok: false,
              code: 'unreadable',
              message: 'probing the file timed out',
            });
          if (error)
            return resolve({
              ok: false,
              code: 'unreadable',
              message: 'not a recognised media file',
            });
          try {
            resolve(interpretFfprobe(JSON.parse(stdout)));
          } catch {
            resolve({ ok: false, code: 'unreadable', message: 'not a recognised media file' });
          }
        },
      );
    });
}
