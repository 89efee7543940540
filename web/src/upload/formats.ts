import { DEFAULT_LADDER, Format, isBelowLadder, ownSizeRenditionName } from '@videoforge/contracts';
import type { ClientProbe } from './upload-io.ts';

export interface FormatOption {
  format: Format;
  /** What the picker shows: the rendition that will be made (a small source's own size). */
  label: string;
  /** The rendition's short side in pixels. */
  height: number;
  /** Above the source: the transcoder never upscales, so it cannot be chosen. */
  disabled: boolean;
}

/**
 * The ladder's renditions, highest first. Once probed, renditions above the source's short side
 * are disabled; the lowest rendition always stays (as the API's default ladder does for
 * sources smaller than it).
 */
export function formatOptions(probe: ClientProbe | undefined): FormatOption[] {
  const shortSide = probe ? Math.min(probe.width, probe.height) : undefined;
  const lowest = Format.options.at(-1);
  return Format.options.map((format) => {
    const height = DEFAULT_LADDER.find((rendition) => rendition.name === format)?.height ?? 0;
    const above = shortSide !== undefined && height > shortSide;
    // A source below the lowest rendition gets one rendition at its own size, under its own
    // name (the API maps the pick to it, as the transcoder names it).
    const label =
      probe && format === lowest && isBelowLadder(probe.width, probe.height)
        ? `${ownSizeRenditionName(probe.width, probe.height)} (source size)`
        : format;
    return { format, label, height, disabled: above && format !== lowest };
  });
}

/** The default choice: every rendition the source can fill (at least the lowest one). */
export function defaultFormats(probe: ClientProbe | undefined): Format[] {
  const enabled = formatOptions(probe)
    .filter((option) => !option.disabled)
    .map((option) => option.format);
  return enabled;
}

/** Keeps only renditions still allowed after (re)probing. */
export function allowedFormats(
  selected: readonly Format[],
  probe: ClientProbe | undefined,
): Format[] {
  const options = formatOptions(probe);
  return selected.filter((format) => options.some((o) => o.format === format && !o.disabled));
}
