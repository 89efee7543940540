// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TrackMenu, trackOptions } from './track-menu.tsx';

describe('track options (pure)', () => {
  it('labels hls.js tracks by name with the language beside, captions with Off first', () => {
    const tracks = [{ name: 'Commentary', lang: 'en' }, { name: 'Main', lang: 'en' }, { name: '' }];
    expect(trackOptions(tracks, false)).toEqual([
      { id: 0, label: 'Commentary', detail: 'en' },
      { id: 1, label: 'Main', detail: 'en' },
      { id: 2, label: 'Track 3', detail: undefined },
    ]);
    expect(trackOptions([{ name: 'French', lang: 'fr' }], true).map((o) => o.label)).toEqual([
      'Off',
      'French',
    ]);
  });
});

describe('<TrackMenu>', () => {
  afterEach(cleanup);

  function Harness({ onChoose }: { onChoose: (id: number) => void }) {
    const [selected, setSelected] = useState(1);
    return (
      <TrackMenu
        title="Audio"
        testId="audio"
        options={trackOptions([{ name: 'Commentary' }, { name: 'Main' }], false)}
        selected={selected}
        onChoose={(id) => {
          setSelected(id);
          onChoose(id);
        }}
      />
    );
  }

  it('is a menu button whose radio items show the selection, keyboard included', () => {
    const onChoose = vi.fn();
    render(<Harness onChoose={onChoose} />);
    const button = screen.getByRole('button', { name: 'Audio: Main' });
    expect(button.getAttribute('aria-haspopup')).toBe('menu');
    fireEvent.click(button);
    const items = screen.getAllByRole('menuitemradio');
    expect(items.map((item) => item.getAttribute('aria-checked'))).toEqual(['false', 'true']);
    // Focus starts on the checked item; ArrowDown wraps to the first.
    expect(document.activeElement).toBe(items[1]);
    fireEvent.keyDown(screen.getByRole('menu'), { key: 'ArrowDown' });
    expect(document.activeElement).toBe(items[0]);
    fireEvent.click(items[0]!);
    expect(onChoose).toHaveBeenCalledWith(0);
    expect(screen.queryByRole('menu')).toBeNull();
    expect(screen.getByRole('button', { name: 'Audio: Commentary' })).toBe(document.activeElement);
  });

  it('closes on Escape and returns focus to its button', () => {
    render(<Harness onChoose={() => undefined} />);
    fireEvent.click(screen.getByTestId('audio-button'));
    fireEvent.keyDown(screen.getByRole('menu'), { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId('audio-button'));
  });
});
