import { describe, expect, it } from 'vitest';
import { VideoListQuery } from '@videoforge/contracts';
import { galleryQuery } from './gallery-query.ts';

const parsed = (filters: Parameters<typeof galleryQuery>[0]) =>
  VideoListQuery.parse(Object.fromEntries(new URLSearchParams(galleryQuery(filters))));

describe('gallery query', () => {
  it('defaults to the newest first, page 1', () => {
    expect(galleryQuery({})).toBe('sort=createdAt&order=desc&page=1&pageSize=12');
  });

  it('maps every filter to a query the API accepts', () => {
    const query = parsed({
      q: '  cats ',
      duration: 'medium',
      resolution: '720',
      after: '2026-03-01',
      sort: 'title',
      page: '3',
    });
    expect(query).toMatchObject({
      q: 'cats',
      minDuration: 60,
      maxDuration: 600,
      minResolution: 720,
      sort: 'title',
      order: 'asc',
      page: 3,
      pageSize: 12,
    });
    expect(new Date(query.uploadedAfter!).getDate()).toBe(1);
  });

  it('ignores values it does not know', () => {
    expect(
      galleryQuery({
        duration: 'forever',
        resolution: 'huge',
        after: 'yesterday',
        sort: 'x',
        page: '-2',
      }),
    ).toBe('sort=createdAt&order=desc&page=1&pageSize=12');
  });
});
