import { Job, type Format, type UploadSummary, type Visibility } from '@videoforge/contracts';
import { useEffect, useMemo, useState, useSyncExternalStore, type DragEvent } from 'react';
import { Link } from 'react-router';
import { useApi } from '../auth/auth-context.tsx';
import { Alert } from '../components/alert.tsx';
import { JobStatusPanel } from '../components/job-status.tsx';
import { ProgressBar } from '../components/progress-bar.tsx';
import { VideoMetadata } from '../components/video-metadata.tsx';
import { useJobEvents } from '../events/job-events.tsx';
import { formatBytes, formatDate, formatDuration, formatEta, formatSpeed } from '../lib/format.ts';
import { applyJobEvent, isPlayable } from '../lib/jobs.ts';
import { defaultFormats, formatOptions } from '../upload/formats.ts';
import { probeInBrowser, type ClientProbe } from '../upload/upload-io.ts';
import {
  attachServerUpload,
  createVideoUppy,
  titleFrom,
  unfinishedUploads,
  type VideoFile,
  type VideoUppy,
} from '../upload/uppy-uploader.ts';

/** Files uploading at once, unless the user picks another number. */
export const DEFAULT_CONCURRENCY = 3;

export interface UploadPageProps {
  /** Golden Retriever (the queue survives a reload); off in unit tests. */
  persist?: boolean;
  /** A prepared Uppy, for tests. */
  uppy?: VideoUppy;
  /** Reads resolution and duration locally; a <video> element by default. */
  probe?: (file: File) => Promise<ClientProbe>;
}

/** What the browser read from each queued file (by Uppy file id). */
type Probe =
  | { status: 'pending' }
  | { status: 'done'; probe: ClientProbe }
  | { status: 'failed'; reason: string };

function useUppyState(uppy: VideoUppy) {
  return useSyncExternalStore(
    (notify) => uppy.store.subscribe(notify),
    () => uppy.getState(),
  );
}

type Rate = { speed: number | undefined; eta: number | undefined };

/**
 * Speed and time left per file, sampled once a second over the last ten seconds of
 * bytes sent (parts resumed from storage are not counted as speed).
 */
function useRates(uppy: VideoUppy): Record<string, Rate> {
  const [rates, setRates] = useState<Record<string, Rate>>({});
  useEffect(() => {
    const samples = new Map<string, { at: number; bytes: number }[]>();
    const timer = setInterval(() => {
      const now = Date.now();
      const next: Record<string, Rate> = {};
      for (const file of Object.values(uppy.getState().files)) {
        if (!file.progress.uploadStarted || file.progress.uploadComplete || file.isPaused) continue;
        const sent = file.progress.bytesUploaded || 0;
        const total = file.progress.bytesTotal ?? file.size ?? 0;
        const list = [...(samples.get(file.id) ?? []), { at: now, bytes: sent }].slice(-10);
        samples.set(file.id, list);
        const first = list[0];
        const seconds = first ? (now - first.at) / 1000 : 0;
        const speed = first && seconds > 0 ? (sent - first.bytes) / seconds : undefined;
        next[file.id] = { speed, eta: speed ? (total - sent) / speed : undefined };
      }
      setRates(next);
    }, 1000);
    return () => clearInterval(timer);
  }, [uppy]);
  return rates;
}

/**
 * Jobs of the finished uploads, kept live by the events stream (and re-read after the
 * stream reconnects); until then, the job each upload's completion returned.
 */
function useLiveJobs(files: VideoFile[]): Record<string, Job> {
  const api = useApi();
  const [live, setLive] = useState<Record<string, Job>>({});
  const created = files.flatMap((f) => (f.response?.body?.job ? [f.response.body.job] : []));
  useJobEvents(
    (event) => {
      const job = live[event.jobId] ?? created.find((j) => j.id === event.jobId);
      if (job) setLive((all) => ({ ...all, [job.id]: applyJobEvent(all[job.id] ?? job, event) }));
    },
    () => {
      for (const job of created)
        void api
          .request('GET', `/api/jobs/${job.id}`, { schema: Job, auth: 'required' })
          .then((fresh) => setLive((all) => ({ ...all, [fresh.id]: fresh })))
          .catch(() => undefined);
    },
  );
  return Object.fromEntries(created.map((job) => [job.id, live[job.id] ?? job]));
}

/**
 * The upload page, on Uppy: one file or many (or a folder), each with its title
 * (default: the file name), description, formats (limited to what the browser read of
 * the source) and HDR choice; a queue with per-file progress, speed, time left, pause,
 * resume and cancel; per-file refusals; and, once a file is uploaded, its live transcode
 * status and a link to the video. After a reload or a crashed tab the server's list of
 * unfinished uploads is offered for resuming; choosing the file again continues where
 * storage stopped (the parts it holds come from the server, not the browser).
 */
export function UploadPage({
  persist = true,
  uppy: given,
  probe: probeFile = probeInBrowser,
}: UploadPageProps = {}) {
  const api = useApi();
  const [concurrency, setConcurrency] = useState(DEFAULT_CONCURRENCY);
  const uppy = useMemo(
    () => given ?? createVideoUppy(api, { concurrency: DEFAULT_CONCURRENCY, persist }),
    [api, given, persist],
  );
  useEffect(() => () => (given ? undefined : uppy.destroy()), [uppy, given]);
  const state = useUppyState(uppy);
  const files = useMemo(() => Object.values(state.files), [state.files]);
  // Golden Retriever brought back the queue of a reloaded or crashed tab: once every file
  // has its bytes again (re-chosen, or kept by the browser), it can go on.
  const resumable =
    Boolean(state.recoveredState) && files.length > 0 && !files.some((f) => f.isGhost);
  const rates = useRates(uppy);
  const jobs = useLiveJobs(files);
  const [probes, setProbes] = useState<Record<string, Probe>>({});
  const [visibility, setVisibility] = useState<Visibility>('public');
  const [unfinished, setUnfinished] = useState<UploadSummary[]>([]);
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    unfinishedUploads(api)
      .then(setUnfinished)
      .catch(() => undefined);
  }, [api]);

  const probe = (id: string, data: File) => {
    setProbes((all) => ({ ...all, [id]: { status: 'pending' } }));
    probeFile(data)
      .then((result) => {
        setProbes((all) => ({ ...all, [id]: { status: 'done', probe: result } }));
        const file = uppy.getFile(id);
        // The formats the source can fill, unless the user picked some meanwhile.
        if (file && !file.progress.uploadStarted && !file.meta.formats)
          uppy.setFileMeta(id, { ...file.meta, formats: defaultFormats(result) });
      })
      .catch((error: unknown) =>
        setProbes((all) => ({
          ...all,
          [id]: {
            status: 'failed',
            reason: error instanceof Error ? error.message : String(error),
          },
        })),
      );
  };

  const add = (list: Iterable<File>) => {
    for (const data of list) {
      try {
        const id = uppy.addFile({
          name: data.name,
          type: data.type,
          data,
          source: 'page',
          meta: { title: titleFrom(data.name), visibility, description: '' },
        });
        const match = unfinished.find((u) => u.filename === data.name && u.size === data.size);
        if (match) attachServerUpload(uppy, id, match);
        probe(id, data);
      } catch (error) {
        // A file already in the queue: Uppy refuses duplicates, and so do we, quietly.
        uppy.log(error instanceof Error ? error.message : String(error));
      }
    }
  };

  const onDrop = (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    setDragging(false);
    add(Array.from(event.dataTransfer.files));
  };

  const queued = files.filter((f) => !f.progress.uploadStarted && !f.error);
  const restorable = unfinished.filter(
    (u) => !files.some((f) => f.name === u.filename && f.size === u.size && !f.isGhost),
  );

  return (
    <div className="mx-auto max-w-4xl space-y-6">
      <h1 className="text-2xl font-bold">Upload videos</h1>

      {restorable.length > 0 && (
        <Alert kind="info" title="Unfinished uploads">
          <p>Choose these files again to resume them; the parts already stored are skipped.</p>
          <ul className="mt-2 space-y-1" data-testid="resumable-uploads">
            {restorable.map((u) => (
              <li key={u.uploadId} data-testid="resumable-upload">
                <span className="font-medium">{u.filename}</span> · {formatBytes(u.size)} · started{' '}
                {formatDate(u.createdAt)} · resumable until {formatDate(u.expiresAt)}
              </li>
            ))}
          </ul>
        </Alert>
      )}

      <label
        htmlFor="upload-files"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="drop-zone"
        className={`flex cursor-pointer flex-col items-center justify-center rounded-lg border-2 border-dashed p-8 text-center transition-colors ${dragging ? 'border-indigo-500 bg-indigo-50 dark:bg-indigo-950' : 'border-slate-300 bg-white hover:border-indigo-400 dark:border-slate-700 dark:bg-slate-900'}`}
      >
        <svg
          viewBox="0 0 24 24"
          width="40"
          height="40"
          fill="currentColor"
          aria-hidden="true"
          className="text-indigo-500"
        >
          <path d="M19.35 10.04A7.49 7.49 0 0 0 12 4C9.11 4 6.6 5.64 5.35 8.04A5.994 5.994 0 0 0 0 14c0 3.31 2.69 6 6 6h13c2.76 0 5-2.24 5-5 0-2.64-2.05-4.78-4.65-4.96zM14 13v4h-4v-4H7l5-5 5 5h-3z" />
        </svg>
        <span className="mt-2 font-medium">Drag videos or a folder here, or choose files</span>
        <span className="mt-1 text-sm text-slate-500">
          MP4, MOV, MKV, WebM, AVI… Each file goes straight to storage in parts; a reload or a
          dropped network resumes.
        </span>
        <input
          id="upload-files"
          type="file"
          multiple
          accept="video/*"
          className="sr-only"
          onChange={(event) => {
            add(Array.from(event.target.files ?? []));
            event.target.value = '';
          }}
        />
      </label>
      <div className="flex flex-wrap items-center gap-4 text-sm">
        <label className="flex items-center gap-2">
          <span>Folder:</span>
          <input
            type="file"
            aria-label="Choose a folder"
            // Non-standard but supported by every current browser.
            {...{ webkitdirectory: '' }}
            onChange={(event) => {
              add(Array.from(event.target.files ?? []));
              event.target.value = '';
            }}
          />
        </label>
        <label className="flex items-center gap-2">
          <span>Uploads at once</span>
          <select
            value={concurrency}
            onChange={(event) => {
              const limit = Number(event.target.value);
              setConcurrency(limit);
              uppy.getPlugin('AwsS3Multipart')?.setOptions({ limit });
            }}
          >
            {[1, 2, 3, 4, 6].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="flex items-center gap-3">
          <legend className="sr-only">Visibility</legend>
          {(['public', 'private'] as const).map((value) => (
            <label key={value} className="flex items-center gap-1">
              <input
                type="radio"
                name="visibility"
                value={value}
                checked={visibility === value}
                onChange={() => {
                  setVisibility(value);
                  for (const f of queued) uppy.setFileMeta(f.id, { ...f.meta, visibility: value });
                }}
              />
              {value === 'public' ? 'Public — in the gallery' : 'Private — only you'}
            </label>
          ))}
        </fieldset>
      </div>

      {files.length > 0 && (
        <ul className="space-y-3" aria-label="Upload queue">
          {files.map((file) => (
            <QueueItem
              key={file.id}
              uppy={uppy}
              file={file}
              rate={rates[file.id]}
              probe={probes[file.id]}
              job={file.response?.body?.job ? jobs[file.response.body.job.id] : undefined}
            />
          ))}
        </ul>
      )}

      <div className="flex flex-wrap gap-2">
        {resumable && (
          <button
            type="button"
            className="btn-primary"
            onClick={() => uppy.emit('restore-confirmed')}
          >
            Resume uploads
          </button>
        )}
        <button
          type="button"
          className="btn-primary"
          disabled={
            queued.length === 0 || queued.some((f) => f.meta.formats && f.meta.formats.length === 0)
          }
          onClick={() => {
            void uppy.upload().catch(() => undefined);
          }}
        >
          Upload {queued.length > 0 ? `${queued.length} ` : ''}
          {queued.length === 1 ? 'file' : 'files'}
        </button>
      </div>
    </div>
  );
}

function QueueItem({
  uppy,
  file,
  rate,
  probe,
  job,
}: {
  uppy: VideoUppy;
  file: VideoFile;
  rate: Rate | undefined;
  probe: Probe | undefined;
  job: Job | undefined;
}) {
  const name = file.name ?? 'file';
  const total = file.progress.bytesTotal ?? file.size ?? 0;
  const sent = file.progress.bytesUploaded || 0;
  const percent = total > 0 ? Math.floor((sent / total) * 100) : 0;
  const started = Boolean(file.progress.uploadStarted);
  const body = file.progress.uploadComplete ? file.response?.body : undefined;
  const probed = probe?.status === 'done' ? probe.probe : undefined;
  const formats = file.meta.formats ?? defaultFormats(probed);
  const setMeta = (meta: Partial<VideoFile['meta']>) =>
    uppy.setFileMeta(file.id, { ...file.meta, ...meta });
  return (
    <li className="card space-y-3" data-testid="queue-item" data-file-name={name}>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <span className="font-medium break-all" data-testid="upload-file-name">
          {name}
        </span>
        <span className="text-sm text-slate-500">
          {formatBytes(total)}
          {probed && (
            <span data-testid="client-probe">
              {' '}
              · {probed.width}×{probed.height} · {formatDuration(probed.durationSeconds)}
            </span>
          )}
        </span>
      </div>
      {file.isGhost && (
        <p className="text-sm text-amber-700" data-testid="ghost-file">
          Choose this file again to resume it.
        </p>
      )}
      {!body && (
        <fieldset disabled={started} className="space-y-3">
          <label className="block">
            <span className="field-label">Title</span>
            <input
              className="field-input"
              aria-label={`Title for ${name}`}
              maxLength={200}
              required
              value={file.meta.title}
              onChange={(event) => setMeta({ title: event.target.value })}
            />
          </label>
          <label className="block">
            <span className="field-label">Description</span>
            <textarea
              className="field-input"
              aria-label={`Description for ${name}`}
              rows={2}
              maxLength={5000}
              value={file.meta.description ?? ''}
              onChange={(event) => setMeta({ description: event.target.value })}
            />
          </label>
          <fieldset>
            <legend className="text-sm font-medium">Formats</legend>
            <p className="text-xs text-slate-500">
              {probed
                ? 'Formats above the source’s resolution are disabled: VideoForge never upscales.'
                : probe?.status === 'failed'
                  ? `Your browser could not read the file’s resolution (${probe.reason}). The server probes it after upload; unless you change the formats, it picks those that fit and never upscales.`
                  : probe?.status === 'pending'
                    ? 'Checking the source’s resolution…'
                    : 'The server checks these against the source’s resolution.'}
            </p>
            <div className="mt-1 flex flex-wrap gap-2">
              {formatOptions(probed).map((option) => (
                <label
                  key={option.format}
                  className={`flex items-center gap-2 rounded-md border px-2 py-1 text-sm ${option.disabled ? 'border-slate-200 text-slate-400 dark:border-slate-800' : 'border-slate-300 dark:border-slate-700'}`}
                >
                  <input
                    type="checkbox"
                    name="formats"
                    value={option.format}
                    disabled={option.disabled}
                    checked={!option.disabled && formats.includes(option.format)}
                    onChange={(event) =>
                      setMeta({
                        formats: event.target.checked
                          ? [...formats, option.format]
                          : formats.filter((format: Format) => format !== option.format),
                      })
                    }
                  />
                  {option.label}
                  {option.disabled && <span className="sr-only"> (above the source)</span>}
                </label>
              ))}
            </div>
          </fieldset>
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              name="hdr"
              checked={Boolean(file.meta.hdr)}
              onChange={(event) => setMeta({ hdr: event.target.checked })}
            />
            Also an HDR set (HEVC, when the source is HDR)
          </label>
        </fieldset>
      )}
      {started && !file.error && !body && (
        <>
          <ProgressBar
            value={percent}
            label={`Upload of ${name}`}
            valueText={`${percent}%`}
            testId="file-progress"
          />
          <p
            className="text-sm text-slate-600 tabular-nums dark:text-slate-300"
            data-testid="file-progress-text"
          >
            {percent}% · {formatBytes(sent)} of {formatBytes(total)}
            {rate && ` · ${formatSpeed(rate.speed)} · ${formatEta(rate.eta)} left`}
            {file.isPaused && ' · paused'}
          </p>
        </>
      )}
      {file.error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400" data-testid="file-error">
          Refused: {file.error}
        </p>
      )}
      {body && (
        <div className="space-y-3" data-testid="file-done">
          <Alert kind="success" title="Upload complete">
            “{body.video.title}” is being transcoded (job {body.job.id}). You can leave this page;
            it keeps going.
          </Alert>
          <JobStatusPanel job={job ?? body.job} />
          <VideoMetadata video={body.video} />
          <Link
            to={`/videos/${body.video.id}`}
            className={isPlayable(job ?? body.job) ? 'btn-primary' : 'btn-secondary'}
            data-testid="watch-link"
          >
            {isPlayable(job ?? body.job) ? 'Watch now' : 'Open the video page'}
          </Link>
        </div>
      )}
      {!body && (
        <div className="flex flex-wrap gap-2">
          {started && !file.error && (
            <button
              type="button"
              className="btn-secondary"
              onClick={() => uppy.pauseResume(file.id)}
            >
              {file.isPaused ? `Resume ${name}` : `Pause ${name}`}
            </button>
          )}
          <button type="button" className="btn-secondary" onClick={() => uppy.removeFile(file.id)}>
            {started && !file.error ? `Cancel ${name}` : `Remove ${name}`}
          </button>
        </div>
      )}
    </li>
  );
}
