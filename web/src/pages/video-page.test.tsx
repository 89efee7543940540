// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { Job } from '@videoforge/contracts';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiProvider } from '../auth/auth-context.tsx';
import { ApiError, type ApiClient } from '../lib/api-client.ts';
import { aVideo } from '../lib/video.fixtures.ts';
import { VideoRoute } from './video-page.tsx';

const processing = aVideo({ id: '7', ownerId: '1', title: 'Holiday', status: 'processing' });
const runningJob: Job = {
  id: '4',
  videoId: '7',
  status: 'running',
  progress: 50,
  formats: ['720p', '360p'],
  errorMessage: null,
  attempts: 1,
  renditions: [
    { name: '720p', phase: 'running', progress: 10 },
    { name: '360p', phase: 'succeeded', progress: 100 },
  ],
  playable: true,
  playableAt: '2026-01-01T00:00:00.000Z',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  startedAt: '2026-01-01T00:00:00.000Z',
  completedAt: null,
};

/** Only what the video page uses of the client, signed in as user `userId`. */
function fakeClient(
  userId: string,
  { deleteFails = false, video = processing, job = undefined as Job | undefined } = {},
) {
  const world = { video, job };
  const request = vi.fn(async (method: string, path: string) => {
    if (method === 'GET' && path === '/api/videos/7') return world.video;
    if (method === 'GET' && path.startsWith('/api/jobs?'))
      return { items: world.job ? [world.job] : [], page: 1, pageSize: 1, total: 0 };
    if (method === 'GET' && path === '/api/videos/7/tracks') throw new Error('no tracks yet');
    if (method === 'GET' && path === '/api/videos/7/downloads')
      return { items: [{ rendition: '360p', url: 'https://storage.test/360p.mp4' }] };
    if (method === 'POST' && path === '/api/jobs/4/cancel') {
      // The 720p rendition landed just before the cancel: the video is ready now.
      world.video = { ...world.video, status: 'ready' };
      return (world.job = { ...runningJob, status: 'cancelled' });
    }
    if (method === 'DELETE' && path === '/api/videos/7') {
      if (deleteFails) throw new ApiError(409, 'conflict', 'The job is still running.', {});
      return undefined;
    }
    if (method === 'PATCH' && path === '/api/videos/7') return { ...processing, title: 'Renamed' };
    throw new Error(`unexpected ${method} ${path}`);
  });
  const client = {
    state: {
      status: 'signed-in',
      session: {
        user: { id: userId, username: 'alice', role: 'user' },
        accessToken: 't',
        accessExpiresAt: Date.now() + 60_000,
      },
    },
    subscribe: () => () => {},
    restore: async () => {},
    accessToken: async () => 't',
    request,
  } as unknown as ApiClient;
  return { client, request };
}

const renderPage = (client: ApiClient) =>
  render(
    <ApiProvider client={client}>
      <MemoryRouter initialEntries={['/videos/7']}>
        <Routes>
          <Route path="/videos/:id" element={<VideoRoute />} />
          <Route path="/my-videos" element={<h1>My videos</h1>} />
        </Routes>
      </MemoryRouter>
    </ApiProvider>,
  );

// jsdom has <dialog> without its methods; ConfirmDialog opens it with the `open` attribute.
if (typeof HTMLDialogElement.prototype.close !== 'function')
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    this.removeAttribute('open');
  };

// jsdom has no media pipeline; the player's engines call load() to stop a download.
beforeEach(() => {
  vi.spyOn(HTMLMediaElement.prototype, 'load').mockImplementation(() => undefined);
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('the video page', () => {
  it('shows a video still transcoding, without edit or delete for other users', async () => {
    const { client } = fakeClient('2');
    renderPage(client);
    expect((await screen.findByTestId('video-title')).textContent).toBe('Holiday');
    expect(screen.getByTestId('not-playable').textContent).toMatch(/^Transcoding…/);
    expect(screen.getByTestId('video-status').textContent).toBe('processing');
    expect(screen.queryByRole('form', { name: 'Edit' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete video' })).toBeNull();
  });

  it('saves an edit for the owner', async () => {
    const { client, request } = fakeClient('1');
    renderPage(client);
    const title = await screen.findByLabelText('Title');
    fireEvent.change(title, { target: { value: 'Renamed' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved.');
    expect(screen.getByTestId('video-title').textContent).toBe('Renamed');
    expect(request).toHaveBeenCalledWith(
      'PATCH',
      '/api/videos/7',
      expect.objectContaining({
        body: { title: 'Renamed', description: '', visibility: 'public' },
      }),
    );
  });

  it('deletes after confirmation and goes to the owner’s videos', async () => {
    const { client, request } = fakeClient('1');
    renderPage(client);
    fireEvent.click(await screen.findByRole('button', { name: 'Delete video' }));
    expect(screen.getByRole('dialog', { name: 'Delete this video?' }).textContent).toMatch(
      /“Holiday” and all its renditions/,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await screen.findByRole('heading', { name: 'My videos' });
    expect(request).toHaveBeenCalledWith('DELETE', '/api/videos/7', { auth: 'required' });
  });

  it('closes the dialog and says why when the delete fails', async () => {
    const { client } = fakeClient('1', { deleteFails: true });
    renderPage(client);
    fireEvent.click(await screen.findByRole('button', { name: 'Delete video' }));
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await screen.findByText('The job is still running.');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.getByTestId('video-title').textContent).toBe('Holiday');
  });

  it('keeps playing what was there when every rendition lands, and offers to reload', async () => {
    const { client } = fakeClient('1', {
      video: { ...processing, status: 'playable' },
      job: runningJob,
    });
    renderPage(client);
    await waitFor(() => expect(screen.getByTestId('player').dataset.playingHeight).toBe('360'));
    const player = screen.getByTestId('player');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel transcoding' }));
    await waitFor(() => expect(screen.getByTestId('video-status').textContent).toBe('ready'));
    expect(screen.getByTestId('player')).toBe(player);
    fireEvent.click(screen.getByRole('button', { name: 'Reload the player for all qualities' }));
    expect(screen.queryByText(/Every rendition is ready now/)).toBeNull();
    expect(screen.getByTestId('player')).not.toBe(player);
  });
});
