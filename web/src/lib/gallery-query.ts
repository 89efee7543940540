/**
 * The gallery's filters as they appear in the page URL (all optional strings, so a
 * hand-edited or stale link never breaks the page: values that do not parse are ignored),
 * and their mapping onto the API's VideoListQuery.
 */
export interface GalleryFilters {
  q?: string;
  /** Seconds, as the API counts them. */
  minDuration?: string;
  maxDuration?: string;
  /** The short side, as the API counts it (720 = "720p"). */
  minResolution?: string;
  maxResolution?: string;
  /** yyyy-mm-dd, the viewer's local day: uploaded on or after its start. */
  after?: string;
  /** yyyy-mm-dd, the viewer's local day: uploaded before its start. */
  before?: string;
  sort?: string;
  page?: string;
}

/** The URL's keys, in the order they are written. */
export const FILTER_KEYS = [
  'q',
  'minDuration',
  'maxDuration',
  'minResolution',
  'maxResolution',
  'after',
  'before',
  'sort',
  'page',
] as const satisfies readonly (keyof GalleryFilters)[];

/** Which list a gallery page shows: the public one, the caller's own, or (admins) every video. */
export type GalleryScope = 'public' | 'mine' | 'all';

export const PAGE_SIZE = 12;

/** Thresholds offered in the filter bar; a link may carry any other value, which is kept. */
export const DURATION_STEPS = [30, 60, 120, 300, 600, 1200, 1800, 3600] as const;
export const RESOLUTION_STEPS = [240, 360, 480, 720, 1080, 1440, 2160] as const;

export const SORTS = {
  oldest: { sort: 'createdAt', order: 'asc', label: 'Oldest first' },
  title: { sort: 'title', order: 'asc', label: 'Title A–Z' },
  longest: { sort: 'duration', order: 'desc', label: 'Longest first' },
  shortest: { sort: 'duration', order: 'asc', label: 'Shortest first' },
} as const;
const isSort = (value: string): value is keyof typeof SORTS => Object.hasOwn(SORTS, value);

/** Links made before the filter bar had ranges: `duration=short|medium|long`, `resolution=720`. */
const LEGACY_DURATIONS: Record<string, Pick<GalleryFilters, 'minDuration' | 'maxDuration'>> = {
  short: { maxDuration: '60' },
  medium: { minDuration: '60', maxDuration: '600' },
  long: { minDuration: '600' },
};

/** Reads the filters from a URL's query, keeping only known keys and upgrading old links. */
export function readFilters(params: URLSearchParams): GalleryFilters {
  const filters: GalleryFilters = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value !== null && value !== '') filters[key] = value;
  }
  const legacyDuration = LEGACY_DURATIONS[params.get('duration') ?? ''];
  if (legacyDuration && filters.minDuration === undefined && filters.maxDuration === undefined)
    Object.assign(filters, legacyDuration);
  const legacyResolution = params.get('resolution');
  if (legacyResolution && filters.minResolution === undefined)
    filters.minResolution = legacyResolution;
  return filters;
}

/** The URL query for the filters: empty values dropped, keys in a fixed order. */
export function writeFilters(filters: GalleryFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key];
    if (value !== undefined && value !== '') params.set(key, value);
  }
  return params;
}

/** Applies a change; any change other than the page itself goes back to page 1. */
export function updateFilters(
  filters: GalleryFilters,
  changes: Partial<GalleryFilters>,
): GalleryFilters {
  const next: GalleryFilters = { ...filters, ...changes };
  if (!('page' in changes)) delete next.page;
  for (const key of FILTER_KEYS) if (next[key] === '' || next[key] === undefined) delete next[key];
  return next;
}

/** A non-negative number of seconds, or undefined. */
function seconds(value: string | undefined): number | undefined {
  if (!value || !/^\d{1,7}(\.\d+)?$/.test(value)) return undefined;
  return Number(value);
}

/** A short side in pixels the API accepts (1–8192), or undefined. */
function resolution(value: string | undefined): number | undefined {
  if (!value || !/^\d{1,4}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 && n <= 8192 ? n : undefined;
}

/** The start of a yyyy-mm-dd day in the viewer's time zone, or undefined for anything else. */
export function localDay(value: string | undefined): Date | undefined {
  const match = value ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const day = new Date(y, m - 1, d);
  // Rejects 2026-02-31 and friends, which Date would roll over into March.
  if (day.getFullYear() !== y || day.getMonth() !== m - 1 || day.getDate() !== d) return undefined;
  return day;
}

/** The filters as the API reads them; invalid values are left out. */
function parsed(filters: GalleryFilters) {
  const after = localDay(filters.after);
  const before = localDay(filters.before);
  const page = Number(filters.page);
  const sort = filters.sort && isSort(filters.sort) ? SORTS[filters.sort] : undefined;
  return {
    q: filters.q?.trim().slice(0, 200) || undefined,
    minDuration: seconds(filters.minDuration),
    maxDuration: seconds(filters.maxDuration),
    minResolution: resolution(filters.minResolution),
    maxResolution: resolution(filters.maxResolution),
    uploadedAfter: after?.toISOString(),
    // "Before 1 March" ends a millisecond before that day starts (the API's bound is inclusive).
    uploadedBefore: before ? new Date(before.getTime() - 1).toISOString() : undefined,
    sort: sort?.sort ?? 'createdAt',
    order: sort?.order ?? 'desc',
    page: Number.isInteger(page) && page >= 1 && page <= 10_000 ? page : 1,
  };
}

export interface FilterProblem {
  range: 'duration' | 'resolution' | 'uploaded';
  message: string;
}

/**
 * Ranges the wrong way round, in words for the filter bar. The API would answer 400
 * for these, so the page names them instead of asking.
 */
export function filterProblems(filters: GalleryFilters): FilterProblem[] {
  const query = parsed(filters);
  const problems: FilterProblem[] = [];
  if (
    query.minDuration !== undefined &&
    query.maxDuration !== undefined &&
    query.minDuration > query.maxDuration
  )
    problems.push({ range: 'duration', message: 'The minimum length is above the maximum.' });
  if (
    query.minResolution !== undefined &&
    query.maxResolution !== undefined &&
    query.minResolution > query.maxResolution
  )
    problems.push({
      range: 'resolution',
      message: 'The minimum resolution is above the maximum.',
    });
  if (
    query.uploadedAfter &&
    query.uploadedBefore &&
    Date.parse(query.uploadedAfter) > Date.parse(query.uploadedBefore)
  )
    problems.push({
      range: 'uploaded',
      message: '“Uploaded since” must be earlier than “before”.',
    });
  return problems;
}

/** Maps the URL's filters to the API's VideoListQuery (as a query string). */
export function galleryQuery(filters: GalleryFilters): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(parsed(filters))) {
    if (value !== undefined) query.set(key, String(value));
  }
  query.set('pageSize', String(PAGE_SIZE));
  return query.toString();
}

/** The API request behind a gallery page. */
export function galleryRequest(scope: GalleryScope, filters: GalleryFilters): string {
  const query = galleryQuery(filters);
  switch (scope) {
    case 'public':
      return `/api/videos?${query}`;
    case 'mine':
      return `/api/videos/mine?${query}`;
    case 'all':
      return `/api/videos?scope=all&${query}`;
  }
}

/** 30 → "30 s", 120 → "2 min", 3600 → "1 h", 90 → "1 min 30 s". */
export function durationLabel(total: number): string {
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = Math.round(total % 60);
  return [h && `${h} h`, m && `${m} min`, s && `${s} s`].filter(Boolean).join(' ') || '0 s';
}

export function resolutionLabel(shortSide: number): string {
  return shortSide === 2160 ? '2160p (4K)' : `${shortSide}p`;
}

/** A local yyyy-mm-dd day in the viewer's locale ("1 Mar 2026", "01.03.2026", "Mar 1, 2026"). */
export function dayLabel(day: Date, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(day);
}

export interface ActiveFilter {
  /** The URL keys that removing this filter clears. */
  keys: (keyof GalleryFilters)[];
  label: string;
}

/** The filters in effect, in words, for the bar's removable chips. */
export function activeFilters(filters: GalleryFilters, locale?: string): ActiveFilter[] {
  const query = parsed(filters);
  const active: ActiveFilter[] = [];
  if (query.q) active.push({ keys: ['q'], label: `“${query.q}”` });
  const { minDuration: minD, maxDuration: maxD } = query;
  if (minD !== undefined || maxD !== undefined)
    active.push({
      keys: ['minDuration', 'maxDuration'],
      label:
        minD !== undefined && maxD !== undefined
          ? `Length ${durationLabel(minD)} – ${durationLabel(maxD)}`
          : minD !== undefined
            ? `Length at least ${durationLabel(minD)}`
            : `Length at most ${durationLabel(maxD ?? 0)}`,
    });
  const { minResolution: minR, maxResolution: maxR } = query;
  if (minR !== undefined || maxR !== undefined)
    active.push({
      keys: ['minResolution', 'maxResolution'],
      label:
        minR !== undefined && maxR !== undefined
          ? `Resolution ${resolutionLabel(minR)} – ${resolutionLabel(maxR)}`
          : minR !== undefined
            ? `Resolution ${resolutionLabel(minR)} and up`
            : `Resolution up to ${resolutionLabel(maxR ?? 0)}`,
    });
  const after = localDay(filters.after);
  if (after) active.push({ keys: ['after'], label: `Since ${dayLabel(after, locale)}` });
  const before = localDay(filters.before);
  if (before) active.push({ keys: ['before'], label: `Before ${dayLabel(before, locale)}` });
  return active;
}
