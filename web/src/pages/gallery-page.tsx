import { VideoPage, type Video } from '@videoforge/contracts';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useApi } from '../auth/auth-context.tsx';
import { Alert } from '../components/alert.tsx';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { VideoCard } from '../components/video-card.tsx';
import { useJobEvents } from '../events/job-events.tsx';
import { errorMessage } from '../lib/api-client.ts';
import { galleryQuery, PAGE_SIZE, type GalleryFilters } from '../lib/gallery-query.ts';

/**
 * The public gallery and "My videos": search, filters, sort and pagination live in the
 * URL (shareable, back button works). Mine also deletes, and follows its videos' jobs
 * live: an event that changes a video's state reloads the page of results once.
 */
export function GalleryPage({ scope }: { scope: 'public' | 'mine' }) {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const filters: GalleryFilters = Object.fromEntries(params);
  const query = galleryQuery(filters);
  const key = `${scope}?${query}`;
  // The last answer and what it answered; a different key means a new one is on its way.
  const [result, setResult] = useState<{ key: string; page?: VideoPage; error?: string }>();
  const page = result?.page;
  const loading = result?.key !== key;
  const [actionError, setActionError] = useState<string | undefined>();
  const error = actionError ?? (result?.key === key ? result.error : undefined);
  const [toDelete, setToDelete] = useState<Video | undefined>();
  const [deleting, setDeleting] = useState(false);
  const [notice, setNotice] = useState<string | undefined>();
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const answer = await api.request(
          'GET',
          `/api/videos${scope === 'mine' ? '/mine' : ''}?${query}`,
          {
            schema: VideoPage,
            auth: scope === 'mine' ? 'required' : 'optional',
            ...(signal ? { signal } : {}),
          },
        );
        setResult({ key, page: answer });
      } catch (failure) {
        if (signal?.aborted) return;
        setResult((previous) => ({ ...previous, key, error: errorMessage(failure) }));
      }
    },
    [api, scope, query, key],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);
  useEffect(() => () => clearTimeout(reloadTimer.current), []);

  useJobEvents(
    (event) => {
      if (!page?.items.some((video) => video.id === event.videoId)) return;
      const changesState =
        event.status !== 'running' ||
        (event.renditions ?? []).some((rendition) => rendition.phase === 'succeeded');
      if (!changesState) return;
      clearTimeout(reloadTimer.current);
      reloadTimer.current = setTimeout(() => void load(), 300);
    },
    () => void load(),
  );

  const update = (changes: Partial<GalleryFilters>) => {
    const next = { ...filters, ...changes };
    if (!('page' in changes)) delete next.page;
    setParams(
      Object.fromEntries(
        Object.entries(next).filter(([, value]) => value !== '' && value !== undefined),
      ),
    );
  };

  const onSearch = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const q = data.get('q');
    update({ q: typeof q === 'string' ? q : '' });
  };

  const confirmDelete = async () => {
    if (!toDelete) return;
    setDeleting(true);
    try {
      await api.request('DELETE', `/api/videos/${toDelete.id}`, { auth: 'required' });
      setNotice(`Deleted “${toDelete.title}”.`);
      setToDelete(undefined);
      await load();
    } catch (failure) {
      setActionError(`Could not delete “${toDelete.title}”: ${errorMessage(failure)}`);
      setToDelete(undefined);
    } finally {
      setDeleting(false);
    }
  };

  const pages = page ? Math.max(1, Math.ceil(page.total / page.pageSize)) : 1;
  const current = page?.page ?? 1;
  const heading = scope === 'mine' ? 'My videos' : 'Gallery';

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <h1 className="text-2xl font-bold">{heading}</h1>
        {scope === 'mine' && (
          <Link to="/upload" className="btn-primary">
            Upload a video
          </Link>
        )}
      </div>

      <section aria-label="Search and filters" className="space-y-3">
        <form role="search" className="flex gap-2" onSubmit={onSearch}>
          <label htmlFor="gallery-q" className="sr-only">
            Search videos
          </label>
          <input
            id="gallery-q"
            name="q"
            type="search"
            className="field-input mt-0 flex-1"
            placeholder="Search titles and descriptions"
            defaultValue={filters.q ?? ''}
            key={filters.q ?? ''}
          />
          <button type="submit" className="btn-primary">
            Search
          </button>
        </form>
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          <Select
            id="filter-duration"
            label="Duration"
            value={filters.duration ?? ''}
            onChange={(duration) => update({ duration })}
            options={[
              ['', 'Any length'],
              ['short', 'Under 1 minute'],
              ['medium', '1–10 minutes'],
              ['long', 'Over 10 minutes'],
            ]}
          />
          <Select
            id="filter-resolution"
            label="Resolution"
            value={filters.resolution ?? ''}
            onChange={(resolution) => update({ resolution })}
            options={[
              ['', 'Any resolution'],
              ['720', '720p and up'],
              ['1080', '1080p and up'],
              ['2160', '4K'],
            ]}
          />
          <div>
            <label htmlFor="filter-after" className="field-label">
              Uploaded since
            </label>
            <input
              id="filter-after"
              type="date"
              className="field-input"
              value={filters.after ?? ''}
              onChange={(event) => update({ after: event.target.value })}
            />
          </div>
          <Select
            id="filter-sort"
            label="Sort by"
            value={filters.sort ?? ''}
            onChange={(sort) => update({ sort })}
            options={[
              ['', 'Newest first'],
              ['oldest', 'Oldest first'],
              ['title', 'Title A–Z'],
              ['longest', 'Longest first'],
            ]}
          />
        </div>
      </section>

      {notice && <Alert kind="success">{notice}</Alert>}
      {error && (
        <Alert kind="error" title="The videos could not be loaded">
          {error}{' '}
          <button
            type="button"
            className="underline"
            onClick={() => {
              setActionError(undefined);
              void load();
            }}
          >
            Try again
          </button>
        </Alert>
      )}

      <div aria-live="polite" aria-busy={loading}>
        {page && page.items.length === 0 && !loading && (
          <p className="rounded-lg border border-dashed border-slate-300 p-8 text-center text-slate-500 dark:border-slate-700">
            {scope === 'mine' ? (
              <>
                You have no videos{filters.q ? ' matching that search' : ' yet'}.{' '}
                <Link to="/upload" className="text-indigo-700 underline dark:text-indigo-300">
                  Upload one
                </Link>
                .
              </>
            ) : (
              'No videos match.'
            )}
          </p>
        )}
        {page && page.items.length > 0 && (
          <>
            <p className="mb-3 text-sm text-slate-500">
              {page.total} video{page.total === 1 ? '' : 's'}
            </p>
            <ul
              className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4"
              aria-label={heading}
            >
              {page.items.map((video) => (
                <VideoCard
                  key={video.id}
                  video={video}
                  showOwner={scope === 'public'}
                  onDelete={scope === 'mine' ? setToDelete : undefined}
                />
              ))}
            </ul>
          </>
        )}
        {!page && loading && <p className="text-slate-500">Loading videos…</p>}
      </div>

      {pages > 1 && (
        <nav aria-label="Pages" className="flex items-center justify-center gap-2">
          <button
            type="button"
            className="btn-secondary"
            disabled={current <= 1}
            onClick={() => update({ page: String(current - 1) })}
          >
            Previous
          </button>
          <span className="text-sm" aria-current="page">
            Page {current} of {pages}
          </span>
          <button
            type="button"
            className="btn-secondary"
            disabled={current >= pages}
            onClick={() => update({ page: String(current + 1) })}
          >
            Next
          </button>
        </nav>
      )}
      <p className="sr-only">Showing up to {PAGE_SIZE} videos per page.</p>

      <ConfirmDialog
        open={toDelete !== undefined}
        title="Delete this video?"
        confirmLabel="Delete"
        busy={deleting}
        onCancel={() => setToDelete(undefined)}
        onConfirm={() => void confirmDelete()}
      >
        “{toDelete?.title}” and all its renditions will be removed for good. Running transcodes are
        cancelled.
      </ConfirmDialog>
    </div>
  );
}

function Select({
  id,
  label,
  value,
  options,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  options: [string, string][];
  onChange: (value: string) => void;
}) {
  return (
    <div>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      <select
        id={id}
        className="field-input"
        value={value}
        onChange={(event) => onChange(event.target.value)}
      >
        {options.map(([optionValue, text]) => (
          <option key={optionValue} value={optionValue}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}
