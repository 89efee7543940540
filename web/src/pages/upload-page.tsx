import { Job, type Format, type Video, type Visibility } from '@videoforge/contracts';
import {
  useEffect,
  useMemo,
  useReducer,
  useRef,
  useState,
  type DragEvent,
  type FormEvent,
} from 'react';
import { Link } from 'react-router';
import { useApi } from '../auth/auth-context.tsx';
import { Alert } from '../components/alert.tsx';
import { JobStatusPanel } from '../components/job-status.tsx';
import { ProgressBar } from '../components/progress-bar.tsx';
import { VideoMetadata } from '../components/video-metadata.tsx';
import { useJobEvents } from '../events/job-events.tsx';
import { applyJobEvent } from '../lib/jobs.ts';
import { formatBytes, formatDuration, formatEta, formatSpeed } from '../lib/format.ts';
import { defaultFormats, formatOptions } from '../upload/formats.ts';
import { runUpload, type UploadDeps } from '../upload/multipart-upload.ts';
import { browserUploadDeps, probeInBrowser } from '../upload/upload-io.ts';
import {
  initialUploadState,
  isCancellable,
  uploadProgress,
  uploadReducer,
  type ClientProbe,
  type UploadState,
} from '../upload/upload-machine.ts';

function titleFrom(filename: string): string {
  return filename.replace(/\.[A-Za-z0-9]{1,5}$/, '').slice(0, 200);
}

export interface UploadPageProps {
  /** Storage and API access; the browser's (XHR to presigned URLs) by default. */
  deps?: UploadDeps;
  /** Reads resolution and duration locally; a <video> element by default. */
  probe?: (file: File) => Promise<ClientProbe>;
}

export function UploadPage({
  deps: givenDeps,
  probe: probeFile = probeInBrowser,
}: UploadPageProps = {}) {
  const api = useApi();
  const [state, dispatch] = useReducer(uploadReducer, initialUploadState);
  const fileRef = useRef<File | undefined>(undefined);
  const abortRef = useRef<AbortController | undefined>(undefined);
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('public');
  const [formats, setFormats] = useState<Format[]>([]);
  const [formatsTouched, setFormatsTouched] = useState(false);
  const [dragging, setDragging] = useState(false);
  // The job as the events stream last described it; until then, the one upload returned.
  const [liveJob, setLiveJob] = useState<Job | undefined>();
  const createdJob = state.phase === 'processing' ? state.job : undefined;
  const job = liveJob && createdJob && liveJob.id === createdJob.id ? liveJob : createdJob;
  const deps = useMemo(() => givenDeps ?? browserUploadDeps(api), [api, givenDeps]);

  const probe = 'probe' in state && state.probe.status === 'done' ? state.probe.probe : undefined;

  // Stop a running upload when leaving the page.
  useEffect(() => () => abortRef.current?.abort(), []);

  useJobEvents(
    (event) => {
      if (job) setLiveJob(applyJobEvent(job, event));
    },
    () => {
      if (!job) return;
      void api
        .request('GET', `/api/jobs/${job.id}`, { schema: Job, auth: 'required' })
        .then(setLiveJob)
        .catch(() => undefined);
    },
  );

  const choose = (file: File | undefined) => {
    if (!file) return;
    if (state.phase === 'uploading' || state.phase === 'completing') return;
    fileRef.current = file;
    setLiveJob(undefined);
    dispatch({ type: 'select', file: { name: file.name, size: file.size, type: file.type } });
    setTitle(titleFrom(file.name));
    setFormats(defaultFormats(undefined));
    setFormatsTouched(false);
    probeFile(file)
      .then((result) => {
        if (fileRef.current !== file) return;
        dispatch({ type: 'probed', probe: result });
        setFormats(defaultFormats(result));
      })
      .catch((error: unknown) => {
        if (fileRef.current !== file) return;
        dispatch({
          type: 'probe-unavailable',
          reason: error instanceof Error ? error.message : String(error),
        });
      });
  };

  const start = (event: FormEvent) => {
    event.preventDefault();
    const file = fileRef.current;
    if (!file || state.phase !== 'selected') return;
    const controller = new AbortController();
    abortRef.current = controller;
    void runUpload(
      {
        file,
        title: title.trim() || titleFrom(file.name),
        description: description.trim(),
        visibility,
        // Files the browser could not probe get the API's default (the ladder up to the
        // source, after its own probe) unless the user picked formats.
        formats: probe || formatsTouched ? formats : undefined,
      },
      deps,
      dispatch,
      controller.signal,
    );
  };

  const cancel = () => {
    dispatch({ type: 'cancel' });
    abortRef.current?.abort();
  };

  const onDrop = (event: DragEvent<HTMLLabelElement>) => {
    event.preventDefault();
    setDragging(false);
    choose(event.dataTransfer.files[0]);
  };

  const busy = state.phase === 'uploading' || state.phase === 'completing';

  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-bold">Upload a video</h1>
        <Link to="/upload/batch" className="text-sm" data-testid="batch-upload-link">
          Many files, or resume an unfinished upload
        </Link>
      </div>

      {state.phase !== 'processing' && (
        <label
          htmlFor="upload-file"
          onDragOver={(event) => {
            event.preventDefault();
            if (!busy) setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
          className={`flex cursor-pointer flex-col items-center justify-center rounded-lg border-2 border-dashed p-8 text-center transition-colors ${dragging ? 'border-indigo-500 bg-indigo-50 dark:bg-indigo-950' : 'border-slate-300 bg-white hover:border-indigo-400 dark:border-slate-700 dark:bg-slate-900'} ${busy ? 'pointer-events-none opacity-60' : ''}`}
          data-testid="drop-zone"
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
          <span className="mt-2 font-medium">Drag a video here, or choose a file</span>
          <span className="mt-1 text-sm text-slate-500">
            MP4, MOV, MKV, WebM, AVI… It goes straight to storage in parallel parts.
          </span>
          <input
            id="upload-file"
            type="file"
            accept="video/*"
            className="sr-only"
            disabled={busy}
            onChange={(event) => {
              choose(event.target.files?.[0]);
              event.target.value = '';
            }}
          />
        </label>
      )}

      {state.phase !== 'idle' && (
        <UploadBody
          state={state}
          title={title}
          setTitle={setTitle}
          description={description}
          setDescription={setDescription}
          visibility={visibility}
          setVisibility={setVisibility}
          formats={formats}
          setFormats={(value) => {
            setFormatsTouched(true);
            setFormats(value);
          }}
          probe={probe}
          onStart={start}
          onCancel={cancel}
          onRetry={() => dispatch({ type: 'retry' })}
          onReset={() => {
            fileRef.current = undefined;
            setLiveJob(undefined);
            dispatch({ type: 'reset' });
          }}
          job={job}
        />
      )}
    </div>
  );
}

function UploadBody(props: {
  state: Exclude<UploadState, { phase: 'idle' }>;
  title: string;
  setTitle: (value: string) => void;
  description: string;
  setDescription: (value: string) => void;
  visibility: Visibility;
  setVisibility: (value: Visibility) => void;
  formats: Format[];
  setFormats: (value: Format[]) => void;
  probe: { width: number; height: number; durationSeconds: number } | undefined;
  onStart: (event: FormEvent) => void;
  onCancel: () => void;
  onRetry: () => void;
  onReset: () => void;
  job: Job | undefined;
}) {
  const { state } = props;
  const progress = uploadProgress(state);
  const editable = state.phase === 'selected';

  if (state.phase === 'processing') {
    return <Processing video={state.video} job={props.job ?? state.job} onReset={props.onReset} />;
  }

  return (
    <form className="card space-y-5" onSubmit={props.onStart} aria-label="Upload details">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <p className="font-medium break-all" data-testid="upload-file-name">
          {state.file.name}
        </p>
        <p className="text-sm text-slate-500">
          {formatBytes(state.file.size)}
          {'probe' in state && state.probe.status === 'done' && (
            <span data-testid="client-probe">
              {' '}
              · {state.probe.probe.width}×{state.probe.probe.height} ·{' '}
              {formatDuration(state.probe.probe.durationSeconds)}
            </span>
          )}
        </p>
      </div>
      {'probe' in state && state.probe.status === 'unavailable' && (
        <Alert kind="info">
          Your browser could not read the file’s resolution ({state.probe.reason}). The server
          probes it after upload; unless you change the formats, it picks those that fit and never
          upscales.
        </Alert>
      )}

      <fieldset disabled={!editable} className="space-y-4">
        <div>
          <label htmlFor="upload-title" className="field-label">
            Title
          </label>
          <input
            id="upload-title"
            className="field-input"
            maxLength={200}
            required
            value={props.title}
            onChange={(event) => props.setTitle(event.target.value)}
          />
        </div>
        <div>
          <label htmlFor="upload-description" className="field-label">
            Description
          </label>
          <textarea
            id="upload-description"
            className="field-input"
            rows={3}
            maxLength={5000}
            value={props.description}
            onChange={(event) => props.setDescription(event.target.value)}
          />
        </div>
        <fieldset>
          <legend className="field-label">Visibility</legend>
          <div className="mt-1 flex gap-4 text-sm">
            {(['public', 'private'] as const).map((value) => (
              <label key={value} className="flex items-center gap-2">
                <input
                  type="radio"
                  name="visibility"
                  value={value}
                  checked={props.visibility === value}
                  onChange={() => props.setVisibility(value)}
                />
                {value === 'public' ? 'Public — in the gallery' : 'Private — only you'}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset>
          <legend className="field-label">Formats</legend>
          <p className="text-xs text-slate-500" id="formats-help">
            {props.probe
              ? 'Formats above the source’s resolution are disabled: VideoForge never upscales.'
              : 'probe' in state && state.probe.status === 'pending'
                ? 'Checking the source’s resolution…'
                : 'The server checks these against the source’s resolution.'}
          </p>
          <div className="mt-2 flex flex-wrap gap-3" aria-describedby="formats-help">
            {formatOptions(props.probe).map((option) => (
              <label
                key={option.format}
                className={`flex items-center gap-2 rounded-md border px-3 py-1.5 text-sm ${option.disabled ? 'border-slate-200 text-slate-400 dark:border-slate-800' : 'border-slate-300 dark:border-slate-700'}`}
              >
                <input
                  type="checkbox"
                  name="formats"
                  value={option.format}
                  disabled={option.disabled}
                  checked={!option.disabled && props.formats.includes(option.format)}
                  onChange={(event) =>
                    props.setFormats(
                      event.target.checked
                        ? [...props.formats, option.format]
                        : props.formats.filter((format) => format !== option.format),
                    )
                  }
                />
                {option.label}
                {option.disabled && <span className="sr-only"> (above the source)</span>}
              </label>
            ))}
          </div>
        </fieldset>
      </fieldset>

      {progress && (
        <div className="space-y-2" data-testid="upload-progress">
          <ProgressBar
            value={progress.fraction * 100}
            label="Upload progress"
            valueText={`${Math.round(progress.fraction * 100)}%, ${formatBytes(progress.sentBytes)} of ${formatBytes(progress.totalBytes)}`}
            testId="upload-progress-bar"
          />
          <p className="flex flex-wrap justify-between gap-2 text-sm text-slate-600 tabular-nums dark:text-slate-300">
            <span data-testid="upload-percent">
              {Math.round(progress.fraction * 100)}% · {formatBytes(progress.sentBytes)} of{' '}
              {formatBytes(progress.totalBytes)}
            </span>
            {state.phase === 'uploading' ? (
              <span>
                {formatSpeed(progress.bytesPerSecond)} · {formatEta(progress.etaSeconds)} left
                {state.retries > 0 &&
                  ` · ${state.retries} part retr${state.retries === 1 ? 'y' : 'ies'}`}
              </span>
            ) : (
              <span role="status">Checking the file…</span>
            )}
          </p>
        </div>
      )}

      {state.phase === 'failed' && (
        <Alert
          kind="error"
          title={
            state.code === 'not_a_video'
              ? 'This file is not a usable video'
              : state.stage === 'create'
                ? 'The upload could not start'
                : 'Upload failed'
          }
        >
          <p data-testid="upload-error">{state.message}</p>
        </Alert>
      )}
      {state.phase === 'cancelled' && (
        <Alert kind="info">Upload cancelled; nothing was kept.</Alert>
      )}

      <div className="flex flex-wrap gap-2">
        {state.phase === 'selected' && (
          <button type="submit" className="btn-primary" disabled={props.formats.length === 0}>
            Upload
          </button>
        )}
        {isCancellable(state) && (
          <button type="button" className="btn-secondary" onClick={props.onCancel}>
            Cancel upload
          </button>
        )}
        {(state.phase === 'failed' || state.phase === 'cancelled') && (
          <>
            {state.phase === 'cancelled' || state.code !== 'not_a_video' ? (
              <button type="button" className="btn-primary" onClick={props.onRetry}>
                Try again
              </button>
            ) : null}
            <button type="button" className="btn-secondary" onClick={props.onReset}>
              Choose another file
            </button>
          </>
        )}
      </div>
    </form>
  );
}

function Processing({ video, job, onReset }: { video: Video; job: Job; onReset: () => void }) {
  const playable =
    job.status === 'succeeded' ||
    job.renditions.some((rendition) => rendition.phase === 'succeeded');
  return (
    <div className="space-y-4">
      <Alert kind="success" title="Upload complete">
        “{video.title}” is being transcoded. You can leave this page; it keeps going.
      </Alert>
      <JobStatusPanel job={job} />
      <VideoMetadata video={video} />
      <div className="flex flex-wrap gap-2">
        <Link
          to={`/videos/${video.id}`}
          className={playable ? 'btn-primary' : 'btn-secondary'}
          data-testid="watch-link"
        >
          {playable ? 'Watch now' : 'Open the video page'}
        </Link>
        <button type="button" className="btn-secondary" onClick={onReset}>
          Upload another
        </button>
      </div>
    </div>
  );
}
