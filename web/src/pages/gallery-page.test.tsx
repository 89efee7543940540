// @vitest-environment jsdom
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import type { Role, Video, VideoPage } from '@videoforge/contracts';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiProvider } from '../auth/auth-context.tsx';
import { RequireAdmin } from '../components/require-admin.tsx';
import type { ApiClient } from '../lib/api-client.ts';
import { aVideo } from '../lib/video.fixtures.ts';
import { GalleryPage } from './gallery-page.tsx';

const video = (id: string, ownerName: string, visibility: Video['visibility']): Video =>
  aVideo({ id, ownerId: id, ownerName, title: `Video ${id}`, visibility });

/** Only what the gallery uses of the client: a signed-in session and request. */
function fakeClient(role: Role) {
  const answer: VideoPage = {
    items: [video('1', 'alice', 'public'), video('2', 'bob', 'private')],
    page: 1,
    pageSize: 12,
    total: 2,
  };
  const request = vi.fn(async () => answer);
  const client = {
    state: {
      status: 'signed-in',
      session: {
        user: { id: '9', username: 'root', role },
        accessToken: 't',
        accessExpiresAt: Date.now() + 60_000,
      },
    },
    subscribe: () => () => {},
    restore: async () => {},
    request,
  } as unknown as ApiClient;
  return { client, request };
}

const renderAll = (client: ApiClient, url: string) =>
  render(
    <ApiProvider client={client}>
      <MemoryRouter initialEntries={[url]}>
        <RequireAdmin>
          <GalleryPage scope="all" />
        </RequireAdmin>
      </MemoryRouter>
    </ApiProvider>,
  );

afterEach(cleanup);

describe('all videos (admins)', () => {
  it('lists every video, private ones included, with owners and delete', async () => {
    const { client, request } = fakeClient('admin');
    renderAll(client, '/all-videos?minResolution=720&sort=title');
    await waitFor(() => expect(screen.getAllByTestId('video-card')).toHaveLength(2));
    expect(request).toHaveBeenCalledWith(
      'GET',
      '/api/videos?scope=all&minResolution=720&sort=title&order=asc&page=1&pageSize=12',
      expect.objectContaining({ auth: 'required' }),
    );
    expect(screen.getByRole('heading', { name: 'All videos' })).toBeTruthy();
    expect(screen.getByText(/bob/).textContent).toMatch(/Private/);
    expect(screen.getByRole('button', { name: 'Delete Video 2' })).toBeTruthy();
  });

  it('does not ask for a range the API would refuse', () => {
    const { client, request } = fakeClient('admin');
    renderAll(client, '/all-videos?after=2026-03-02&before=2026-03-01');
    expect(screen.getByText('“Uploaded since” must be earlier than “before”.')).toBeTruthy();
    expect(request).not.toHaveBeenCalled();
  });

  it('is not for other users', () => {
    const { client, request } = fakeClient('user');
    renderAll(client, '/all-videos');
    expect(screen.getByRole('heading', { name: 'Admins only' })).toBeTruthy();
    expect(request).not.toHaveBeenCalled();
  });
});
