import { PlayerMenu } from './player-menu.tsx';

export interface TrackOption {
  /** Stable within the menu: an hls.js track index, or -1 for "Off". */
  id: number;
  label: string;
  /** Small print beside the label, e.g. the language. */
  detail?: string | undefined;
}

export interface TrackMenuProps {
  /** What the menu picks: "Audio" or "Captions" (also the accessible name). */
  title: string;
  options: readonly TrackOption[];
  selected: number;
  onChoose: (id: number) => void;
  /** Prefix of the test ids: `{testId}-button`, `{testId}-option-{id}`. */
  testId: string;
}

/** The audio and captions menus beside the quality menu: one radio item per track. */
export function TrackMenu({ title, options, selected, onChoose, testId }: TrackMenuProps) {
  const current = options.find((option) => option.id === selected)?.label ?? options[0]?.label;
  return (
    <PlayerMenu
      title={title}
      buttonText={title}
      buttonLabel={`${title}: ${current ?? ''}`}
      buttonTestId={`${testId}-button`}
      buttonClassName="max-w-32 truncate rounded px-2 py-1 text-sm font-medium text-white hover:bg-white/20"
      menuClassName="absolute right-0 bottom-full z-20 mb-2 min-w-44 rounded-md bg-slate-900/95 py-1 shadow-lg ring-1 ring-white/10"
      items={options.map((option) => ({
        key: option.id,
        label: option.label,
        detail: option.detail,
        checked: option.id === selected,
        testId: `${testId}-option-${option.id}`,
      }))}
      onChoose={(index) => {
        const option = options[index];
        if (option) onChoose(option.id);
      }}
    />
  );
}

/** hls.js tracks as menu options; captions get "Off" first. */
export function trackOptions(
  tracks: readonly { name: string; lang?: string | undefined }[],
  withOff: boolean,
): TrackOption[] {
  return [
    ...(withOff ? [{ id: -1, label: 'Off' }] : []),
    ...tracks.map((track, index) => ({
      id: index,
      label: track.name || track.lang || `Track ${index + 1}`,
      detail: track.lang && track.lang !== track.name ? track.lang : undefined,
    })),
  ];
}
