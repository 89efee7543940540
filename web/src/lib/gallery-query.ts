/** The gallery's filters as they appear in the page URL (all optional strings). */
export interface GalleryFilters {
  q?: string;
  duration?: string;
  resolution?: string;
  /** yyyy-mm-dd, the viewer's local day. */
  after?: string;
  sort?: string;
  page?: string;
}

export const PAGE_SIZE = 12;

const DURATIONS: Record<string, { minDuration?: number; maxDuration?: number }> = {
  short: { maxDuration: 60 },
  medium: { minDuration: 60, maxDuration: 600 },
  long: { minDuration: 600 },
};

const SORTS: Record<string, { sort: string; order: string }> = {
  oldest: { sort: 'createdAt', order: 'asc' },
  title: { sort: 'title', order: 'asc' },
  longest: { sort: 'duration', order: 'desc' },
};

/** Maps the URL's filters to the API's VideoListQuery; unknown values are ignored. */
export function galleryQuery(filters: GalleryFilters): string {
  const query = new URLSearchParams();
  const q = filters.q?.trim();
  if (q) query.set('q', q.slice(0, 200));
  const duration = filters.duration ? DURATIONS[filters.duration] : undefined;
  if (duration?.minDuration !== undefined) query.set('minDuration', String(duration.minDuration));
  if (duration?.maxDuration !== undefined) query.set('maxDuration', String(duration.maxDuration));
  if (filters.resolution && /^[0-9]{3,4}$/.test(filters.resolution))
    query.set('minResolution', filters.resolution);
  if (filters.after && /^\d{4}-\d{2}-\d{2}$/.test(filters.after)) {
    const [y, m, d] = filters.after.split('-').map(Number);
    const start = new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1);
    if (!Number.isNaN(start.getTime())) query.set('uploadedAfter', start.toISOString());
  }
  const sort = filters.sort ? SORTS[filters.sort] : undefined;
  query.set('sort', sort?.sort ?? 'createdAt');
  query.set('order', sort?.order ?? 'desc');
  const page = Number(filters.page);
  query.set('page', String(Number.isInteger(page) && page >= 1 ? page : 1));
  query.set('pageSize', String(PAGE_SIZE));
  return query.toString();
}
