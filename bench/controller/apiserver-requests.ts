/**
 * What the API server was asked, from its own `apiserver_request_total` counter: read
 * before and after a window, the difference says how many requests of each verb and
 * resource the window cost. The counter names no client, but the resources do: only the
 * controller creates Jobs, Events in the core group and writes TranscodeJob status; the
 * bench creates the TranscodeJobs; kube-controller-manager creates the pods, writes Job
 * status and its own events.k8s.io Events.
 */
import { request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** Request counts keyed `VERB group/resource[/subresource]` (core group: `core`). */
export type RequestCounts = Map<string, number>;

const SAMPLE = /^apiserver_request_total\{([^}]*)\} (\S+)$/gm;
const LABEL = /(\w+)="([^"]*)"/g;

/** Reads the API server's request counters, summed over codes and scopes. */
export async function apiserverRequests(kc: KubeConfig): Promise<RequestCounts> {
  const server = new URL(kc.getCurrentCluster()?.server ?? '');
  const options: RequestOptions = {
    hostname: server.hostname,
    port: server.port,
    path: '/metrics',
    method: 'GET',
  };
  await kc.applyToHTTPSOptions(options);
  const text = await new Promise<string>((resolve, reject) => {
    const req = request(options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(body)
          : reject(new Error(`kube-apiserver /metrics answered ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
  const counts: RequestCounts = new Map();
  for (const [, labelText = '', value = '0'] of text.matchAll(SAMPLE)) {
    const labels = Object.fromEntries(
      [...labelText.matchAll(LABEL)].map(([, k = '', v = '']) => [k, v]),
    );
    if (!labels.resource) continue; // non-resource URLs (/healthz, /metrics)
    const key = `${labels.verb} ${labels.group || 'core'}/${labels.resource}${labels.subresource ? `/${labels.subresource}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(value));
  }
  return counts;
}

/** Requests per TranscodeJob between two readings, largest first; long-running WATCHes left out. */
export function requestsPer(
  before: RequestCounts,
  after: RequestCounts,
  jobs: number,
): Array<{ request: string; perJob: number }> {
  return [...after]
    .map(([key, count]) => ({ request: key, perJob: (count - (before.get(key) ?? 0)) / jobs }))
    .filter(({ request, perJob }) => perJob >= 0.005 && !request.startsWith('WATCH'))
    .sort((a, b) => b.perJob - a.perJob);
}
