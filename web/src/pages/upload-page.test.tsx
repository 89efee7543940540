// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { UploadCompleteResponse } from '@videoforge/contracts';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiProvider } from '../auth/auth-context.tsx';
import { createApiClient } from '../lib/api-client.ts';
import { aVideo } from '../lib/video.fixtures.ts';
import type { UploadDeps } from '../upload/multipart-upload.ts';
import { UploadPage } from './upload-page.tsx';

const MiB = 1024 * 1024;
const uploadId = '00000000-0000-4000-8000-000000000002';
const video = aVideo({
  id: '7',
  title: 'Holiday',
  status: 'processing',
  originalFilename: 'holiday.mp4',
  bitRate: 12_000_000,
  fileSize: 12 * MiB,
});
const job = {
  id: '9',
  videoId: '7',
  status: 'pending',
  progress: 0,
  formats: ['720p', '360p'],
  errorMessage: null,
  attempts: 0,
  renditions: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  completedAt: null,
} as const;

/** Parts finish when the test says so, so intermediate states can be looked at. */
function fakeDeps() {
  const pending: Array<{
    resolve: (etag: string) => void;
    reject: (e: Error) => void;
    size: number;
    onProgress: (n: number) => void;
  }> = [];
  const deps: UploadDeps = {
    createUpload: vi.fn<UploadDeps['createUpload']>(async ({ size }) => ({
      mode: 'multipart',
      uploadId,
      key: 'k',
      partSize: 5 * MiB,
      parts: Array.from({ length: Math.ceil(size / (5 * MiB)) }, (_, i) => ({
        partNumber: i + 1,
        url: `https://s.test/${i + 1}`,
      })),
      expiresAt: '2030-01-01T00:00:00.000Z',
    })),
    completeUpload: vi.fn<UploadDeps['completeUpload']>(async () =>
      UploadCompleteResponse.parse({ video, job }),
    ),
    abortUpload: vi.fn(async () => undefined),
    putPart: vi.fn<UploadDeps['putPart']>(
      (_url, body, { onProgress, signal }) =>
        new Promise((resolve, reject) => {
          signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
          pending.push({ resolve, reject, size: body.size, onProgress });
        }),
    ),
    sleep: vi.fn(async () => undefined),
    now: (() => {
      let t = 0;
      return () => (t += 500);
    })(),
  };
  return { deps, pending };
}

function renderPage(
  deps: UploadDeps,
  probe = vi.fn(async () => ({ width: 1280, height: 720, durationSeconds: 8 })),
) {
  const api = createApiClient({ fetch: vi.fn(async () => new Response('{}', { status: 500 })) });
  render(
    <ApiProvider client={api}>
      <MemoryRouter>
        <UploadPage deps={deps} probe={probe} />
      </MemoryRouter>
    </ApiProvider>,
  );
}

function choose(name = 'holiday.mp4', size = 12 * MiB) {
  const file = new File([new Uint8Array(size)], name, { type: 'video/mp4' });
  fireEvent.change(screen.getByLabelText(/choose a file/i), { target: { files: [file] } });
}

const checkbox = (format: string) =>
  screen.getByRole<HTMLInputElement>('checkbox', { name: new RegExp(`^${format}`) });

describe('<UploadPage>', () => {
  afterEach(cleanup);

  it('shows the probe and disables formats above the source', async () => {
    renderPage(fakeDeps().deps);
    choose();
    expect(await screen.findByText(/1280×720 · 0:08/)).toBeTruthy();
    expect(checkbox('2160p').disabled).toBe(true);
    expect(checkbox('1080p').disabled).toBe(true);
    expect(checkbox('720p').checked).toBe(true);
    expect(screen.getByLabelText<HTMLInputElement>('Title').value).toBe('holiday');
  });

  it('uploads the parts in parallel behind one progress bar, then shows the job and metadata', async () => {
    const { deps, pending } = fakeDeps();
    renderPage(deps);
    choose();
    await screen.findByText(/1280×720/);
    fireEvent.click(checkbox('480p'));
    fireEvent.click(screen.getByRole('button', { name: 'Upload' }));
    await waitFor(() => expect(pending).toHaveLength(3));
    pending[0]!.onProgress(pending[0]!.size);
    pending[1]!.onProgress(MiB);
    const bar = await screen.findByRole('progressbar', { name: 'Upload progress' });
    await waitFor(() =>
      expect(bar.getAttribute('aria-valuenow')).toBe(String(Math.round((6 / 12) * 100))),
    );
    expect(screen.getByTestId('upload-progress').textContent).toMatch(/left/);
    expect(screen.getByRole('button', { name: 'Cancel upload' })).toBeTruthy();
    pending.forEach((part, index) => part.resolve(`"e${index + 1}"`));
    expect(await screen.findByText('Upload complete')).toBeTruthy();
    expect(deps.completeUpload).toHaveBeenCalledWith(uploadId, {
      parts: [
        { partNumber: 1, etag: '"e1"' },
        { partNumber: 2, etag: '"e2"' },
        { partNumber: 3, etag: '"e3"' },
      ],
      formats: ['720p', '360p'],
    });
    expect(screen.getByTestId('job-status').getAttribute('data-status')).toBe('pending');
    expect(screen.getByTestId('metadata-video-codec').textContent).toBe('h264');
  });

  it('cancel aborts the upload on the server and offers to try again', async () => {
    const { deps, pending } = fakeDeps();
    renderPage(deps);
    choose();
    fireEvent.click(await screen.findByRole('button', { name: 'Upload' }));
    await waitFor(() => expect(pending).toHaveLength(3));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel upload' }));
    expect(await screen.findByText(/Upload cancelled/)).toBeTruthy();
    await waitFor(() => expect(deps.abortUpload).toHaveBeenCalledWith(uploadId));
    expect(deps.completeUpload).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(screen.getByRole('button', { name: 'Upload' })).toBeTruthy();
  });

  it('says clearly when the server refuses the file', async () => {
    const { deps, pending } = fakeDeps();
    vi.mocked(deps.completeUpload).mockRejectedValueOnce(
      Object.assign(new Error('the upload is not a usable video: a still image'), {
        code: 'not_a_video',
      }),
    );
    renderPage(
      deps,
      vi.fn(async () => Promise.reject(new Error('cannot decode'))),
    );
    choose('photo.mp4', 1000);
    expect(await screen.findByText(/could not read the file’s resolution/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Upload' }));
    await waitFor(() => expect(pending).toHaveLength(1));
    pending[0]!.resolve('"e1"');
    const alert = await screen.findByRole('alert');
    // Unprobed and untouched: the API picks the formats after its own probe.
    expect(deps.completeUpload).toHaveBeenCalledWith(uploadId, {
      parts: [{ partNumber: 1, etag: '"e1"' }],
    });
    expect(alert.textContent).toContain('This file is not a usable video');
    expect(alert.textContent).toContain('a still image');
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Choose another file' })).toBeTruthy();
  });
});
