import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createTestAws, type TestAws } from '../test/support/aws.ts';
import { describeWith } from '../test/support/components.ts';
import { createTestDatabase, type TestDatabase } from '../test/support/database.ts';
import { freePort } from '../test/support/free-port.ts';
import { insertTestJob, insertTestUser, waitForJobToFinish } from '../test/support/jobs.ts';
import { storeTestClip } from '../test/support/media.ts';
import { startProcess, waitUntil, type StartedProcess } from '../test/support/process.ts';
import { operatorEnv, startTranscodeKubeSuite } from '../test/support/transcode-cluster.ts';
import type { KubeSuite } from '../test/kube/kube-test-utils.ts';
import {
  chartDir,
  describeWithPrograms,
  findObject,
  renderChart,
  repoRoot,
} from './test-support/deploy-test-utils.ts';

const run = promisify(execFile);
const prometheusInstall = 'Debian: apt-get install prometheus (bash scripts/ci/install-system.sh)';

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
}
interface Dashboard {
  uid: string;
  templating: { list: { name: string }[] };
  panels: { title: string; targets: { expr: string }[] }[];
}
interface QueryAnswer {
  status: string;
  error?: string;
  data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

/**
 * The chart's Grafana dashboard and PrometheusRule against a real Prometheus (Debian's)
 * scraping the real API and controller processes while a real transcode runs.
 */
describeWithPrograms(
  [
    { name: 'prometheus', install: prometheusInstall },
    { name: 'promtool', install: prometheusInstall },
  ],
  'monitoring: dashboard and alerts on a real Prometheus',
  () => {
    describeWith(
      ['kubernetes', 'postgres', 's3', 'sqs', 'ffmpeg'],
      'scraping the API and the controller during a transcode',
      () => {
        let suite: KubeSuite;
        let db: TestDatabase;
        let dir: string;
        let aws: TestAws;
        let rulesFile: string;
        let groups: { name: string; rules: Rule[] }[];
        let dashboard: Dashboard;
        let apiUrl: string;
        let prometheusUrl: string;
        const processes: StartedProcess[] = [];
        let jobId = '';

        const query = async (expr: string): Promise<QueryAnswer> => {
          const response = await fetch(
            `${prometheusUrl}/api/v1/query?${new URLSearchParams({ query: expr }).toString()}`,
          );
          return (await response.json()) as QueryAnswer;
        };
        /** Grafana's variables as the dashboard would set them for this namespace. */
        const forGrafana = (expr: string) =>
          expr.replaceAll('$__rate_interval', '1m').replaceAll('$namespace', suite.namespace);

        beforeAll(async () => {
          suite = await startTranscodeKubeSuite(inject('kubeconfig'), 'monitoring', {
            TRANSCODE_PRESET: 'ultrafast',
          });
          db = await createTestDatabase(inject('postgresUrl'));
          dir = await mkdtemp(path.join(tmpdir(), 'vf-monitoring-'));
          aws = await createTestAws(inject('awsEndpoint'));

          // What the chart ships: the PrometheusRule's groups and the dashboard ConfigMap.
          const objects = await renderChart(['--set', 'prometheus.enabled=true']);
          groups = (
            findObject(objects, 'PrometheusRule') as unknown as { spec: { groups: typeof groups } }
          ).spec.groups;
          rulesFile = path.join(dir, 'rules.yaml');
          await writeFile(rulesFile, JSON.stringify({ groups }, null, 2)); // JSON is YAML
          const configMap = findObject(
            objects,
            'ConfigMap',
            'vf-videoforge-dashboard',
          ) as unknown as {
            data: Record<string, string>;
            metadata: { labels: Record<string, string> };
          };
          expect(configMap.metadata.labels.grafana_dashboard).toBe('1');
          dashboard = JSON.parse(configMap.data['videoforge.json'] ?? '') as Dashboard;
          expect(configMap.data['videoforge.json']).toBe(
            (
              await readFile(path.join(chartDir, 'files/dashboards/videoforge.json'), 'utf8')
            ).trimEnd(),
          );

          const apiPort = await freePort();
          apiUrl = `http://127.0.0.1:${apiPort}`;
          processes.push(
            startProcess(process.execPath, [path.join(repoRoot, 'api/src/main.ts')], {
              cwd: dir,
              env: {
                PATH: process.env.PATH ?? '',
                HOST: '127.0.0.1',
                PORT: String(apiPort),
                DATABASE_URL: db.url,
                JWT_SECRET: randomBytes(32).toString('hex'),
                LOG_LEVEL: 'warn',
                ...aws.env,
              },
            }),
          );
          const controllerPort = await freePort();
          processes.push(
            startProcess(process.execPath, [path.join(repoRoot, 'controller/src/main.ts')], {
              cwd: dir,
              env: operatorEnv({
                kubeconfig: inject('kubeconfig'),
                namespace: suite.namespace,
                podName: 'controller-0',
                databaseUrl: db.url,
                metricsPort: controllerPort,
                aws,
              }),
            }),
          );
          const prometheusPort = await freePort();
          prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
          const config = path.join(dir, 'prometheus.yml');
          const target = (job: string, port: number) => ({
            job_name: job,
            static_configs: [
              { targets: [`127.0.0.1:${port}`], labels: { namespace: suite.namespace } },
            ],
          });
          await writeFile(
            config,
            JSON.stringify({
              global: { scrape_interval: '1s', evaluation_interval: '1s' },
              rule_files: [rulesFile],
              scrape_configs: [
                target('videoforge-api', apiPort),
                target('videoforge-controller', controllerPort),
              ],
            }),
          );
          await run('promtool', ['check', 'config', config]);
          processes.push(
            startProcess(
              'prometheus',
              [
                `--config.file=${config}`,
                `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
                `--web.listen-address=127.0.0.1:${prometheusPort}`,
                '--log.level=warn',
              ],
              { cwd: dir },
            ),
          );
          const [api, controller, prometheus] = processes;
          await waitUntil(async () => (await fetch(`${apiUrl}/healthz`)).ok, {
            timeoutMs: 30_000,
            describe: () => api?.output() ?? '',
          });
          await waitUntil(
            async () => (await fetch(`http://127.0.0.1:${controllerPort}/healthz`)).ok,
            { timeoutMs: 30_000, describe: () => controller?.output() ?? '' },
          );
          await waitUntil(async () => (await fetch(`${prometheusUrl}/-/ready`)).ok, {
            timeoutMs: 30_000,
            describe: () => prometheus?.output() ?? '',
          });

          // A real transcode: rows + outbox in one transaction; the API's relay sends it to SQS.
          await storeTestClip(aws.storage, 'videos/raw/1/m/clip.mp4', dir, {
            size: '854x480',
            seconds: 2,
          });
          jobId = await insertTestJob(db.sql, {
            userId: await insertTestUser(db.sql, 'mon'),
            title: 'm',
            sourceKey: 'videos/raw/1/m/clip.mp4',
            formats: ['480p', '360p'],
          });
        }, 180_000);

        afterAll(async () => {
          for (const p of processes.reverse()) await p.stop();
          await suite?.cleanup();
          await aws?.close();
          await db?.drop();
          if (dir) await rm(dir, { recursive: true, force: true });
        });

        it('passes promtool check rules on the PrometheusRule rendered by the chart', async () => {
          const { stdout } = await run('promtool', ['check', 'rules', rulesFile]);
          expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
          expect(
            groups
              .flatMap((g) => g.rules.map((r) => r.alert))
              .filter(Boolean)
              .sort(),
          ).toEqual([
            'VideoForgeApiErrorRateHigh',
            'VideoForgeJobFailureRateHigh',
            'VideoForgeNoQueueConsumer',
            'VideoForgeQueueOldestMessageOld',
            'VideoForgeQueueStalled',
          ]);
        });

        it('evaluates every dashboard query, recording rule and alert expression with series, during a real transcode', async () => {
          // Traffic for the API's request metrics, while the job runs.
          for (const p of ['/healthz', '/readyz', '/api/no-such-route', '/metrics'])
            await fetch(`${apiUrl}${p}`);
          const row = await waitForJobToFinish(db.sql, jobId, {
            timeoutMs: 120_000,
            intervalMs: 500,
            output: () => processes.map((p) => p.output().slice(-1500)).join('\n---\n'),
          });
          expect(row?.status).toBe('succeeded');
          for (const p of ['/healthz', '/api/no-such-route']) await fetch(`${apiUrl}${p}`);

          const panelQueries = dashboard.panels.flatMap((panel) =>
            panel.targets.map((t) => ({
              what: `panel "${panel.title}"`,
              expr: forGrafana(t.expr),
            })),
          );
          const recordings = groups.flatMap((g) =>
            g.rules
              .filter((r) => r.record)
              .map((r) => ({ what: `recording rule ${r.record}`, expr: r.expr })),
          );
          const recordedSeries = groups.flatMap((g) =>
            g.rules.flatMap((r) =>
              r.record
                ? [
                    {
                      what: `series recorded by Prometheus for ${r.record}`,
                      expr: `${r.record}{namespace="${suite.namespace}"}`,
                    },
                  ]
                : [],
            ),
          );
          // Each alert compares the signal of recording rules; the signal must be there.
          const alertSignals = groups.flatMap((g) =>
            g.rules.flatMap((r) =>
              r.alert
                ? [...new Set(r.expr.match(/videoforge:[a-z0-9_:]+/g) ?? [])].map((name) => ({
                    what: `signal ${name} of ${r.alert}`,
                    expr: name,
                  }))
                : [],
            ),
          );
          expect(panelQueries.length).toBeGreaterThanOrEqual(12);
          expect(alertSignals.length).toBeGreaterThanOrEqual(5);
          const pending = new Map(
            [...panelQueries, ...recordings, ...recordedSeries, ...alertSignals].map((q) => [
              q.expr,
              q.what,
            ]),
          );
          const last = new Map<string, string>();
          await waitUntil(
            async () => {
              for (const [expr, what] of pending) {
                const answer = await query(expr);
                if (answer.status !== 'success')
                  throw new Error(`${what}: ${expr}: ${answer.error}`);
                if ((answer.data?.result.length ?? 0) > 0) pending.delete(expr);
                else last.set(expr, what);
              }
              return pending.size === 0;
            },
            {
              timeoutMs: 45_000,
              intervalMs: 1000,
              describe: () =>
                `no series for:\n${[...pending].map(([e, w]) => `${w}: ${e}`).join('\n')}`,
            },
          );

          // Alert expressions evaluate (whether or not they fire), and Prometheus runs every rule without error.
          for (const rule of groups.flatMap((g) => g.rules.filter((r) => r.alert))) {
            const answer = await query(rule.expr);
            expect(answer, `${rule.alert}: ${rule.expr}`).toMatchObject({ status: 'success' });
          }
          const rules = (await (await fetch(`${prometheusUrl}/api/v1/rules`)).json()) as {
            data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
          };
          const evaluated = rules.data.groups.flatMap((g) => g.rules);
          expect(evaluated.length).toBe(groups.flatMap((g) => g.rules).length);
          expect(
            evaluated
              .filter((r) => r.health !== 'ok')
              .map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`),
          ).toEqual([]);
          // With a leader consuming and nothing failed, no alert fires.
          const alerts = (await (await fetch(`${prometheusUrl}/api/v1/alerts`)).json()) as {
            data: { alerts: { labels: { alertname: string } }[] };
          };
          expect(alerts.data.alerts.map((a) => a.labels.alertname)).toEqual([]);
          // Throughput by rendition, as the dashboard shows it.
          const media = await query(
            forGrafana(
              'sum by (rendition) (videoforge_media_seconds_transcoded_total{namespace=~"$namespace"})',
            ),
          );
          expect(
            Object.fromEntries(
              (media.data?.result ?? []).map((r) => [r.metric.rendition, Number(r.value[1])]),
            ),
          ).toEqual({ '480p': 2, '360p': 2 });
        }, 180_000);
      },
    );
  },
);
