import { z } from 'zod';

/**
 * A codec family: every rendition of the ladder encoded once more in it, from the same decode.
 * H.264 is the compatible base every player decodes; HEVC and AV1 are made on request
 * and need fewer bits for the same picture.
 */
export const CodecFamily = z.enum(['h264', 'hevc', 'av1']);
export type CodecFamily = z.infer<typeof CodecFamily>;

/** The families a job asks for: H.264 (the base the others are twins of), each once. */
export const CodecFamilies = z
  .array(CodecFamily)
  .min(1)
  .max(CodecFamily.options.length)
  .refine((families) => new Set(families).size === families.length, 'lists a codec twice')
  .refine(
    (families) => families.includes('h264'),
    'must include h264: the compatible base every player decodes',
  );
export type CodecFamilies = z.infer<typeof CodecFamilies>;

/** What a job gets when it asks for nothing: H.264 only, as before families existed. */
export const DEFAULT_CODEC_FAMILIES: readonly CodecFamily[] = ['h264'];

/**
 * The one spelling of a family list in configuration and on the command line:
 * comma-separated, e.g. `h264,av1`.
 */
export const CodecFamiliesSetting = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((family) => family.trim())
      .filter(Boolean),
  )
  .pipe(CodecFamilies);

/** The suffix a family's variants carry beside the H.264 rendition's name ("720p-av1"). */
export const FAMILY_SUFFIX = { h264: '', hevc: '-hevc', av1: '-av1' } as const satisfies Record<
  CodecFamily,
  string
>;

/**
 * A family's bit rate against H.264's for the same rendition: the fewer bits HEVC and AV1
 * need for a picture of the same quality (the usual ~30 % and ~40 % savings).
 */
export const FAMILY_BITRATE_FACTOR = { h264: 1, hevc: 0.7, av1: 0.6 } as const satisfies Record<
  CodecFamily,
  number
>;

/** The variant name of `rendition` in `family`: "720p", "720p-hevc", "720p-av1". */
export function familyVariantName(rendition: string, family: CodecFamily): string {
  return `${rendition}${FAMILY_SUFFIX[family]}`;
}

/** Which family a variant name belongs to; HDR twins ("720p-hdr") are HEVC. */
export function familyOfVariant(name: string): CodecFamily {
  if (name.endsWith(FAMILY_SUFFIX.av1)) return 'av1';
  if (name.endsWith(FAMILY_SUFFIX.hevc) || name.endsWith('-hdr')) return 'hevc';
  return 'h264';
}

/**
 * CPU to make a rendition in each family, relative to H.264: the whole transcoder run for the
 * 720p rendition alone (decode included) in x264 and x265 at the same preset and SVT-AV1 at
 * the default TRANSCODE_AV1_PRESET, measured side by side by `bench/transcode --mode
 * codecs` (docs/transcoder.md, "Codec families").
 */
export const FAMILY_ENCODE_COST = { h264: 1, hevc: 2.3, av1: 1.9 } as const satisfies Record<
  CodecFamily,
  number
>;

/**
 * How much more CPU a workload making `families` needs than one making H.264 only: the
 * sum of their costs. Each cost counts a decode, and a workload decodes once for all its
 * families, so the sum errs on the generous side (h264+av1 measured 2.4×, asked 2.9×).
 */
export function encodeCostFactor(families: readonly CodecFamily[]): number {
  return families.reduce((sum, family) => sum + FAMILY_ENCODE_COST[family], 0);
}
