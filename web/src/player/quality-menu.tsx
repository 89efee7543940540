import { PlayerMenu } from './player-menu.tsx';
import {
  qualityButtonLabel,
  qualityOptions,
  type QualityChoice,
  type QualityLevel,
} from './quality-levels.ts';

export interface QualityMenuProps {
  levels: readonly QualityLevel[];
  choice: QualityChoice;
  /** The level playing now (what Auto picked). */
  playingIndex: number | undefined;
  onChoose: (choice: QualityChoice) => void;
}

/** The player's quality menu: one radio item per resolution plus Auto. */
export function QualityMenu({ levels, choice, playingIndex, onChoose }: QualityMenuProps) {
  if (levels.length === 0) return null;
  const options = qualityOptions(levels, choice, playingIndex);
  const label = qualityButtonLabel(levels, choice, playingIndex);
  return (
    <PlayerMenu
      title="Quality"
      buttonText={label}
      buttonLabel={`Quality: ${label}`}
      buttonTestId="quality-button"
      buttonClassName="rounded px-2 py-1 text-sm font-medium text-white hover:bg-white/20"
      menuClassName="absolute right-0 bottom-full z-20 mb-2 min-w-40 rounded-md bg-slate-900/95 py-1 shadow-lg ring-1 ring-white/10"
      items={options.map((option) => ({
        key: option.id,
        label: option.label,
        detail: option.detail,
        checked: option.checked,
        testId: `quality-option-${option.id}`,
      }))}
      onChoose={(index) => {
        const option = options[index];
        if (option) onChoose(option.choice);
      }}
    />
  );
}
