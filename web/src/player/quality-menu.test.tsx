// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  hlsLevelOf,
  qualityOptions,
  type QualityChoice,
  type QualityLevel,
} from './quality-levels.ts';
import { QualityMenu } from './quality-menu.tsx';

const levels: QualityLevel[] = [
  { index: 0, width: 640, height: 360, bitrate: 700_000 },
  { index: 1, width: 1280, height: 720, bitrate: 2_400_000 },
  { index: 2, width: 854, height: 480, bitrate: 1_100_000 },
];

describe('quality options (pure)', () => {
  it('offers Auto, then each resolution from highest to lowest', () => {
    const options = qualityOptions(levels, { kind: 'auto' }, 2);
    expect(options.map((o) => [o.label, o.detail, o.checked])).toEqual([
      ['Auto (480p)', undefined, true],
      ['720p', '2.4 Mbit/s', false],
      ['480p', '1.1 Mbit/s', false],
      ['360p', '700 kbit/s', false],
    ]);
  });

  it('offers the codec family playing now when the master has several', () => {
    const families: QualityLevel[] = [
      { index: 0, width: 854, height: 480, bitrate: 1_200_000, family: 'avc1' },
      { index: 1, width: 640, height: 360, bitrate: 800_000, family: 'avc1' },
      { index: 2, width: 854, height: 480, bitrate: 700_000, family: 'av01' },
      { index: 3, width: 640, height: 360, bitrate: 450_000, family: 'av01' },
    ];
    const av1 = qualityOptions(families, { kind: 'auto' }, 3);
    expect(av1.map((o) => [o.label, o.choice])).toEqual([
      ['Auto (360p)', { kind: 'auto' }],
      ['480p', { kind: 'level', index: 2 }],
      ['360p', { kind: 'level', index: 3 }],
    ]);
    expect(qualityOptions(families, { kind: 'auto' }, 0)[1]?.choice).toEqual({
      kind: 'level',
      index: 0,
    });
  });

  it('checks the manual choice and says plain Auto when not automatic', () => {
    const options = qualityOptions(levels, { kind: 'level', index: 0 }, 0);
    expect(options.filter((o) => o.checked).map((o) => o.id)).toEqual(['360p']);
    expect(options[0]?.label).toBe('Auto');
  });

  it('names portrait levels by their short side and keeps the best of duplicates', () => {
    const options = qualityOptions(
      [
        { index: 0, width: 720, height: 1280, bitrate: 2_000_000 },
        { index: 1, width: 720, height: 1280, bitrate: 3_000_000 },
      ],
      { kind: 'auto' },
      undefined,
    );
    expect(options.map((o) => o.id)).toEqual(['auto', '720p']);
    expect(options[1]?.choice).toEqual({ kind: 'level', index: 1 });
  });

  it('maps a choice to hls.js levels (-1 is automatic)', () => {
    expect(hlsLevelOf({ kind: 'auto' })).toBe(-1);
    expect(hlsLevelOf({ kind: 'level', index: 2 })).toBe(2);
  });
});

describe('<QualityMenu>', () => {
  afterEach(cleanup);

  function Harness({ onChoose }: { onChoose: (choice: QualityChoice) => void }) {
    const [choice, setChoice] = useState<QualityChoice>({ kind: 'auto' });
    return (
      <QualityMenu
        levels={levels}
        choice={choice}
        playingIndex={1}
        onChoose={(next) => {
          onChoose(next);
          setChoice(next);
        }}
      />
    );
  }

  it('renders nothing without levels (e.g. before the manifest loads)', () => {
    const { container } = render(
      <QualityMenu
        levels={[]}
        choice={{ kind: 'auto' }}
        playingIndex={undefined}
        onChoose={vi.fn()}
      />,
    );
    expect(container.innerHTML).toBe('');
  });

  it('opens a menu of radio items with the current choice checked and focused', () => {
    render(<Harness onChoose={vi.fn()} />);
    const button = screen.getByRole('button', { name: 'Quality: Auto (720p)' });
    expect(button.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(button);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const items = screen.getAllByRole('menuitemradio');
    expect(items.map((item) => item.textContent)).toEqual(
      ['Auto (720p)', '720p2.4 Mbit/s', '480p1.1 Mbit/s', '360p700 kbit/s'].map((text, i) =>
        i === 0 ? `✓${text}` : text,
      ),
    );
    expect(items[0]?.getAttribute('aria-checked')).toBe('true');
    expect(document.activeElement).toBe(items[0]);
  });

  it('chooses a level by click, closes, and shows it on the button', () => {
    const onChoose = vi.fn();
    render(<Harness onChoose={onChoose} />);
    fireEvent.click(screen.getByTestId('quality-button'));
    fireEvent.click(screen.getByRole('menuitemradio', { name: /480p/ }));
    expect(onChoose).toHaveBeenCalledWith({ kind: 'level', index: 2 });
    expect(screen.queryByRole('menu')).toBeNull();
    const button = screen.getByRole('button', { name: 'Quality: 480p' });
    expect(document.activeElement).toBe(button);
    fireEvent.click(button);
    expect(screen.getByRole('menuitemradio', { name: /480p/ }).getAttribute('aria-checked')).toBe(
      'true',
    );
  });

  it('moves with the arrow keys, wraps around, and closes on Escape without choosing', () => {
    const onChoose = vi.fn();
    render(<Harness onChoose={onChoose} />);
    fireEvent.click(screen.getByTestId('quality-button'));
    const menu = screen.getByRole('menu');
    const items = screen.getAllByRole('menuitemradio');
    fireEvent.keyDown(menu, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(items[1]);
    fireEvent.keyDown(menu, { key: 'ArrowUp' });
    fireEvent.keyDown(menu, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(items[3]);
    fireEvent.keyDown(menu, { key: 'Home' });
    expect(document.activeElement).toBe(items[0]);
    fireEvent.keyDown(menu, { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId('quality-button'));
    expect(onChoose).not.toHaveBeenCalled();
  });

  it('goes back to Auto', () => {
    const onChoose = vi.fn();
    render(<Harness onChoose={onChoose} />);
    fireEvent.click(screen.getByTestId('quality-button'));
    fireEvent.click(screen.getByRole('menuitemradio', { name: /360p/ }));
    fireEvent.click(screen.getByTestId('quality-button'));
    fireEvent.click(screen.getByRole('menuitemradio', { name: /Auto/ }));
    expect(onChoose).toHaveBeenLastCalledWith({ kind: 'auto' });
    expect(screen.getByTestId('quality-button').textContent).toBe('Auto (720p)');
  });
});
