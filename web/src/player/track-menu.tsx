import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';

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

/**
 * A menu button with one radio item per track (the audio and captions menus beside the
 * quality menu). Arrow keys, Home and End move between items; Escape closes and returns
 * focus to the button.
 */
export function TrackMenu({ title, options, selected, onChoose, testId }: TrackMenuProps) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const itemsRef = useRef<(HTMLButtonElement | null)[]>([]);
  const checkedIndex = Math.max(
    options.findIndex((option) => option.id === selected),
    0,
  );

  useEffect(() => {
    if (open) itemsRef.current[checkedIndex]?.focus();
  }, [open, checkedIndex]);

  if (options.length === 0) return null;
  const current = options.find((option) => option.id === selected)?.label ?? options[0]?.label;

  const close = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };
  const onMenuKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const items = itemsRef.current.filter((item): item is HTMLButtonElement => item !== null);
    const at = items.findIndex((item) => item === document.activeElement);
    const focus = (index: number) => items[(index + items.length) % items.length]?.focus();
    switch (event.key) {
      case 'ArrowDown':
        focus(at + 1);
        break;
      case 'ArrowUp':
        focus(at - 1);
        break;
      case 'Home':
        focus(0);
        break;
      case 'End':
        focus(items.length - 1);
        break;
      case 'Escape':
      case 'Tab':
        close();
        break;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
  };

  return (
    <div className="relative">
      <button
        ref={buttonRef}
        type="button"
        className="max-w-32 truncate rounded px-2 py-1 text-sm font-medium text-white hover:bg-white/20"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={`${title}: ${current ?? ''}`}
        data-testid={`${testId}-button`}
        onClick={() => setOpen((value) => !value)}
      >
        {title}
      </button>
      {open && (
        <div
          id={menuId}
          role="menu"
          aria-label={title}
          className="absolute right-0 bottom-full z-20 mb-2 min-w-44 rounded-md bg-slate-900/95 py-1 shadow-lg ring-1 ring-white/10"
          onKeyDown={onMenuKeyDown}
        >
          {options.map((option, index) => (
            <button
              key={option.id}
              ref={(element) => {
                itemsRef.current[index] = element;
              }}
              type="button"
              role="menuitemradio"
              aria-checked={option.id === selected}
              data-testid={`${testId}-option-${option.id}`}
              className="flex w-full items-center justify-between gap-4 px-3 py-1.5 text-left text-sm text-white hover:bg-white/10 focus:bg-white/15 focus:outline-none"
              onClick={() => {
                onChoose(option.id);
                close();
              }}
            >
              <span>
                <span aria-hidden="true" className="inline-block w-4">
                  {option.id === selected ? '✓' : ''}
                </span>
                {option.label}
              </span>
              {option.detail && <span className="text-xs text-slate-400">{option.detail}</span>}
            </button>
          ))}
        </div>
      )}
    </div>
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
