import type { ColourInfo, DolbyVisionInfo, DynamicRange, FieldOrder } from '@videoforge/contracts';

interface ColourFields {
  color_range?: string | undefined;
  color_space?: string | undefined;
  color_transfer?: string | undefined;
  color_primaries?: string | undefined;
  side_data_list?:
    | Array<{
        side_data_type?: string | undefined;
        dv_profile?: number | undefined;
        dv_bl_signal_compatibility_id?: number | undefined;
      }>
    | undefined;
}

/** The stream's stated colour properties; "unknown"/"unspecified" count as unstated. */
export function colourOf(stream: ColourFields): ColourInfo | undefined {
  const stated = (value: string | undefined) =>
    value && !/^(unknown|unspecified|reserved)$/.test(value) ? value : undefined;
  const colour: ColourInfo = {};
  const primaries = stated(stream.color_primaries);
  const transfer = stated(stream.color_transfer);
  const matrix = stated(stream.color_space);
  const range = stated(stream.color_range);
  if (primaries) colour.primaries = primaries;
  if (transfer) colour.transfer = transfer;
  if (matrix) colour.matrix = matrix;
  if (range) colour.range = range;
  return Object.keys(colour).length > 0 ? colour : undefined;
}

/** The Dolby Vision configuration record ffprobe shows as side data, when there is one. */
export function dolbyVisionOf(stream: ColourFields): DolbyVisionInfo | undefined {
  const record = stream.side_data_list?.find(
    (data) => /dovi|dolby vision/i.test(data.side_data_type ?? '') && data.dv_profile !== undefined,
  );
  if (record?.dv_profile === undefined) return undefined;
  return {
    profile: record.dv_profile,
    compatibilityId: record.dv_bl_signal_compatibility_id ?? 0,
  };
}

/**
 * HDR from the transfer function, the one property that decides how code values become
 * light. A Dolby Vision stream is read by its base layer: profile 8.1 is HDR10 (PQ), 8.4
 * is HLG, 8.2 is SDR; profile 5 (no compatible base layer) is PQ-coded IPT, treated as
 * PQ, the nearest a decoder without Dolby's reshaping gets.
 */
export function dynamicRangeOf(
  transfer: string | undefined,
  dolbyVision: DolbyVisionInfo | undefined,
): DynamicRange {
  if (transfer === 'smpte2084') return 'PQ';
  if (transfer === 'arib-std-b67') return 'HLG';
  if (dolbyVision) {
    switch (dolbyVision.compatibilityId) {
      case 4:
        return 'HLG';
      case 2:
        return 'SDR';
      default:
        return 'PQ';
    }
  }
  return 'SDR';
}

/** ffprobe's field_order, or undefined when the container does not say (then idet decides). */
export function fieldOrderOf(text: string | undefined): FieldOrder | undefined {
  switch (text) {
    case 'progressive':
    case 'tt':
    case 'bb':
    case 'tb':
    case 'bt':
      return text;
    case undefined:
      return undefined;
    default:
      return 'unknown';
  }
}
