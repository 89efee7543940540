import { VideoPage, type Video } from '@videoforge/contracts';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useApi } from '../auth/auth-context.tsx';
import { Alert } from '../components/alert.tsx';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { GalleryFilterBar, useGalleryFilters } from '../components/gallery-filters.tsx';
import { VideoCard } from '../components/video-card.tsx';
import { useJobEvents } from '../events/job-events.tsx';
import { errorMessage } from '../lib/api-client.ts';
import {
  filterProblems,
  galleryRequest,
  PAGE_SIZE,
  type GalleryScope,
} from '../lib/gallery-query.ts';

const HEADINGS: Record<GalleryScope, string> = {
  public: 'Gallery',
  mine: 'My videos',
  all: 'All videos',
};

/**
 * The public gallery, "My videos" and the admins' "All videos" (private ones included):
 * search, filters, sort and pagination live in the URL (shareable, survive a reload,
 * back button works). Mine and All also delete, and the pages follow their videos' jobs
 * live: an event that changes a video's state reloads the page of results once.
 */
export function GalleryPage({ scope }: { scope: GalleryScope }) {
  const api = useApi();
  const [filters, update] = useGalleryFilters();
  // Ranges the wrong way round are named by the filter bar rather than sent (the API answers 400).
  const blocked = filterProblems(filters).length > 0;
  const request = galleryRequest(scope, filters);
  const key = blocked ? 'blocked' : request;
  // The last answer and what it answered; a different key means a new one is on its way.
  const [result, setResult] = useState<{ key: string; page?: VideoPage; error?: string }>();
  const page = result?.page;
  const loading = !blocked && result?.key !== key;
  const [actionError, setActionError] = useState<string | undefined>();
  const error = actionError ?? (result?.key === key ? result.error : undefined);
  const [toDelete, setToDelete] = useState<Video | undefined>();
  const [deleting, setDeleting] = useState(false);
  const [notice, setNotice] = useState<string | undefined>();
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = useCallback(
    async (signal?: AbortSignal) => {
      if (blocked) return;
      try {
        const answer = await api.request('GET', request, {
          schema: VideoPage,
          auth: scope === 'public' ? 'optional' : 'required',
          ...(signal ? { signal } : {}),
        });
        setResult({ key, page: answer });
      } catch (failure) {
        if (signal?.aborted) return;
        setResult((previous) => ({ ...previous, key, error: errorMessage(failure) }));
      }
    },
    [api, scope, request, key, blocked],
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
  const heading = HEADINGS[scope];
  const canDelete = scope !== 'public';
  const filtered = Object.keys(filters).some((name) => name !== 'sort' && name !== 'page');

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold">{heading}</h1>
          {scope === 'all' && (
            <p className="text-sm text-slate-500 dark:text-slate-400">
              Every user’s videos, private ones included. As an admin you can edit or delete any of
              them.
            </p>
          )}
        </div>
        {scope === 'mine' && (
          <Link to="/upload" className="btn-primary">
            Upload a video
          </Link>
        )}
      </div>

      <GalleryFilterBar filters={filters} onChange={update} />

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
        {page && page.items.length === 0 && !loading && !blocked && (
          <p className="rounded-lg border border-dashed border-slate-300 p-8 text-center text-slate-500 dark:border-slate-700">
            {scope === 'mine' ? (
              <>
                You have no videos{filtered ? ' matching these filters' : ' yet'}.{' '}
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
        {page && page.items.length > 0 && !blocked && (
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
                  showOwner={scope !== 'mine'}
                  onDelete={canDelete ? setToDelete : undefined}
                />
              ))}
            </ul>
          </>
        )}
        {!page && loading && <p className="text-slate-500">Loading videos…</p>}
      </div>

      {pages > 1 && !blocked && (
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
