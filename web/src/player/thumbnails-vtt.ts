/** One seek preview: a rectangle of the sprite image covering [start, end). */
export interface ThumbnailCue {
  start: number;
  end: number;
  url: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

function seconds(timestamp: string): number | undefined {
  const match = /^(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})$/.exec(timestamp.trim());
  if (!match) return undefined;
  const [, h = '0', m = '0', s = '0', ms = '0'] = match;
  return Number(h) * 3600 + Number(m) * 60 + Number(s) + Number(ms) / 1000;
}

/**
 * Parses a WebVTT thumbnails track (`sprite.jpg#xywh=x,y,w,h` cues). Relative image
 * URLs resolve against the track's URL; malformed cues are skipped.
 */
export function parseThumbnailsVtt(text: string, baseUrl: string): ThumbnailCue[] {
  if (!text.trimStart().startsWith('WEBVTT')) return [];
  const cues: ThumbnailCue[] = [];
  for (const block of text.replace(/\r\n?/g, '\n').split(/\n{2,}/)) {
    const lines = block.split('\n').filter((line) => line.trim() !== '');
    const timing = lines.findIndex((line) => line.includes('-->'));
    if (timing < 0) continue;
    const [from = '', to = ''] = (lines[timing] ?? '').split('-->');
    const start = seconds(from);
    const end = seconds(to.trim().split(/\s+/)[0] ?? '');
    const payload = lines[timing + 1]?.trim();
    if (start === undefined || end === undefined || !payload) continue;
    const hash = payload.lastIndexOf('#xywh=');
    if (hash < 0) continue;
    const box = payload
      .slice(hash + 6)
      .split(',')
      .map(Number);
    if (box.length !== 4 || box.some((n) => !Number.isFinite(n) || n < 0)) continue;
    let url: string;
    try {
      url = new URL(payload.slice(0, hash), baseUrl).toString();
    } catch {
      continue;
    }
    const [x = 0, y = 0, width = 0, height = 0] = box;
    cues.push({ start, end, url, x, y, width, height });
  }
  return cues;
}

/** The cue covering `time` (the last one for times past the end). */
export function cueAt(cues: readonly ThumbnailCue[], time: number): ThumbnailCue | undefined {
  let low = 0;
  let high = cues.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const cue = cues[mid];
    if (!cue) break;
    if (time < cue.start) high = mid - 1;
    else if (time >= cue.end) low = mid + 1;
    else return cue;
  }
  const last = cues.at(-1);
  return last && time >= last.end ? last : undefined;
}
