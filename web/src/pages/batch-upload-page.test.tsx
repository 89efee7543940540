// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiProvider } from '../auth/auth-context.tsx';
import { createApiClient } from '../lib/api-client.ts';
import { BatchUploadPage } from './batch-upload-page.tsx';

function renderPage() {
  const api = createApiClient({ fetch: vi.fn(async () => new Response('{}', { status: 500 })) });
  render(
    <ApiProvider client={api}>
      <MemoryRouter>
        <BatchUploadPage persist={false} />
      </MemoryRouter>
    </ApiProvider>,
  );
}

describe('<BatchUploadPage>', () => {
  afterEach(cleanup);

  it('queues many files, each titled by its name and editable before it starts', () => {
    renderPage();
    const files = ['Holiday 2026.mp4', 'talk.mov', 'notes.txt'].map(
      (name, i) =>
        new File([new Uint8Array(1000 + i)], name, {
          type: name.endsWith('.txt') ? 'text/plain' : 'video/mp4',
        }),
    );
    fireEvent.change(screen.getByLabelText(/choose files/i), { target: { files } });
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
});
