// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { MemoryRouter, useLocation } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import { GalleryFilterBar, useGalleryFilters } from './gallery-filters.tsx';

function Harness() {
  const [filters, update] = useGalleryFilters();
  const location = useLocation();
  return (
    <>
      <GalleryFilterBar filters={filters} onChange={update} />
      <output data-testid="search">{location.search}</output>
    </>
  );
}

const renderAt = (url: string) =>
  render(
    <MemoryRouter initialEntries={[url]}>
      <Harness />
    </MemoryRouter>,
  );
const search = () => screen.getByTestId('search').textContent;
const group = (name: string) => screen.getByRole('group', { name });
const select = (groupName: string, label: string) =>
  within(group(groupName)).getByLabelText<HTMLSelectElement>(label);

afterEach(cleanup);

describe('gallery filter bar', () => {
  it('shows the filters of a shared link', () => {
    renderAt(
      '/gallery?q=cats&minDuration=90&maxDuration=600&minResolution=720&maxResolution=1080&after=2026-03-01&before=2026-04-01&sort=title',
    );
    expect(screen.getByRole<HTMLInputElement>('searchbox', { name: 'Search videos' }).value).toBe(
      'cats',
    );
    // 90 s is not one of the offered steps: it is shown rather than dropped.
    expect(select('Length', 'Min').value).toBe('90');
    expect(select('Length', 'Min').selectedOptions[0]?.textContent).toBe('1 min 30 s');
    expect(select('Length', 'Max').value).toBe('600');
    expect(select('Resolution', 'Min').value).toBe('720');
    expect(select('Resolution', 'Max').value).toBe('1080');
    expect(within(group('Uploaded')).getByLabelText<HTMLInputElement>('Since').value).toBe(
      '2026-03-01',
    );
    expect(within(group('Uploaded')).getByLabelText<HTMLInputElement>('Before').value).toBe(
      '2026-04-01',
    );
    expect(screen.getByLabelText<HTMLSelectElement>('Sort by').value).toBe('title');
    expect(
      within(group('Active filters')).getAllByRole('button', { name: /^Remove filter/ }),
    ).toHaveLength(5);
  });

  it('writes every change to the URL and goes back to page 1', () => {
    renderAt('/gallery?q=cats&page=3');
    fireEvent.change(select('Length', 'Max'), { target: { value: '300' } });
    expect(search()).toBe('?q=cats&maxDuration=300');
    fireEvent.change(select('Resolution', 'Min'), { target: { value: '480' } });
    fireEvent.change(within(group('Uploaded')).getByLabelText('Before'), {
      target: { value: '2026-05-01' },
    });
    fireEvent.change(screen.getByLabelText('Sort by'), { target: { value: 'longest' } });
    expect(search()).toBe(
      '?q=cats&maxDuration=300&minResolution=480&before=2026-05-01&sort=longest',
    );

    const box = screen.getByRole('searchbox', { name: 'Search videos' });
    fireEvent.change(box, { target: { value: '  dogs ' } });
    fireEvent.submit(box.closest('form')!);
    expect(search()).toBe(
      '?q=dogs&maxDuration=300&minResolution=480&before=2026-05-01&sort=longest',
    );
  });

  it('removes one filter or all of them, keeping the sort', () => {
    renderAt('/gallery?minDuration=60&maxDuration=600&after=2026-03-01&sort=oldest');
    fireEvent.click(screen.getByRole('button', { name: /^Remove filter: Length/ }));
    expect(search()).toBe('?after=2026-03-01&sort=oldest');
    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(search()).toBe('?sort=oldest');
    expect(screen.queryByRole('group', { name: 'Active filters' })).toBeNull();
  });

  it('keeps bounds that would empty a range out of reach, and names a bad link', () => {
    renderAt('/gallery?minResolution=1080');
    const max = select('Resolution', 'Max');
    const disabled = [...max.options].filter((option) => option.disabled).map((o) => o.value);
    expect(disabled).toEqual(['240', '360', '480', '720']);
    expect(select('Resolution', 'Min').getAttribute('aria-invalid')).toBeNull();
    cleanup();

    renderAt('/gallery?minDuration=600&maxDuration=60');
    expect(screen.getByRole('alert').textContent).toBe('The minimum length is above the maximum.');
    expect(select('Length', 'Min').getAttribute('aria-invalid')).toBe('true');
    expect(select('Resolution', 'Min').getAttribute('aria-invalid')).toBeNull();
  });

  it('upgrades old links and folds behind a button on narrow screens', () => {
    renderAt('/gallery?duration=short&resolution=720');
    expect(select('Length', 'Max').value).toBe('60');
    expect(select('Resolution', 'Min').value).toBe('720');
    const toggle = screen.getByRole('button', { name: /^Filters/ });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(toggle.textContent).toBe('Filters, 2 active');
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(document.getElementById(toggle.getAttribute('aria-controls')!)?.className).toMatch(
      /^grid /,
    );
  });
});
