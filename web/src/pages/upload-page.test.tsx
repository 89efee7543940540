// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { Job } from '@videoforge/contracts';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiProvider } from '../auth/auth-context.tsx';
import { createApiClient } from '../lib/api-client.ts';
import { aVideo } from '../lib/video.fixtures.ts';
import type { ClientProbe } from '../upload/upload-io.ts';
import { createVideoUppy, type VideoUppy } from '../upload/uppy-uploader.ts';
import { UploadPage } from './upload-page.tsx';

const hd = { width: 1280, height: 720, durationSeconds: 8 };

function renderPage(probe: (file: File) => Promise<ClientProbe> = async () => hd): VideoUppy {
  const api = createApiClient({ fetch: vi.fn(async () => new Response('{}', { status: 500 })) });
  const uppy = createVideoUppy(api, { concurrency: 1 });
  render(
    <ApiProvider client={api}>
      <MemoryRouter>
        <UploadPage uppy={uppy} probe={probe} />
      </MemoryRouter>
    </ApiProvider>,
  );
  return uppy;
}

function choose(...names: string[]) {
  const files = names.map(
    (name, i) =>
      new File([new Uint8Array(1000 + i)], name, {
        type: name.endsWith('.txt') ? 'text/plain' : 'video/mp4',
      }),
  );
  fireEvent.change(screen.getByLabelText(/choose files/i), { target: { files } });
  return files;
}

const checkbox = (format: string) =>
  screen.getByRole<HTMLInputElement>('checkbox', { name: new RegExp(`^${format}`) });
const only = (uppy: VideoUppy) => Object.values(uppy.getState().files)[0]!;

describe('<UploadPage>', () => {
  afterEach(cleanup);

  it('queues many files, each titled by its name and editable before it starts', () => {
    renderPage();
    const files = choose('Holiday 2026.mp4', 'talk.mov', 'notes.txt');
    expect(screen.getAllByTestId('queue-item').map((item) => item.dataset.fileName)).toEqual([
      'Holiday 2026.mp4',
      'talk.mov',
      'notes.txt',
    ]);
    const title = screen.getByLabelText<HTMLInputElement>('Title for Holiday 2026.mp4');
    expect(title.value).toBe('Holiday 2026');
    fireEvent.change(title, { target: { value: 'Summer' } });
    expect(screen.getByLabelText<HTMLInputElement>('Title for Holiday 2026.mp4').value).toBe(
      'Summer',
    );
    expect(screen.getByRole('button', { name: 'Upload 3 files' })).toBeTruthy();
    // The same file twice is one queue entry.
    fireEvent.change(screen.getByLabelText(/choose files/i), { target: { files: [files[1]] } });
    expect(screen.getAllByTestId('queue-item')).toHaveLength(3);
    fireEvent.click(screen.getByRole('button', { name: 'Remove talk.mov' }));
    expect(screen.getAllByTestId('queue-item')).toHaveLength(2);
  });

  it('shows the probe, disables formats above the source and keeps the choice, description, visibility and HDR in the file’s meta', async () => {
    const uppy = renderPage();
    choose('holiday.mp4');
    expect(await screen.findByText(/1280×720 · 0:08/)).toBeTruthy();
    expect(checkbox('2160p').disabled).toBe(true);
    expect(checkbox('1080p').disabled).toBe(true);
    expect(checkbox('720p').checked).toBe(true);
    expect(checkbox('480p').checked).toBe(true);
    await waitFor(() => expect(only(uppy).meta.formats).toEqual(['720p', '480p', '360p']));
    fireEvent.click(checkbox('480p'));
    expect(only(uppy).meta.formats).toEqual(['720p', '360p']);
    fireEvent.change(screen.getByLabelText('Description for holiday.mp4'), {
      target: { value: 'At the sea' },
    });
    fireEvent.click(screen.getByRole('checkbox', { name: /HDR/ }));
    fireEvent.click(screen.getByRole('radio', { name: /Private/ }));
    expect(only(uppy).meta).toMatchObject({
      title: 'holiday',
      description: 'At the sea',
      visibility: 'private',
      formats: ['720p', '360p'],
      hdr: true,
    });
    // No format left: nothing to upload.
    fireEvent.click(checkbox('720p'));
    fireEvent.click(checkbox('360p'));
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Upload 1 file' }).disabled).toBe(
      true,
    );
  });

  it('names the one rendition of a source below the ladder by its own size', async () => {
    renderPage(async () => ({ width: 320, height: 240, durationSeconds: 2 }));
    choose('tiny.mp4');
    await screen.findByText(/320×240/);
    expect(checkbox('240p').checked).toBe(true);
    expect(checkbox('480p').disabled).toBe(true);
  });

  it('leaves the formats to the server when the browser cannot read the file', async () => {
    const uppy = renderPage(async () => Promise.reject(new Error('cannot decode')));
    choose('odd.mkv');
    expect(
      await screen.findByText(/could not read the file’s resolution \(cannot decode\)/),
    ).toBeTruthy();
    // Untouched: no formats in the meta, so the API picks them after its own probe.
    expect(only(uppy).meta.formats).toBeUndefined();
    fireEvent.click(checkbox('2160p'));
    expect(only(uppy).meta.formats).toEqual(['1080p', '720p', '480p', '360p']);
  });

  it('shows a finished upload’s job, metadata and a link to the video', async () => {
    const uppy = renderPage();
    choose('holiday.mp4');
    const video = aVideo({ id: '7', title: 'Holiday', status: 'processing' });
    const job = Job.parse({
      id: '9',
      videoId: '7',
      status: 'running',
      progress: 40,
      formats: ['720p', '360p'],
      errorMessage: null,
      attempts: 1,
      renditions: [{ name: '720p', phase: 'succeeded', progress: 100 }],
      playable: true,
      playableAt: '2026-01-01T00:00:00.000Z',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      startedAt: '2026-01-01T00:00:00.000Z',
      completedAt: null,
    });
    const file = only(uppy);
    act(() =>
      uppy.setFileState(file.id, {
        progress: {
          ...file.progress,
          uploadStarted: Date.now(),
          uploadComplete: true,
          bytesUploaded: file.size ?? 0,
        },
        response: { status: 200, body: { location: '/videos/7', video, job }, uploadURL: '' },
      }),
    );
    expect(await screen.findByText('Upload complete')).toBeTruthy();
    expect(screen.getByTestId('job-status').getAttribute('data-status')).toBe('running');
    expect(screen.getByTestId('metadata-video-codec').textContent).toBe('h264');
    const watch = screen.getByTestId('watch-link');
    expect(watch.getAttribute('href')).toBe('/videos/7');
    expect(watch.textContent).toBe('Watch now');
    expect(screen.queryByRole('button', { name: /Cancel|Remove/ })).toBeNull();
  });
});
