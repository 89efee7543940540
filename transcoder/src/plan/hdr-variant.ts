import type { X264Preset } from '../ffmpeg/video-encoders.ts';
import type { PlannedRendition } from './ladder.ts';

/** The HDR twin of an SDR rendition: same size and bit rate, named "<rendition>-hdr". */
export function hdrTwin(rendition: PlannedRendition, range: 'PQ' | 'HLG'): PlannedRendition {
  const { requestedName: _requested, ...rest } = rendition;
  return { ...rest, name: `${rendition.name}-hdr`, hdr: range };
}

const TRANSFER = { PQ: 'smpte2084', HLG: 'arib-std-b67' } as const;

/**
 * HEVC Main10 for HDR screens: x265 (same preset names as x264), `hvc1` sample entry
 * (what Apple's players require in fMP4), a closed fixed GOP like the SDR renditions (so
 * segments line up and every segment starts with an IDR), capped ABR, and the source's
 * BT.2020 + PQ/HLG signalling in the VUI.
 */
export function hdrEncodeOptions(
  rendition: PlannedRendition,
  range: 'PQ' | 'HLG',
  gopFrames: number,
  preset: X264Preset,
): string[] {
  const transfer = TRANSFER[range];
  const params = [
    'log-level=error',
    `keyint=${gopFrames}`,
    `min-keyint=${gopFrames}`,
    'scenecut=0',
    'open-gop=0',
    'repeat-headers=1',
    'colorprim=bt2020',
    `transfer=${transfer}`,
    'colormatrix=bt2020nc',
    ...(range === 'PQ' ? ['hdr10=1', 'hdr10-opt=1'] : []),
  ];
  return [
    '-c:v',
    'libx265',
    '-preset',
    preset,
    '-profile:v',
    'main10',
    '-tag:v',
    'hvc1',
    '-b:v',
    `${rendition.videoBitrateKbps}k`,
    '-maxrate',
    `${rendition.maxrateKbps}k`,
    '-bufsize',
    `${rendition.bufsizeKbps}k`,
    '-x265-params',
    params.join(':'),
    '-color_primaries',
    'bt2020',
    '-color_trc',
    transfer,
    '-colorspace',
    'bt2020nc',
    '-color_range',
    'tv',
  ];
}
