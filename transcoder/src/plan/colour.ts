import type { DynamicRange, VideoStreamInfo } from '@videoforge/contracts';

/**
 * ffmpeg 5.1's software `tonemap` curves. BT.2390's EETF is not among them (only
 * libplacebo and tonemap_opencl have it); `mobius` is the closest: linear up to a knee,
 * then a smooth roll-off into the peak, like BT.2390. See docs/transcoder.md.
 */
export const TONE_MAP_CURVES = ['mobius', 'hable', 'reinhard', 'clip', 'linear', 'gamma'] as const;
export type ToneMapCurve = (typeof TONE_MAP_CURVES)[number];

export interface ColourSettings {
  toneMapCurve: ToneMapCurve;
  /** Nominal peak luminance (cd/m²) that becomes SDR white when linearising. */
  nominalPeakNits: number;
}

export const DEFAULT_COLOUR_SETTINGS: ColourSettings = {
  toneMapCurve: 'mobius',
  nominalPeakNits: 100,
};

/** How one source's picture becomes BT.709 SDR. */
export type ColourPlan =
  | { kind: 'sdr'; fromBt601: boolean }
  | {
      kind: 'tone-map';
      range: Exclude<DynamicRange, 'SDR'>;
      curve: ToneMapCurve;
      nominalPeakNits: number;
      /** The source's properties in zscale's names (stated, or BT.2020's when unstated). */
      input: { transfer: string; primaries: string; matrix: string; range: 'tv' | 'pc' };
    };

const ZSCALE_PRIMARIES = new Set([
  'bt709',
  'bt2020',
  'smpte432',
  'smpte431',
  'smpte170m',
  'bt470bg',
]);
const ZSCALE_MATRICES = new Set(['bt709', 'bt2020nc', 'bt2020c', 'smpte170m', 'bt470bg']);
const BT601_MATRICES = new Set(['smpte170m', 'bt470bg']);

export function planColour(video: VideoStreamInfo, settings: ColourSettings): ColourPlan {
  const range = video.dynamicRange ?? 'SDR';
  const colour = video.colour ?? {};
  if (range === 'SDR') {
    return { kind: 'sdr', fromBt601: BT601_MATRICES.has(colour.matrix ?? '') };
  }
  return {
    kind: 'tone-map',
    range,
    curve: settings.toneMapCurve,
    nominalPeakNits: settings.nominalPeakNits,
    input: {
      transfer: range === 'PQ' ? 'smpte2084' : 'arib-std-b67',
      primaries: ZSCALE_PRIMARIES.has(colour.primaries ?? '')
        ? (colour.primaries ?? 'bt2020')
        : 'bt2020',
      matrix: ZSCALE_MATRICES.has(colour.matrix ?? '') ? (colour.matrix ?? 'bt2020nc') : 'bt2020nc',
      range: colour.range === 'pc' ? 'pc' : 'tv',
    },
  };
}

/**
 * mobius is linear below this (in units of SDR white) and rolls off above. ffmpeg's
 * default 0.3 already bends mid-tones; 0.5 keeps faces and skies as graded (measured:
 * SSIM against the SDR original 0.900 at 0.3, 0.908 at 0.5; docs/transcoder.md).
 */
const MOBIUS_KNEE = 0.5;

/**
 * The HDR → SDR chain: linearise at the nominal peak (light in units of SDR white),
 * convert primaries BT.2020 → BT.709 in linear light, compress the highlights with the
 * curve, then BT.709 gamma and matrix, limited range. The input's properties are given
 * explicitly because a container may state them while the bitstream does not.
 * Empty for SDR sources.
 */
export function toneMapFilters(plan: ColourPlan): string[] {
  if (plan.kind === 'sdr') return [];
  const { input } = plan;
  return [
    `zscale=tin=${input.transfer}:pin=${input.primaries}:min=${input.matrix}:rin=${input.range}:t=linear:npl=${plan.nominalPeakNits}`,
    'format=gbrpf32le',
    'zscale=p=bt709',
    // desat=0: BT.709 gamut mapping already happened in linear light; the filter's
    // default desaturation of highlights greys out bright colours needlessly.
    `tonemap=tonemap=${plan.curve}${plan.curve === 'mobius' ? `:param=${MOBIUS_KNEE}` : ''}:desat=0`,
    'zscale=t=bt709:m=bt709:r=tv',
  ];
}

/**
 * The scaler's matrix options: an SD source in BT.601 is converted to BT.709 so the
 * tags we write are true; everything else is already BT.709 (or tone-mapped to it).
 */
export function scalerMatrixOptions(plan: ColourPlan): string {
  return plan.kind === 'sdr' && plan.fromBt601
    ? ':in_color_matrix=bt601:out_color_matrix=bt709'
    : '';
}

/** Every SDR output states BT.709, whatever the source said (or did not say). */
export const BT709_OUTPUT_OPTIONS: readonly string[] = [
  '-color_primaries',
  'bt709',
  '-color_trc',
  'bt709',
  '-colorspace',
  'bt709',
  '-color_range',
  'tv',
];
