/** What the browser could read from the file before uploading it. */
export interface ClientProbe {
  width: number;
  height: number;
  durationSeconds: number;
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
