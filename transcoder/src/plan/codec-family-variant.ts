import { FAMILY_BITRATE_FACTOR, familyVariantName, type CodecFamily } from '@videoforge/contracts';
import type { PlannedRendition } from './ladder.ts';

/** A family other than the H.264 base: the rungs made beside it on request. */
export type ExtraFamily = Exclude<CodecFamily, 'h264'>;

/** The families beyond H.264 a job asks for, in the order it asked. */
export function extraFamilies(codecs: readonly CodecFamily[]): ExtraFamily[] {
  return codecs.filter((family): family is ExtraFamily => family !== 'h264');
}

/**
 * An SDR rung's twin in another codec family: same size and GOP, named "<rung>-<family>",
 * at the family's share of the rung's bit rate (cap and VBV buffer scaled alike).
 */
export function familyTwin(rung: PlannedRendition, family: ExtraFamily): PlannedRendition {
  const { requestedName: _requested, ...rest } = rung;
  const scaled = (kbps: number) => Math.max(1, Math.round(kbps * FAMILY_BITRATE_FACTOR[family]));
  return {
    ...rest,
    name: familyVariantName(rung.name, family),
    videoBitrateKbps: scaled(rung.videoBitrateKbps),
    maxrateKbps: scaled(rung.maxrateKbps),
    bufsizeKbps: scaled(rung.bufsizeKbps),
    family,
  };
}
