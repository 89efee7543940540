import { VideoListQuery } from '@videoforge/contracts';
import { describe, expect, it } from 'vitest';
import { likePattern, offsetOf, orderBy, rangeProblems } from './gallery-query.ts';

describe('gallery query', () => {
  it('parses query strings with defaults and coercion', () => {
    expect(VideoListQuery.parse({})).toEqual({
      sort: 'createdAt',
      order: 'desc',
      page: 1,
      pageSize: 20,
      scope: 'public',
    });
    expect(
      VideoListQuery.parse({
        q: ' cats ',
        minDuration: '1.5',
        minResolution: '720',
        page: '3',
        pageSize: '10',
        sort: 'title',
        order: 'asc',
      }),
    ).toEqual({
      q: 'cats',
      minDuration: 1.5,
      minResolution: 720,
      page: 3,
      pageSize: 10,
      sort: 'title',
      order: 'asc',
      scope: 'public',
    });
  });

  it('refuses unknown keys, bad sorts and oversized pages', () => {
    expect(VideoListQuery.safeParse({ sort: 'password_hash' }).success).toBe(false);
    expect(VideoListQuery.safeParse({ pageSize: '1000' }).success).toBe(false);
    expect(VideoListQuery.safeParse({ page: '0' }).success).toBe(false);
    expect(VideoListQuery.safeParse({ owner: '1' }).success).toBe(false);
    expect(VideoListQuery.safeParse({ uploadedAfter: 'yesterday' }).success).toBe(false);
  });

  it('escapes LIKE wildcards', () => {
    expect(likePattern('100%_a\\b')).toBe('%100\\%\\_a\\\\b%');
  });

  it('orders by whitelisted columns with a stable tie-break', () => {
    expect(orderBy('duration', 'asc')).toBe('v.duration_seconds ASC NULLS LAST, v.id ASC');
    expect(orderBy('createdAt', 'desc')).toBe('v.created_at DESC NULLS LAST, v.id DESC');
    expect(offsetOf({ page: 3, pageSize: 20 })).toBe(40);
  });

  it('names inverted ranges', () => {
    const query = VideoListQuery.parse({
      minDuration: '10',
      maxDuration: '5',
      uploadedAfter: '2026-02-01T00:00:00Z',
      uploadedBefore: '2026-01-01T00:00:00Z',
    });
    expect(rangeProblems(query)).toEqual([
      'minDuration is above maxDuration',
      'uploadedAfter is after uploadedBefore',
    ]);
  });
});
