export interface MediaSegment {
  uri: string;
  durationSeconds: number;
}

export interface MediaPlaylist {
  targetDuration: number;
  initUri: string | undefined;
  segments: MediaSegment[];
  ended: boolean;
}

/**
 * Reads the media playlists ffmpeg's HLS muxer writes (one #EXTINF per segment, an
 * #EXT-X-MAP init segment): enough to size segments, not a general HLS parser.
 */
export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('not an HLS playlist');
  let targetDuration = 0;
  let initUri: string | undefined;
  let pending: number | undefined;
  let ended = false;
  const segments: MediaSegment[] = [];
  for (const line of lines.slice(1)) {
    if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDuration = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-MAP:')) initUri = /URI="([^"]+)"/.exec(line)?.[1];
    else if (line.startsWith('#EXTINF:')) pending = Number.parseFloat(line.slice(8));
    else if (line === '#EXT-X-ENDLIST') ended = true;
    else if (line && !line.startsWith('#') && pending !== undefined) {
      segments.push({ uri: line, durationSeconds: pending });
      pending = undefined;
    }
  }
  return { targetDuration, initUri, segments, ended };
}

export interface SizedSegment {
  durationSeconds: number;
  bytes: number;
}

/**
 * HLS BANDWIDTH is the peak segment bit rate and AVERAGE-BANDWIDTH the mean. A short
 * final segment (a keyframe and little else) is left out of the peak unless it is the
 * only one: it would overstate the peak and push players off the rendition.
 */
export function segmentBandwidth(
  segments: readonly SizedSegment[],
  targetDuration: number,
): { peak: number; average: number } {
  if (segments.length === 0) throw new Error('a rendition without segments has no bandwidth');
  const totalBytes = segments.reduce((sum, s) => sum + s.bytes, 0);
  const totalSeconds = segments.reduce((sum, s) => sum + s.durationSeconds, 0);
  const last = segments.at(-1);
  const considered =
    segments.length > 1 && last && last.durationSeconds < targetDuration / 2
      ? segments.slice(0, -1)
      : segments;
  const peak = Math.max(
    ...considered.map((s) => (s.bytes * 8) / Math.max(s.durationSeconds, 0.001)),
  );
  const average = (totalBytes * 8) / Math.max(totalSeconds, 0.001);
  // The short segment still counts toward the mean; a peak below the mean means nothing.
  return { peak: Math.ceil(Math.max(peak, average)), average: Math.ceil(average) };
}

// The master playlist is shared with the API, which serves one over finished renditions.
export { renderMasterPlaylist } from '@videoforge/contracts';

/**
 * RFC 6381 codec string for H.264 from the avcC box of an init segment: profile,
 * constraint flags and level exactly as encoded (x264 lowers the profile when a preset
 * uses no High features, so the requested profile is not the answer).
 */
export function avcCodecString(initSegment: Uint8Array): string | undefined {
  const tag = Buffer.from('avcC', 'latin1');
  const at = Buffer.from(
    initSegment.buffer,
    initSegment.byteOffset,
    initSegment.byteLength,
  ).indexOf(tag);
  if (at < 0 || at + 8 > initSegment.length || initSegment[at + 4] !== 1) return undefined;
  const hex = (value: number | undefined) => (value ?? 0).toString(16).padStart(2, '0');
  return `avc1.${hex(initSegment[at + 5])}${hex(initSegment[at + 6])}${hex(initSegment[at + 7])}`;
}

/** AAC-LC, which is what the native aac encoder writes. */
export const AAC_LC_CODEC = 'mp4a.40.2';

/**
 * RFC 6381 / ISO 14496-15 codec string for HEVC from the hvcC box of an init segment,
 * e.g. "hvc1.2.4.L93.B0" (Main 10, tier L, level 3.1): profile space and profile,
 * the compatibility flags bit-reversed in hex, tier and level, then the constraint
 * bytes with trailing zero bytes dropped — what HLS CODECS needs for HDR variants.
 */
export function hevcCodecString(initSegment: Uint8Array): string | undefined {
  const bytes = Buffer.from(initSegment.buffer, initSegment.byteOffset, initSegment.byteLength);
  const at = bytes.indexOf(Buffer.from('hvcC', 'latin1'));
  if (at < 0 || at + 17 > bytes.length || bytes[at + 4] !== 1) return undefined;
  const first = bytes[at + 5] ?? 0;
  const space = ['', 'A', 'B', 'C'][first >> 6] ?? '';
  const tier = (first >> 5) & 1 ? 'H' : 'L';
  const profile = first & 0x1f;
  const compatibility = bytes.readUInt32BE(at + 6);
  let reversed = 0;
  for (let bit = 0; bit < 32; bit++) reversed |= ((compatibility >>> bit) & 1) << (31 - bit);
  const constraints = [...bytes.subarray(at + 10, at + 16)];
  while (constraints.length > 0 && constraints.at(-1) === 0) constraints.pop();
  const level = bytes[at + 16] ?? 0;
  return [
    'hvc1',
    `${space}${profile}`,
    (reversed >>> 0).toString(16),
    `${tier}${level}`,
    ...constraints.map((value) => value.toString(16).toUpperCase()),
  ].join('.');
}

/**
 * The AV1 codec string (AV1 ISOBMFF binding, "Codecs Parameter String") from the av1C
 * box of an init segment, e.g. "av01.0.04M.08": profile, level index (two digits) and
 * tier, bit depth. The optional colour fields are left out: they default to BT.709-like
 * values players do not choose by, and the short form is what HLS authoring tools write.
 */
export function av1CodecString(initSegment: Uint8Array): string | undefined {
  const bytes = Buffer.from(initSegment.buffer, initSegment.byteOffset, initSegment.byteLength);
  const at = bytes.indexOf(Buffer.from('av1C', 'latin1'));
  // marker (1) and version (1) in the first byte: 0x81.
  if (at < 0 || at + 7 > bytes.length || bytes[at + 4] !== 0x81) return undefined;
  const first = bytes[at + 5] ?? 0;
  const second = bytes[at + 6] ?? 0;
  const profile = first >> 5;
  const level = first & 0x1f;
  const tier = second & 0x80 ? 'H' : 'M';
  const highBitDepth = (second & 0x40) !== 0;
  const twelveBit = (second & 0x20) !== 0;
  const bitDepth = profile === 2 && highBitDepth ? (twelveBit ? 12 : 10) : highBitDepth ? 10 : 8;
  const two = (value: number) => String(value).padStart(2, '0');
  return `av01.${profile}.${two(level)}${tier}.${two(bitDepth)}`;
}
