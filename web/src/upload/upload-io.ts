import {
  UploadCompleteResponse,
  UploadCreateResponse,
  type UploadCompleteRequest,
  type UploadCreateRequest,
} from '@videoforge/contracts';
import type { ApiClient } from '../lib/api-client.ts';
import type { PutPartOptions, UploadDeps } from './multipart-upload.ts';
import type { ClientProbe } from './upload-machine.ts';

/**
 * PUT with upload progress (fetch has no upload progress events). Resolves with the
 * ETag header, which S3 only exposes to the page when the bucket's CORS rules list it.
 */
export function xhrPut(
  url: string,
  body: Blob,
  options: PutPartOptions,
): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) {
      reject(options.signal.reason as Error);
      return;
    }
    const xhr = new XMLHttpRequest();
    const onAbort = () => xhr.abort();
    options.signal.addEventListener('abort', onAbort, { once: true });
    const done = () => options.signal.removeEventListener('abort', onAbort);
    xhr.open('PUT', url);
    if (options.contentType) xhr.setRequestHeader('Content-Type', options.contentType);
    xhr.upload.onprogress = (event) => options.onProgress(event.loaded);
    xhr.onload = () => {
      done();
      if (xhr.status >= 200 && xhr.status < 300)
        resolve(xhr.getResponseHeader('ETag') ?? undefined);
      else reject(new Error(`storage answered ${xhr.status}`));
    };
    xhr.onerror = () => {
      done();
      reject(new Error('network error while sending to storage'));
    };
    xhr.onabort = () => {
      done();
      reject(new DOMException('upload cancelled', 'AbortError'));
    };
    xhr.send(body);
  });
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function browserUploadDeps(api: ApiClient): UploadDeps {
  return {
    createUpload: (request: UploadCreateRequest) =>
      api.request('POST', '/api/uploads', {
        body: request,
        schema: UploadCreateResponse,
        auth: 'required',
      }),
    completeUpload: (uploadId: string, request: UploadCompleteRequest) =>
      api.request('POST', `/api/uploads/${encodeURIComponent(uploadId)}/complete`, {
        body: request,
        schema: UploadCompleteResponse,
        auth: 'required',
      }),
    abortUpload: (uploadId: string) =>
      api.request('DELETE', `/api/uploads/${encodeURIComponent(uploadId)}`, { auth: 'required' }),
    putPart: xhrPut,
    sleep,
    now: () => performance.now(),
  };
}

/**
 * Reads the dimensions and duration of a local file with a <video> element (metadata
 * only), so the formats above the source can be disabled before uploading. Files the
 * browser cannot decode are probed by the API after upload instead.
 */
export function probeInBrowser(file: Blob, timeoutMs = 10_000): Promise<ClientProbe> {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(file);
    const video = document.createElement('video');
    video.preload = 'metadata';
    video.muted = true;
    const finish = (outcome: () => void) => {
      clearTimeout(timer);
      video.removeAttribute('src');
      video.load();
      URL.revokeObjectURL(url);
      outcome();
    };
    const timer = setTimeout(
      () => finish(() => reject(new Error('reading it took too long'))),
      timeoutMs,
    );
    video.onloadedmetadata = () => {
      const probe = {
        width: video.videoWidth,
        height: video.videoHeight,
        durationSeconds: video.duration,
      };
      finish(() =>
        probe.width > 0 && probe.height > 0
          ? resolve(probe)
          : reject(new Error('it found no video track it can read')),
      );
    };
    video.onerror = () => finish(() => reject(new Error('it cannot decode this file')));
    video.src = url;
  });
}
