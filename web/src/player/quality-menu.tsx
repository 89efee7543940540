import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
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

/**
 * The player's quality menu: a menu button with one radio item per resolution plus
 * Auto. Arrow keys move between items, Escape closes and returns focus to the button.
 */
export function QualityMenu({ levels, choice, playingIndex, onChoose }: QualityMenuProps) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const itemsRef = useRef<(HTMLButtonElement | null)[]>([]);
  const options = qualityOptions(levels, choice, playingIndex);
  const checkedIndex = Math.max(
    options.findIndex((option) => option.checked),
    0,
  );

  // Opening the menu moves focus to the checked item.
  useEffect(() => {
    if (open) itemsRef.current[checkedIndex]?.focus();
  }, [open, checkedIndex]);

  if (levels.length === 0) return null;

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
        className="rounded px-2 py-1 text-sm font-medium text-white hover:bg-white/20"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={`Quality: ${qualityButtonLabel(levels, choice, playingIndex)}`}
        data-testid="quality-button"
        onClick={() => setOpen((value) => !value)}
      >
        {qualityButtonLabel(levels, choice, playingIndex)}
      </button>
      {open && (
        <div
          id={menuId}
          role="menu"
          aria-label="Quality"
          className="absolute right-0 bottom-full z-20 mb-2 min-w-40 rounded-md bg-slate-900/95 py-1 shadow-lg ring-1 ring-white/10"
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
              aria-checked={option.checked}
              data-testid={`quality-option-${option.id}`}
              className="flex w-full items-center justify-between gap-4 px-3 py-1.5 text-left text-sm text-white hover:bg-white/10 focus:bg-white/15 focus:outline-none"
              onClick={() => {
                onChoose(option.choice);
                close();
              }}
            >
              <span>
                <span aria-hidden="true" className="inline-block w-4">
                  {option.checked ? '✓' : ''}
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
