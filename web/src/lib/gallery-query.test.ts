import { describe, expect, it } from 'vitest';
import { VideoListQuery } from '@videoforge/contracts';
import {
  activeFilters,
  durationLabel,
  filterProblems,
  galleryQuery,
  galleryRequest,
  readFilters,
  updateFilters,
  writeFilters,
  type GalleryFilters,
} from './gallery-query.ts';

const parsed = (filters: GalleryFilters) =>
  VideoListQuery.parse(Object.fromEntries(new URLSearchParams(galleryQuery(filters))));

describe('gallery query', () => {
  it('defaults to the newest first, page 1', () => {
    expect(galleryQuery({})).toBe('sort=createdAt&order=desc&page=1&pageSize=12');
  });

  it('maps every filter to a query the API accepts', () => {
    const query = parsed({
      q: '  cats ',
      minDuration: '60',
      maxDuration: '600',
      minResolution: '720',
      maxResolution: '1080',
      after: '2026-03-01',
      before: '2026-04-01',
      sort: 'title',
      page: '3',
    });
    expect(query).toMatchObject({
      q: 'cats',
      minDuration: 60,
      maxDuration: 600,
      minResolution: 720,
      maxResolution: 1080,
      sort: 'title',
      order: 'asc',
      page: 3,
      pageSize: 12,
      scope: 'public',
    });
    // Local days: since 1 March 00:00, before 1 April 00:00 (the last millisecond of 31 March).
    expect(query.uploadedAfter).toBe(new Date(2026, 2, 1).toISOString());
    expect(query.uploadedBefore).toBe(new Date(new Date(2026, 3, 1).getTime() - 1).toISOString());
    expect(new Date(query.uploadedBefore!).getDate()).toBe(31);
  });

  it('ignores values it does not know', () => {
    expect(
      galleryQuery({
        minDuration: 'forever',
        maxDuration: '-3',
        minResolution: 'huge',
        maxResolution: '9000',
        after: 'yesterday',
        before: '2026-02-31',
        sort: 'x',
        page: '-2',
      }),
    ).toBe('sort=createdAt&order=desc&page=1&pageSize=12');
  });

  it('asks the list that matches the page', () => {
    expect(galleryRequest('public', {})).toBe(
      '/api/videos?sort=createdAt&order=desc&page=1&pageSize=12',
    );
    expect(galleryRequest('mine', { q: 'x' })).toMatch(/^\/api\/videos\/mine\?q=x&/);
    const all = galleryRequest('all', { minResolution: '720' });
    expect(all).toMatch(/^\/api\/videos\?scope=all&minResolution=720&/);
    expect(
      VideoListQuery.parse(Object.fromEntries(new URL(all, 'http://x').searchParams)),
    ).toMatchObject({
      scope: 'all',
      minResolution: 720,
    });
  });
});

describe('filters in the URL', () => {
  it('reads known keys and drops the rest', () => {
    expect(
      readFilters(new URLSearchParams('q=cats&minDuration=30&before=2026-01-02&utm=x&page=')),
    ).toEqual({ q: 'cats', minDuration: '30', before: '2026-01-02' });
  });

  it('upgrades links from before the range filters', () => {
    expect(readFilters(new URLSearchParams('duration=medium&resolution=720'))).toEqual({
      minDuration: '60',
      maxDuration: '600',
      minResolution: '720',
    });
    // New keys win over old ones.
    expect(readFilters(new URLSearchParams('duration=long&maxDuration=30'))).toEqual({
      maxDuration: '30',
    });
  });

  it('writes keys in a fixed order, empty ones left out', () => {
    expect(
      writeFilters({
        page: '2',
        sort: 'title',
        q: '',
        after: '2026-03-01',
        minDuration: '60',
      }).toString(),
    ).toBe('minDuration=60&after=2026-03-01&sort=title&page=2');
  });

  it('round-trips through the URL', () => {
    const filters: GalleryFilters = {
      q: 'cats & dogs',
      minDuration: '30',
      maxDuration: '3600',
      minResolution: '480',
      maxResolution: '2160',
      after: '2026-01-01',
      before: '2026-12-31',
      sort: 'longest',
      page: '4',
    };
    expect(readFilters(new URLSearchParams(writeFilters(filters).toString()))).toEqual(filters);
  });

  it('goes back to page 1 on any change but the page', () => {
    const filters: GalleryFilters = { q: 'cats', page: '3' };
    expect(updateFilters(filters, { maxResolution: '1080' })).toEqual({
      q: 'cats',
      maxResolution: '1080',
    });
    expect(updateFilters(filters, { page: '4' })).toEqual({ q: 'cats', page: '4' });
    expect(updateFilters(filters, { q: '' })).toEqual({});
  });
});

describe('filter problems and labels', () => {
  it('names ranges the wrong way round, as the API would refuse them', () => {
    expect(filterProblems({ minDuration: '60', maxDuration: '60' })).toEqual([]);
    expect(
      filterProblems({
        minDuration: '600',
        maxDuration: '60',
        minResolution: '1080',
        maxResolution: '720',
        after: '2026-03-02',
        before: '2026-03-01',
      }).map((problem) => problem.range),
    ).toEqual(['duration', 'resolution', 'uploaded']);
    // Since and before the same day is an empty range too.
    expect(filterProblems({ after: '2026-03-01', before: '2026-03-01' })).toHaveLength(1);
  });

  it('describes the active filters, dates in the given locale', () => {
    const filters: GalleryFilters = {
      q: 'cats',
      minDuration: '90',
      minResolution: '720',
      maxResolution: '2160',
      after: '2026-03-01',
      sort: 'title',
    };
    expect(activeFilters(filters, 'en-US').map((filter) => filter.label)).toEqual([
      '“cats”',
      'Length at least 1 min 30 s',
      'Resolution 720p – 2160p (4K)',
      'Since Mar 1, 2026',
    ]);
    expect(activeFilters({ before: '2026-03-01' }, 'de-DE')[0]?.label).toBe('Before 01.03.2026');
    expect(activeFilters({ maxDuration: '3600' })[0]).toEqual({
      keys: ['minDuration', 'maxDuration'],
      label: 'Length at most 1 h',
    });
  });

  it('words durations', () => {
    expect([30, 60, 120, 3600, 3690].map(durationLabel)).toEqual([
      '30 s',
      '1 min',
      '2 min',
      '1 h',
      '1 h 1 min 30 s',
    ]);
  });
});
