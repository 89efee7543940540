/**
 * The player's quality menu as plain data: which choices to offer for the stream's
 * levels, what each is called, and which is checked. The component (quality-menu.tsx)
 * only renders this, and the player maps a choice to hls.js (`currentLevel`, -1 = auto).
 */

/** One variant of the stream, as hls.js (or the MP4 fallback list) describes it. */
export interface QualityLevel {
  /** Index in the player's level list (hls.levels) — what a manual choice selects. */
  index: number;
  width: number;
  height: number;
  /** Peak bit rate in bit/s. */
  bitrate: number;
  /** Its video codec's sample entry ("avc1", "hvc1", "av01"), when the player says. */
  family?: string | undefined;
}

export type QualityChoice = { kind: 'auto' } | { kind: 'level'; index: number };

export interface QualityOption {
  /** Stable id for keys and test ids: "auto" or "720p". */
  id: string;
  label: string;
  detail: string | undefined;
  choice: QualityChoice;
  checked: boolean;
}

/** "720p" for 1280×720 and 720×1280 alike: the short side, as rendition names are. */
export function levelName(level: Pick<QualityLevel, 'width' | 'height'>): string {
  const short = level.width > 0 ? Math.min(level.width, level.height) : level.height;
  return `${short}p`;
}

function bitrateLabel(bitrate: number): string | undefined {
  if (!bitrate) return undefined;
  return bitrate >= 1_000_000
    ? `${(bitrate / 1_000_000).toFixed(1)} Mbit/s`
    : `${Math.round(bitrate / 1000)} kbit/s`;
}

/**
 * Auto first, then one entry per resolution from highest to lowest (when two levels
 * share a resolution, the higher bit rate wins). Auto's label names the level ABR is
 * playing now, so "Auto (480p)". A master with several codec families (720p in H.264
 * and in AV1) offers the family playing now: the player chose it as the best it decodes,
 * and a manual choice should change the size, not the codec.
 */
export function qualityOptions(
  levels: readonly QualityLevel[],
  choice: QualityChoice,
  playingIndex: number | undefined,
): QualityOption[] {
  const playingFamily = levels.find((level) => level.index === playingIndex)?.family;
  const offered = playingFamily ? levels.filter((level) => level.family === playingFamily) : levels;
  const best = new Map<string, QualityLevel>();
  for (const level of offered) {
    const name = levelName(level);
    const current = best.get(name);
    if (!current || level.bitrate > current.bitrate) best.set(name, level);
  }
  const sorted = [...best.values()].sort(
    (a, b) => Math.min(b.width, b.height) - Math.min(a.width, a.height) || b.bitrate - a.bitrate,
  );
  const playing = levels.find((level) => level.index === playingIndex);
  const auto: QualityOption = {
    id: 'auto',
    label: choice.kind === 'auto' && playing ? `Auto (${levelName(playing)})` : 'Auto',
    detail: undefined,
    choice: { kind: 'auto' },
    checked: choice.kind === 'auto',
  };
  return [
    auto,
    ...sorted.map((level) => {
      const name = levelName(level);
      return {
        id: name,
        label: name,
        detail: bitrateLabel(level.bitrate),
        choice: { kind: 'level', index: level.index } as const,
        checked:
          choice.kind === 'level' &&
          levels.some((l) => l.index === choice.index && levelName(l) === name),
      };
    }),
  ];
}

/** What hls.js calls the choice: -1 hands control back to ABR. */
export function hlsLevelOf(choice: QualityChoice): number {
  return choice.kind === 'auto' ? -1 : choice.index;
}

/** The button's caption: the choice, or Auto with what it is playing. */
export function qualityButtonLabel(
  levels: readonly QualityLevel[],
  choice: QualityChoice,
  playingIndex: number | undefined,
): string {
  return (
    qualityOptions(levels, choice, playingIndex).find((option) => option.checked)?.label ?? 'Auto'
  );
}
