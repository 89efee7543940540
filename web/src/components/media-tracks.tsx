import { TracksResponse, type TracksSummary } from '@videoforge/contracts';
import { useEffect, useState } from 'react';
import { useApi } from '../auth/auth-context.tsx';

/** Loads `GET /api/videos/:id/tracks` whenever `version` changes (a job event, a caption added). */
export function useVideoTracks(videoId: string, version: unknown): TracksSummary | null {
  const api = useApi();
  const [tracks, setTracks] = useState<TracksSummary | null>(null);
  useEffect(() => {
    let cancelled = false;
    api
      .request('GET', `/api/videos/${encodeURIComponent(videoId)}/tracks`, {
        schema: TracksResponse,
      })
      .then(
        (response) => {
          if (!cancelled) setTracks(response.tracks);
        },
        () => undefined,
      );
    return () => {
      cancelled = true;
    };
  }, [api, videoId, version]);
  return tracks;
}

const channelsLabel = (channels: number) =>
  channels === 1 ? 'mono' : channels === 2 ? 'stereo' : `${channels} channels`;

/** What the transcoder made of the source's audio and subtitle tracks, and what it skipped. */
export function MediaTracks({ tracks }: { tracks: TracksSummary }) {
  return (
    <section
      aria-labelledby="tracks-heading"
      className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
      data-testid="tracks"
    >
      <h2 id="tracks-heading" className="mb-2 font-semibold">
        Audio and subtitles
      </h2>
      <ul className="space-y-1 text-sm">
        {tracks.audio.map((track) => (
          <li key={track.id} data-testid={`track-${track.id}`}>
            <span className="font-medium">Audio: {track.name}</span>
            {track.language && <span className="text-slate-500"> ({track.language})</span>}
            {track.default && (
              <span className="ml-2 rounded bg-indigo-100 px-1.5 text-xs text-indigo-800 dark:bg-indigo-900 dark:text-indigo-100">
                main mix
              </span>
            )}
            <span className="text-slate-500">
              {' — '}
              {track.downmix === 'downmixed'
                ? `${channelsLabel(track.sourceChannels)} downmixed to stereo`
                : channelsLabel(track.channels)}
            </span>
          </li>
        ))}
        {tracks.subtitles.map((track) => (
          <li key={track.id} data-testid={`track-${track.id}`}>
            <span className="font-medium">Subtitles: {track.name}</span>
            {track.language && <span className="text-slate-500"> ({track.language})</span>}
            <span className="text-slate-500">
              {' — '}
              {track.sidecar ? 'uploaded caption file' : `from the source (${track.sourceCodec})`}
              {track.forced ? ', forced' : ''}
            </span>
          </li>
        ))}
        {tracks.skipped.map((track) => (
          <li
            key={`${track.kind}-${track.sourceIndex}`}
            className="text-amber-700 dark:text-amber-400"
            data-testid={`track-skipped-${track.sourceIndex}`}
          >
            Skipped {track.kind} track {track.sourceIndex}
            {track.language ? ` (${track.language})` : ''}: {track.reason}
          </li>
        ))}
        {tracks.audio.length + tracks.subtitles.length + tracks.skipped.length === 0 && (
          <li className="text-slate-500">No audio or subtitle tracks.</li>
        )}
      </ul>
    </section>
  );
}
