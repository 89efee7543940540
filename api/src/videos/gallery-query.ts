import type { VideoListQuery, VideoSort } from '@videoforge/contracts';

/** Escapes LIKE's wildcards so a search for "100%" means the text, not a pattern. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Sort keys map onto a fixed set of columns: the client never names SQL. id breaks ties so pages are stable. */
const SORT_COLUMNS: Record<VideoSort, string> = {
  createdAt: 'v.created_at',
  title: 'lower(v.title)',
  duration: 'v.duration_seconds',
};

export function orderBy(sort: VideoSort, order: 'asc' | 'desc'): string {
  const direction = order === 'asc' ? 'ASC' : 'DESC';
  return `${SORT_COLUMNS[sort]} ${direction} NULLS LAST, v.id ${direction}`;
}

export function offsetOf(query: Pick<VideoListQuery, 'page' | 'pageSize'>): number {
  return (query.page - 1) * query.pageSize;
}

/** Range filters whose bounds are the wrong way round are a client mistake worth naming. */
export function rangeProblems(query: VideoListQuery): string[] {
  const problems: string[] = [];
  if (
    query.minDuration !== undefined &&
    query.maxDuration !== undefined &&
    query.minDuration > query.maxDuration
  ) {
    problems.push('minDuration is above maxDuration');
  }
  if (
    query.minResolution !== undefined &&
    query.maxResolution !== undefined &&
    query.minResolution > query.maxResolution
  ) {
    problems.push('minResolution is above maxResolution');
  }
  if (
    query.uploadedAfter &&
    query.uploadedBefore &&
    Date.parse(query.uploadedAfter) > Date.parse(query.uploadedBefore)
  ) {
    problems.push('uploadedAfter is after uploadedBefore');
  }
  return problems;
}
