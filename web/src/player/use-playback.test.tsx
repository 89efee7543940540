// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Hls, { type ErrorDetails, type ErrorTypes } from 'hls.js';
import { hlsErrorMessage } from './hls-engine.ts';
import { mp4AutoIndex, mp4Engine, mp4Level } from './mp4-engine.ts';
import { choosePlaybackEngine, type Mp4Source } from './playback-engine.ts';
import {
  parsePlayerPreference,
  PLAYER_PREFERENCE_KEY,
  writePlayerPreference,
  type PlayerPreference,
} from './player-preference.ts';
import { defaultEngines, enginesFor } from './use-playback.ts';
import { VideoPlayer } from './video-player.tsx';

// jsdom has no media pipeline: load() only logs "not implemented". The engines call it
// to stop a download; what the tests look at is the element's src.
beforeEach(() => {
  vi.spyOn(HTMLMediaElement.prototype, 'load').mockImplementation(() => undefined);
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  writePlayerPreference('hls.js');
  localStorage.clear();
});

const withMediaSource = () =>
  vi.stubGlobal(
    'MediaSource',
    class {
      static isTypeSupported = (type: string) => type.startsWith('video/mp4');
    },
  );

const mp4 = (rendition: string): Mp4Source => ({
  rendition,
  url: `https://storage.test/v/${rendition}.mp4`,
});

describe('the engine chosen per browser', () => {
  const mode = (allowNativeHls: boolean) =>
    choosePlaybackEngine(defaultEngines, { allowNativeHls }).mode;

  it('plays MP4 files without Media Source Extensions or native HLS', () => {
    expect(mode(true)).toBe('mp4');
    expect(mode(false)).toBe('mp4');
  });

  it('uses native HLS for public videos only (it cannot send a token)', () => {
    vi.spyOn(HTMLMediaElement.prototype, 'canPlayType').mockImplementation((type) =>
      type === 'application/vnd.apple.mpegurl' ? 'maybe' : '',
    );
    expect(mode(true)).toBe('native');
    expect(mode(false)).toBe('mp4');
  });

  it('prefers hls.js wherever Media Source Extensions exist', () => {
    withMediaSource();
    vi.spyOn(HTMLMediaElement.prototype, 'canPlayType').mockReturnValue('maybe');
    expect(mode(true)).toBe('hls');
    expect(mode(false)).toBe('hls');
  });
});

describe('the engine chosen by the Player setting', () => {
  const mode = (preference: PlayerPreference, allowNativeHls = false) =>
    choosePlaybackEngine(enginesFor(preference), { allowNativeHls }).mode;

  it('plays the DASH manifest with Shaka when chosen, hls.js otherwise', () => {
    withMediaSource();
    expect(mode('hls.js')).toBe('hls');
    expect(mode('shaka')).toBe('shaka');
  });

  it('falls back alike without Media Source Extensions', () => {
    expect(mode('shaka')).toBe('mp4');
    vi.spyOn(HTMLMediaElement.prototype, 'canPlayType').mockImplementation((type) =>
      type === 'application/vnd.apple.mpegurl' ? 'maybe' : '',
    );
    expect(mode('shaka', true)).toBe('native');
  });

  it('is hls.js unless Shaka was stored', () => {
    expect(parsePlayerPreference(null)).toBe('hls.js');
    expect(parsePlayerPreference('shaka')).toBe('shaka');
    expect(parsePlayerPreference('dash.js')).toBe('hls.js');
  });
});

describe('MP4 levels', () => {
  it('names levels after their rendition and plays the highest up to 1080p on Auto', () => {
    const levels = ['360p', '2160p', '1080p', '720p'].map((r, i) => mp4Level(mp4(r), i));
    expect(levels.map((level) => level.height)).toEqual([360, 2160, 1080, 720]);
    expect(mp4AutoIndex(levels)).toBe(2);
  });

  it('plays the highest when every file is above 1080p', () => {
    const levels = ['1440p', '2160p'].map((r, i) => mp4Level(mp4(r), i));
    expect(mp4AutoIndex(levels)).toBe(1);
  });
});

describe('<VideoPlayer> on the MP4 fallback', () => {
  const renderPlayer = (loadMp4Sources: () => Promise<Mp4Source[]>) =>
    render(
      <VideoPlayer
        masterUrl="/api/stream/v1/master.m3u8"
        dashUrl="/api/stream/v1/manifest.mpd"
        title="Clip"
        posterUrl={undefined}
        thumbnails={[]}
        getAccessToken={async () => undefined}
        loadMp4Sources={loadMp4Sources}
        allowNativeHls
      />,
    );
  const video = () => screen.getByTestId<HTMLVideoElement>('video');
  const player = () => screen.getByTestId('player');

  it('starts on 1080p, switches file at the same position, and returns on Auto', async () => {
    renderPlayer(async () => [mp4('360p'), mp4('720p'), mp4('1080p'), mp4('2160p')]);
    expect(player().dataset.mode).toBe('mp4');
    await waitFor(() => expect(player().dataset.playingHeight).toBe('1080'));
    expect(video().src).toBe('https://storage.test/v/1080p.mp4');

    video().currentTime = 12;
    fireEvent.click(screen.getByTestId('quality-button'));
    fireEvent.click(screen.getByTestId('quality-option-360p'));
    expect(video().src).toBe('https://storage.test/v/360p.mp4');
    expect(video().currentTime).toBe(12);
    expect(player().dataset.playingHeight).toBe('360');
    expect(screen.getByTestId('quality-button').textContent).toBe('360p');
    expect(screen.getByText('Quality set to 360p')).toBeTruthy();

    fireEvent.click(screen.getByTestId('quality-button'));
    fireEvent.click(screen.getByTestId('quality-option-auto'));
    expect(video().src).toBe('https://storage.test/v/1080p.mp4');
    expect(screen.getByTestId('quality-button').textContent).toBe('Auto (1080p)');
  });

  it('says so when there is no MP4 yet', async () => {
    renderPlayer(async () => []);
    expect((await screen.findByRole('alert')).textContent).toBe(
      'This browser cannot play adaptive streams and no MP4 is available yet.',
    );
  });

  it('says so when the file list cannot be loaded', async () => {
    renderPlayer(() => Promise.reject(new Error('offline')));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The video files could not be loaded.',
    );
  });

  it('shows a media error of the file', async () => {
    renderPlayer(async () => [mp4('720p')]);
    await waitFor(() => expect(video().src).toBe('https://storage.test/v/720p.mp4'));
    Object.defineProperty(video(), 'error', { value: { code: 4, message: '' } });
    act(() => {
      video().dispatchEvent(new Event('error'));
    });
    expect(screen.getByRole('alert').textContent).toBe('Playback failed: media error 4.');
  });
});

describe('the Player menu', () => {
  const renderPlayer = () =>
    render(
      <VideoPlayer
        masterUrl="/api/stream/v1/master.m3u8"
        dashUrl="/api/stream/v1/manifest.mpd"
        title="Clip"
        posterUrl={undefined}
        thumbnails={[]}
        getAccessToken={async () => undefined}
        loadMp4Sources={async () => [mp4('720p')]}
        allowNativeHls={false}
      />,
    );
  const button = () => screen.getByTestId('player-engine-button');

  it('offers hls.js (the default) and Shaka Player, and keeps the choice in localStorage', async () => {
    renderPlayer();
    expect(button().getAttribute('aria-label')).toBe('Player: hls.js');
    fireEvent.click(button());
    expect(screen.getAllByRole('menuitemradio')).toEqual([
      screen.getByRole('menuitemradio', { name: 'hls.js', checked: true }),
      screen.getByRole('menuitemradio', { name: 'Shaka Player', checked: false }),
    ]);
    fireEvent.click(screen.getByRole('menuitemradio', { name: 'Shaka Player' }));
    expect(localStorage.getItem(PLAYER_PREFERENCE_KEY)).toBe('shaka');
    await waitFor(() => expect(button().getAttribute('aria-label')).toBe('Player: Shaka Player'));

    cleanup();
    renderPlayer();
    expect(button().getAttribute('aria-label')).toBe('Player: Shaka Player');
  });
});

describe('the MP4 engine', () => {
  it('sets no source once detached before the file list arrives', async () => {
    const element = document.createElement('video');
    let resolve: (sources: Mp4Source[]) => void = () => undefined;
    const reported: number[] = [];
    const session = mp4Engine.attach(
      element,
      {
        masterUrl: '/m.m3u8',
        dashUrl: '/m.mpd',
        getAccessToken: async () => undefined,
        loadMp4Sources: () => new Promise((r) => (resolve = r)),
      },
      {
        levels: () => undefined,
        playingLevel: (index) => reported.push(index),
        audioTracks: () => undefined,
        audioTrack: () => undefined,
        subtitleTracks: () => undefined,
        subtitleTrack: () => undefined,
        error: () => undefined,
      },
    );
    session.destroy();
    resolve([mp4('720p')]);
    await Promise.resolve();
    await Promise.resolve();
    expect(element.getAttribute('src')).toBeNull();
    expect(reported).toEqual([]);
  });
});

describe('hls.js failures', () => {
  it('tells a missing stream, a lost connection, a broken playlist and a decoding failure apart', () => {
    const { NETWORK_ERROR, MEDIA_ERROR } = Hls.ErrorTypes;
    const fail = (type: ErrorTypes, code?: number) =>
      hlsErrorMessage({
        type,
        details: Hls.ErrorDetails.BUFFER_APPEND_ERROR,
        ...(code ? { response: { url: '/m.m3u8', code, text: '' } } : {}),
      });
    expect(fail(NETWORK_ERROR, 404)).toBe('This video has no playable renditions yet.');
    expect(fail(NETWORK_ERROR, 503)).toBe(
      'The stream could not be loaded. Check your connection and reload the page.',
    );
    expect(fail(MEDIA_ERROR)).toBe('Playback failed (bufferAppendError).');
    expect(
      hlsErrorMessage({ type: NETWORK_ERROR, details: Hls.ErrorDetails.MANIFEST_PARSING_ERROR }),
    ).toBe("The stream's playlist could not be read (manifestParsingError).");
  });

  it('tells a segment storage lost from a stream not published yet, and names a refusal', () => {
    const { NETWORK_ERROR } = Hls.ErrorTypes;
    const answered = (details: ErrorDetails, code: number) =>
      hlsErrorMessage({
        type: NETWORK_ERROR,
        details,
        response: { url: '/videos/output/1/480p/segment-1.m4s', code, text: '' },
      });
    const missing =
      'Part of this video is missing from storage (a segment answered 404). Reload the page; if it stays, the owner can transcode it again.';
    expect(answered(Hls.ErrorDetails.FRAG_LOAD_ERROR, 404)).toBe(missing);
    expect(answered(Hls.ErrorDetails.MANIFEST_LOAD_ERROR, 404)).toBe(
      'This video has no playable renditions yet.',
    );
    expect(answered(Hls.ErrorDetails.LEVEL_LOAD_ERROR, 404)).toBe(
      'This video has no playable renditions yet.',
    );
    for (const code of [401, 403])
      expect(answered(Hls.ErrorDetails.MANIFEST_LOAD_ERROR, code)).toBe(
        'You are not allowed to watch this video. Sign in and reload the page.',
      );
    expect(answered(Hls.ErrorDetails.FRAG_LOAD_ERROR, 500)).toBe(
      'The stream could not be loaded. Check your connection and reload the page.',
    );
  });
});
