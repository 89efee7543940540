// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JobStatusPanel } from './job-status.tsx';

const base = {
  id: '4',
  formats: ['720p', '360p'],
  errorMessage: null,
};

describe('<JobStatusPanel>', () => {
  afterEach(cleanup);

  it('shows overall and per-rendition progress', () => {
    render(
      <JobStatusPanel
        job={{
          ...base,
          status: 'running',
          progress: 62,
          renditions: [
            { name: '720p', phase: 'running', progress: 24 },
            { name: '360p', phase: 'succeeded', progress: 100 },
          ],
        }}
      />,
    );
    expect(screen.getByTestId('job-status-text').textContent).toBe('in progress');
    expect(
      screen
        .getByRole('progressbar', { name: 'Transcoding progress' })
        .getAttribute('aria-valuenow'),
    ).toBe('62');
    expect(screen.getByTestId('rendition-720p').textContent).toContain('running 24%');
    expect(screen.getByTestId('rendition-360p').textContent).toContain('ready');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('lists the requested formats as pending before the controller reports renditions', () => {
    render(<JobStatusPanel job={{ ...base, status: 'pending', progress: 0, renditions: [] }} />);
    expect(screen.getByTestId('job-status-text').textContent).toBe('queued');
    expect(screen.getByTestId('rendition-720p').textContent).toContain('pending');
  });

  it('says that transcoding failed, with the reason, and offers a retry', () => {
    const onRetry = vi.fn();
    render(
      <JobStatusPanel
        job={{
          ...base,
          status: 'failed',
          progress: 40,
          errorMessage:
            '720p: ffmpeg exited with code 1 (Invalid data found when processing input)',
          renditions: [{ name: '720p', phase: 'failed', progress: 40 }],
        }}
        onRetry={onRetry}
        onCancel={vi.fn()}
      />,
    );
    const alert = screen.getByRole('alert');
    expect(within(alert).getByText('Transcoding failed')).toBeTruthy();
    expect(alert.textContent).toContain('Invalid data found when processing input');
    expect(screen.queryByRole('button', { name: 'Cancel transcoding' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Retry transcoding' }));
    expect(onRetry).toHaveBeenCalled();
  });
});
