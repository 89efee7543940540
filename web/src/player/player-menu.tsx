import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';

export interface PlayerMenuItem {
  key: string | number;
  label: string;
  /** Small print beside the label, e.g. the language or the bit rate. */
  detail?: string | undefined;
  checked: boolean;
  testId: string;
}

export interface PlayerMenuProps {
  /** The menu's accessible name: "Quality", "Audio", "Captions". */
  title: string;
  /** What the button shows, and its accessible label. */
  buttonText: string;
  buttonLabel: string;
  buttonTestId: string;
  buttonClassName: string;
  menuClassName: string;
  items: readonly PlayerMenuItem[];
  onChoose: (index: number) => void;
}

/**
 * A menu button of the player's controls with one radio item per choice (quality, audio,
 * captions). Opening it focuses the checked item; arrow keys, Home and End move between
 * items; Escape or Tab closes it and returns focus to the button.
 */
export function PlayerMenu({
  title,
  buttonText,
  buttonLabel,
  buttonTestId,
  buttonClassName,
  menuClassName,
  items,
  onChoose,
}: PlayerMenuProps) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const itemsRef = useRef<(HTMLButtonElement | null)[]>([]);
  const checkedIndex = Math.max(
    items.findIndex((item) => item.checked),
    0,
  );

  useEffect(() => {
    if (open) itemsRef.current[checkedIndex]?.focus();
  }, [open, checkedIndex]);

  if (items.length === 0) return null;

  const close = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };
  const onMenuKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const elements = itemsRef.current.filter((item): item is HTMLButtonElement => item !== null);
    const at = elements.findIndex((item) => item === document.activeElement);
    const focus = (index: number) => elements[(index + elements.length) % elements.length]?.focus();
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
        focus(elements.length - 1);
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
        className={buttonClassName}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={buttonLabel}
        data-testid={buttonTestId}
        onClick={() => setOpen((value) => !value)}
      >
        {buttonText}
      </button>
      {open && (
        <div
          id={menuId}
          role="menu"
          aria-label={title}
          className={menuClassName}
          onKeyDown={onMenuKeyDown}
        >
          {items.map((item, index) => (
            <button
              key={item.key}
              ref={(element) => {
                itemsRef.current[index] = element;
              }}
              type="button"
              role="menuitemradio"
              aria-checked={item.checked}
              data-testid={item.testId}
              className="flex w-full items-center justify-between gap-4 px-3 py-1.5 text-left text-sm text-white hover:bg-white/10 focus:bg-white/15 focus:outline-none"
              onClick={() => {
                onChoose(index);
                close();
              }}
            >
              <span>
                <span aria-hidden="true" className="inline-block w-4">
                  {item.checked ? '✓' : ''}
                </span>
                {item.label}
              </span>
              {item.detail && <span className="text-xs text-slate-400">{item.detail}</span>}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
