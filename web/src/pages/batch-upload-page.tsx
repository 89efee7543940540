import type { UploadSummary, Visibility } from '@videoforge/contracts';
import { useEffect, useMemo, useState, useSyncExternalStore, type DragEvent } from 'react';
import { Link } from 'react-router';
import { useApi } from '../auth/auth-context.tsx';
import { Alert } from '../components/alert.tsx';
import { ProgressBar } from '../components/progress-bar.tsx';
import { formatBytes, formatDate, formatEta, formatSpeed } from '../lib/format.ts';
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

export interface BatchUploadPageProps {
  /** Golden Retriever (the queue survives a reload); off in unit tests. */
  persist?: boolean;
  /** A prepared Uppy, for tests. */
  uppy?: VideoUppy;
}

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
 * Many uploads at once with Uppy: a queue with per-file title, progress, speed, time
 * left, pause, resume and cancel. After a reload or a crashed tab the server's list of
 * unfinished uploads is offered for resuming; choosing the file again continues where
 * storage stopped (the parts it holds come from the server, not the browser).
 */
export function BatchUploadPage({ persist = true, uppy: given }: BatchUploadPageProps = {}) {
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
  const [visibility, setVisibility] = useState<Visibility>('public');
  const [unfinished, setUnfinished] = useState<UploadSummary[]>([]);
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    unfinishedUploads(api)
      .then(setUnfinished)
      .catch(() => undefined);
  }, [api]);

  const add = (list: Iterable<File>) => {
    for (const data of list) {
      try {
        const id = uppy.addFile({
          name: data.name,
          type: data.type,
          data,
          source: 'page',
          meta: { title: titleFrom(data.name), visibility },
        });
        const match = unfinished.find((u) => u.filename === data.name && u.size === data.size);
        if (match) attachServerUpload(uppy, id, match);
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
        htmlFor="batch-files"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="batch-drop-zone"
        className={`flex cursor-pointer flex-col items-center justify-center rounded-lg border-2 border-dashed p-8 text-center ${dragging ? 'border-indigo-500 bg-indigo-50 dark:bg-indigo-950' : 'border-slate-300 bg-white dark:border-slate-700 dark:bg-slate-900'}`}
      >
        <span className="font-medium">Drag videos or a folder here, or choose files</span>
        <span className="mt-1 text-sm text-slate-500">
          Each file goes straight to storage in parts; a reload or a dropped network resumes.
        </span>
        <input
          id="batch-files"
          type="file"
          multiple
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
                name="batch-visibility"
                checked={visibility === value}
                onChange={() => {
                  setVisibility(value);
                  for (const f of queued) uppy.setFileMeta(f.id, { ...f.meta, visibility: value });
                }}
              />
              {value === 'public' ? 'Public' : 'Private'}
            </label>
          ))}
        </fieldset>
      </div>

      {files.length > 0 && (
        <ul className="space-y-3" aria-label="Upload queue">
          {files.map((file) => (
            <QueueItem key={file.id} uppy={uppy} file={file} rate={rates[file.id]} />
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
          disabled={queued.length === 0}
          onClick={() => {
            void uppy.upload().catch(() => undefined);
          }}
        >
          Upload {queued.length > 0 ? `${queued.length} ` : ''}
          {queued.length === 1 ? 'file' : 'files'}
        </button>
        <Link to="/upload" className="btn-secondary">
          One file, with formats
        </Link>
      </div>
    </div>
  );
}

function QueueItem({
  uppy,
  file,
  rate,
}: {
  uppy: VideoUppy;
  file: VideoFile;
  rate: Rate | undefined;
}) {
  const name = file.name ?? 'file';
  const total = file.progress.bytesTotal ?? file.size ?? 0;
  const sent = file.progress.bytesUploaded || 0;
  const percent = total > 0 ? Math.floor((sent / total) * 100) : 0;
  const started = Boolean(file.progress.uploadStarted);
  const done = file.progress.uploadComplete && file.response?.body;
  return (
    <li className="card space-y-2" data-testid="queue-item" data-file-name={name}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span className="font-medium break-all">{name}</span>
        <span className="text-sm text-slate-500">{formatBytes(total)}</span>
      </div>
      <label className="block text-sm">
        <span className="sr-only">Title for {name}</span>
        <input
          className="field-input"
          aria-label={`Title for ${name}`}
          maxLength={200}
          disabled={started}
          value={file.meta.title}
          onChange={(event) =>
            uppy.setFileMeta(file.id, { ...file.meta, title: event.target.value })
          }
        />
      </label>
      {file.isGhost && (
        <p className="text-sm text-amber-700" data-testid="ghost-file">
          Choose this file again to resume it.
        </p>
      )}
      {started && !file.error && (
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
      {done && file.response?.body && (
        <p className="text-sm text-emerald-700" data-testid="file-done">
          Uploaded: job {file.response.body.job.id} ·{' '}
          <Link to={`/videos/${file.response.body.video.id}`}>open the video</Link>
        </p>
      )}
      {!done && (
        <div className="flex gap-2">
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
            {started ? `Cancel ${name}` : `Remove ${name}`}
          </button>
        </div>
      )}
    </li>
  );
}
