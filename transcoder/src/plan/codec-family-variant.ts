import { FAMILY_BITRATE_FACTOR, familyVariantName, type CodecFamily } from '@videoforge/contracts';
import type { PlannedRendition } from './ladder.ts';

/** A family other than the H.264 base: the renditions made beside it on request. */
export type ExtraFamily = Exclude<CodecFamily, 'h264'>;

/** The families beyond H.264 a job asks for, in the order it asked. */
export function extraFamilies(codecs: readonly CodecFamily[]): ExtraFamily[] {
  return codecs.filter((family): family is ExtraFamily => family !== 'h264');
}

/**
 * An SDR rendition's twin in another codec family: same size and GOP, named "<rendition>-<family>",
 * at the family's share of the rendition's bit rate (cap and VBV buffer scaled alike).
 */
export function familyTwin(rendition: PlannedRendition, family: ExtraFamily): PlannedRendition {
  const { requestedName: _requested, ...rest } = rendition;
  const scaled = (kbps: number) => Math.max(1, Math.round(kbps * FAMILY_BITRATE_FACTOR[family]));
  return {
    ...rest,
    name: familyVariantName(rendition.name, family),
    videoBitrateKbps: scaled(rendition.videoBitrateKbps),
    maxrateKbps: scaled(rendition.maxrateKbps),
    bufsizeKbps: scaled(rendition.bufsizeKbps),
    family,
  };
}
