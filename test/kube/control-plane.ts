// A real Kubernetes control plane on loopback for the integration tests: etcd,
// kube-apiserver and kube-controller-manager built by scripts/kube/build.sh.
// It plays the role controller-runtime's envtest plays for Go operators, plus the
// controller-manager so Jobs, garbage collection and service accounts behave as
// in a cluster. Pods are run by ./local-node.ts, not by a kubelet.

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import {
  accessSync,
  constants as fsConstants,
  existsSync,
  readFileSync,
  openSync,
  closeSync,
} from 'node:fs';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  loadAllYaml,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { freePort } from '../support/free-port.ts';

const execFileAsync = promisify(execFile);

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const buildScript = join(repoRoot, 'scripts/kube/build.sh');
const buildCommand = 'scripts/kube/build.sh';
const requiredBinaries = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl'] as const;

// Controllers the tests rely on, plus the ones a namespace and its service
// accounts need to behave normally. No node-lifecycle controller: the local
// node has no kubelet, and evictions would only add noise.
const controllers = [
  'namespace-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
  'job-controller',
  'cronjob-controller',
  'ttl-after-finished-controller',
  'garbage-collector-controller',
  'deployment-controller',
  'replicaset-controller',
];

export interface ControlPlane {
  kubeconfigPath: string;
  server: string;
  binDir: string;
  /** Kills every process it started and removes its temp dir; safe to call twice. */
  stop: () => Promise<void>;
  /** Stops kube-apiserver and starts it again on the same port and data (fault drills). */
  restartApiServer: () => Promise<void>;
  /** Each running component's process id by name (benches read their CPU time). */
  processIds: () => Record<string, number>;
}

export interface ControlPlaneOptions {
  binDir?: string;
  crdDir?: string;
  /** Used as is and kept on stop; by default a temp dir that stop() removes. */
  workDir?: string;
}

/** The pinned Kubernetes version, read from the build script so there is one pin. */
export function pinnedKubeVersion(): string {
  const match = /^K8S_VERSION=(v[0-9][^\s#]*)/m.exec(readFileSync(buildScript, 'utf8'));
  if (!match?.[1]) throw new Error(`no K8S_VERSION= line in ${buildScript}`);
  return match[1];
}

export function defaultKubeBinDir(): string {
  const cacheRoot = process.env.VIDEOFORGE_CACHE ?? join(homedir(), '.cache', 'videoforge');
  return join(cacheRoot, `k8s-${pinnedKubeVersion()}`, 'bin');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .some((dir) => dir !== '' && isExecutable(join(dir, command)));
}

/**
 * Where the control-plane binaries are, or why they are not there. Honours
 * VIDEOFORGE_KUBE_BIN_DIR (a directory with prebuilt binaries) before the cache.
 */
export function findKubeBinaries(): { binDir: string } | { missing: string } {
  const binDir = process.env.VIDEOFORGE_KUBE_BIN_DIR ?? defaultKubeBinDir();
  const absent = requiredBinaries.filter((name) => !isExecutable(join(binDir, name)));
  if (absent.length === 0) return { binDir };
  if (!onPath('go') && process.env.VIDEOFORGE_KUBE_BIN_DIR === undefined) {
    return {
      missing:
        `Kubernetes control plane: Go is not installed, so ${absent.join(', ')} cannot be built ` +
        `(install Go >= 1.26, then run ${buildCommand})`,
    };
  }
  return {
    missing:
      `Kubernetes control plane: ${absent.join(', ')} not built in ${binDir} ` +
      `(run ${buildCommand}: about 8 min cold on 2 cores, instant when cached)`,
  };
}

// --- PKI --------------------------------------------------------------------------

interface Pki {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  controllerManagerCert: string;
  controllerManagerKey: string;
  kubeletClientCert: string;
  kubeletClientKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

async function openssl(args: string[]): Promise<void> {
  try {
    await execFileAsync('openssl', args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0] ?? ''} failed: ${stderr || String(error)}`, {
      cause: error,
    });
  }
}

// One CA per run: nothing outside this run can trust or be trusted by it.
async function generatePki(dir: string): Promise<Pki> {
  await mkdir(dir, { recursive: true });
  const p = (name: string): string => join(dir, name);
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl([
    'req',
    '-x509',
    '-new',
    ...ecKey,
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.crt'),
    '-days',
    '7',
    '-subj',
    '/CN=videoforge-test-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  const leaf = (name: string, subject: string, extensions: string[]): Promise<void> =>
    openssl([
      'req',
      '-x509',
      '-new',
      ...ecKey,
      '-keyout',
      p(`${name}.key`),
      '-out',
      p(`${name}.crt`),
      '-days',
      '7',
      '-subj',
      subject,
      '-CA',
      p('ca.crt'),
      '-CAkey',
      p('ca.key'),
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      '-addext',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      ...extensions.flatMap((ext) => ['-addext', ext]),
    ]);
  await Promise.all([
    leaf('apiserver', '/CN=kube-apiserver', [
      'extendedKeyUsage=serverAuth',
      // 10.0.0.1 is the `kubernetes` Service IP in --service-cluster-ip-range.
      'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,' +
        'DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local',
    ]),
    leaf('admin', '/O=system:masters/CN=videoforge-admin', ['extendedKeyUsage=clientAuth']),
    // How the API server authenticates to the local node's log endpoint (`kubectl logs`).
    leaf('kubelet-client', '/O=kubeadm:cluster-admins/CN=kube-apiserver-kubelet-client', [
      'extendedKeyUsage=clientAuth',
    ]),
    // The bootstrap RBAC policy already grants this identity what it needs.
    leaf('controller-manager', '/CN=system:kube-controller-manager', [
      'extendedKeyUsage=clientAuth',
    ]),
  ]);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await writeFile(p('sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
  });
  await writeFile(p('sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  return {
    caCert: p('ca.crt'),
    caKey: p('ca.key'),
    serverCert: p('apiserver.crt'),
    serverKey: p('apiserver.key'),
    adminCert: p('admin.crt'),
    adminKey: p('admin.key'),
    controllerManagerCert: p('controller-manager.crt'),
    controllerManagerKey: p('controller-manager.key'),
    kubeletClientCert: p('kubelet-client.crt'),
    kubeletClientKey: p('kubelet-client.key'),
    serviceAccountKey: p('sa.key'),
    serviceAccountPub: p('sa.pub'),
  };
}

async function writeKubeconfig(
  path: string,
  server: string,
  caCert: string,
  clientCert: string,
  clientKey: string,
  user: string,
): Promise<void> {
  const b64 = async (file: string): Promise<string> => (await readFile(file)).toString('base64');
  // JSON is valid YAML, and both kubectl and client-node read it.
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'videoforge-test',
        cluster: { server, 'certificate-authority-data': await b64(caCert) },
      },
    ],
    users: [
      {
        name: user,
        user: {
          'client-certificate-data': await b64(clientCert),
          'client-key-data': await b64(clientKey),
        },
      },
    ],
    contexts: [
      {
        name: 'videoforge-test',
        context: { cluster: 'videoforge-test', user, namespace: 'default' },
      },
    ],
    'current-context': 'videoforge-test',
  };
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}

// --- processes ----------------------------------------------------------------------

interface Managed {
  name: string;
  child: ChildProcess;
  logPath: string;
  exited: Promise<void>;
  exitInfo: string | undefined;
}

const liveGroups = new Set<number>();
let exitHookInstalled = false;

// If the test runner dies without calling stop(), its children must not outlive it.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of liveGroups) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

function startProcess(name: string, binary: string, args: string[], logDir: string): Managed {
  const logPath = join(logDir, `${name}.log`);
  const fd = openSync(logPath, 'a');
  // Own process group, so stop() can signal the component and anything it forks.
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const managed: Managed = { name, child, logPath, exitInfo: undefined, exited: Promise.resolve() };
  managed.exited = new Promise((resolveExit) => {
    child.once('exit', (code, signal) => {
      managed.exitInfo = signal ? `killed by ${signal}` : `exited with code ${String(code)}`;
      if (child.pid !== undefined) liveGroups.delete(child.pid);
      resolveExit();
    });
    child.once('error', (error) => {
      managed.exitInfo = `failed to start: ${error.message}`;
      resolveExit();
    });
  });
  if (child.pid !== undefined) liveGroups.add(child.pid);
  installExitHook();
  return managed;
}

async function stopProcess(managed: Managed, graceMs: number): Promise<void> {
  const pid = managed.child.pid;
  if (pid === undefined || managed.exitInfo !== undefined) return;
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      // the group is already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  await managed.exited;
  clearTimeout(timer);
  // Anything the component forked into its group goes too.
  signal('SIGKILL');
}

async function logTail(path: string, lines = 25): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function componentFailure(managed: Managed, what: string): Promise<Error> {
  return new Error(
    `${managed.name} ${what} (${managed.exitInfo ?? 'still running'}); end of its log ` +
      `(VIDEOFORGE_KEEP_KUBE_DIR=1 keeps ${managed.logPath}):\n${await logTail(managed.logPath)}`,
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

interface HttpResult {
  status: number;
  body: string;
}

function get(url: string, tls?: { ca: Buffer; cert: Buffer; key: Buffer }): Promise<HttpResult> {
  return new Promise((resolveGet, reject) => {
    const parsed = new URL(url);
    const options = { method: 'GET', timeout: 2000, ...(tls ?? {}) };
    const req = (parsed.protocol === 'https:' ? httpsRequest : httpRequest)(
      parsed,
      options,
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Polls `check` until it returns true; fails early when `managed` exits. */
async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  managed: Managed[],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    const dead = managed.find((m) => m.exitInfo !== undefined);
    if (dead) throw await componentFailure(dead, `stopped while waiting for ${what}`);
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      const logs = await Promise.all(
        managed.map(async (m) => `--- ${m.name}:\n${await logTail(m.logPath, 10)}`),
      );
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what} ${lastError}\n${logs.join('\n')}`,
      );
    }
    await sleep(100);
  }
}

// --- CRDs ---------------------------------------------------------------------------

async function applyCrds(kc: KubeConfig, crdDir: string): Promise<void> {
  if (!existsSync(crdDir)) return;
  const files = (await readdir(crdDir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const names: string[] = [];
  for (const file of files) {
    const docs = loadAllYaml(
      await readFile(join(crdDir, file), 'utf8'),
    ) as (KubernetesObject | null)[];
    for (const doc of docs) {
      if (!doc?.kind) continue;
      // A fresh etcd per run, so create is enough; a reused workDir falls back to replace.
      try {
        await objects.create(doc);
      } catch (error) {
        if ((error as { code?: number }).code !== 409) throw error;
        const existing = await objects.read({
          kind: doc.kind,
          apiVersion: doc.apiVersion,
          metadata: { name: doc.metadata?.name ?? '' },
        });
        await objects.replace({
          ...doc,
          metadata: { ...doc.metadata, resourceVersion: existing.metadata?.resourceVersion },
        });
      }
      if (doc.kind === 'CustomResourceDefinition' && doc.metadata?.name)
        names.push(doc.metadata.name);
    }
  }
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  for (const name of names) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const crd = await ext.readCustomResourceDefinition({ name });
      const conditions = crd.status?.conditions ?? [];
      const established = conditions.some((c) => c.type === 'Established' && c.status === 'True');
      const problem = conditions.find(
        (c) => c.type === 'NonStructuralSchema' && c.status === 'True',
      );
      if (problem) throw new Error(`CRD ${name} is not structural: ${problem.message ?? ''}`);
      if (established) break;
      if (Date.now() > deadline)
        throw new Error(`CRD ${name} not Established: ${JSON.stringify(conditions)}`);
      await sleep(100);
    }
  }
}

// --- the control plane --------------------------------------------------------------

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const started = Date.now();
  let binDir = opts.binDir;
  if (binDir === undefined) {
    const found = findKubeBinaries();
    if ('missing' in found) throw new Error(found.missing);
    binDir = found.binDir;
  }
  const crdDir = opts.crdDir ?? join(repoRoot, 'crds');
  const ownsWorkDir = opts.workDir === undefined;
  const workDir = opts.workDir ?? (await mkdtemp(join(tmpdir(), 'videoforge-kube-')));
  await mkdir(workDir, { recursive: true });
  const logDir = join(workDir, 'logs');
  await mkdir(logDir, { recursive: true });

  const processes: Managed[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // Reverse start order: clients before the servers they talk to.
    for (const managed of [...processes].reverse()) await stopProcess(managed, 5000);
    if (ownsWorkDir && process.env.VIDEOFORGE_KEEP_KUBE_DIR !== '1') {
      await rm(workDir, { recursive: true, force: true });
    }
  };

  try {
    const [pki, etcdClientPort, etcdPeerPort, apiserverPort] = await Promise.all([
      generatePki(join(workDir, 'pki')),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    const server = `https://127.0.0.1:${apiserverPort}`;

    // Plain HTTP on loopback: etcd is reachable only by this run's apiserver.
    const etcd = startProcess(
      'etcd',
      join(binDir, 'etcd'),
      [
        '--name=videoforge-test',
        `--data-dir=${join(workDir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=videoforge-test=${peerUrl}`,
        // Throwaway data: durability buys nothing and fsync dominates on shared disks.
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ],
      logDir,
    );
    processes.push(etcd);
    await waitFor(
      'etcd /health',
      async () => {
        const res = await get(`${etcdUrl}/health`);
        return res.status === 200 && res.body.includes('"health":"true"');
      },
      30_000,
      processes,
    );

    const apiserverArgs = [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      // The lease reconciler refuses a loopback advertise address; nothing here
      // reaches the apiserver through the `kubernetes` Service anyway.
      '--endpoint-reconciler-type=none',
      `--secure-port=${apiserverPort}`,
      `--cert-dir=${join(workDir, 'apiserver')}`,
      `--tls-cert-file=${pki.serverCert}`,
      `--tls-private-key-file=${pki.serverKey}`,
      `--client-ca-file=${pki.caCert}`,
      '--authorization-mode=Node,RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      // Nodes are reached by IP (the local node's 127.0.0.1), never by a name to resolve.
      '--kubelet-preferred-address-types=InternalIP',
      `--kubelet-client-certificate=${pki.kubeletClientCert}`,
      `--kubelet-client-key=${pki.kubeletClientKey}`,
      '--profiling=false',
      '--v=1',
    ];
    let apiserver = startProcess(
      'kube-apiserver',
      join(binDir, 'kube-apiserver'),
      apiserverArgs,
      logDir,
    );
    processes.push(apiserver);

    const tls = {
      ca: await readFile(pki.caCert),
      cert: await readFile(pki.adminCert),
      key: await readFile(pki.adminKey),
    };
    const apiserverReady = () =>
      waitFor(
        'kube-apiserver /readyz',
        async () => (await get(`${server}/readyz`, tls)).status === 200,
        90_000,
        processes,
      );
    await apiserverReady();
    const restartApiServer = async (): Promise<void> => {
      const index = processes.indexOf(apiserver);
      await stopProcess(apiserver, 5000);
      apiserver = startProcess(
        'kube-apiserver',
        join(binDir, 'kube-apiserver'),
        apiserverArgs,
        logDir,
      );
      processes[index] = apiserver;
      await apiserverReady();
    };

    const kubeconfigPath = join(workDir, 'kubeconfig');
    const controllerManagerKubeconfig = join(workDir, 'controller-manager.kubeconfig');
    await writeKubeconfig(
      kubeconfigPath,
      server,
      pki.caCert,
      pki.adminCert,
      pki.adminKey,
      'videoforge-admin',
    );
    await writeKubeconfig(
      controllerManagerKubeconfig,
      server,
      pki.caCert,
      pki.controllerManagerCert,
      pki.controllerManagerKey,
      'system:kube-controller-manager',
    );

    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    // CRDs before the controller-manager: its garbage collector discovers resources
    // at start and otherwise only on a 30 s resync, so owner references to a
    // TranscodeJob would not be honoured until then.
    await applyCrds(kc, crdDir);

    const controllerManager = startProcess(
      'kube-controller-manager',
      join(binDir, 'kube-controller-manager'),
      [
        `--kubeconfig=${controllerManagerKubeconfig}`,
        `--controllers=${controllers.join(',')}`,
        // Each controller acts as its own service account, as in a real cluster, so
        // RBAC mistakes in what they do show up here too.
        '--use-service-account-credentials=true',
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.caCert}`,
        '--leader-elect=false',
        // No serving port: nothing scrapes it, and it would need a free port.
        '--secure-port=0',
        '--v=1',
      ],
      logDir,
    );
    processes.push(controllerManager);

    // The default ServiceAccount appearing proves the controller-manager is up;
    // without it the ServiceAccount admission plugin rejects every pod.
    const core = kc.makeApiClient(CoreV1Api);
    await waitFor(
      'kube-controller-manager (default ServiceAccount)',
      async () => {
        await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
        return true;
      },
      60_000,
      processes,
    );

    if (process.env.VIDEOFORGE_KUBE_VERBOSE === '1') {
      console.log(
        `kube control plane ready at ${server} in ${Date.now() - started} ms (${workDir})`,
      );
    }
    const processIds = () =>
      Object.fromEntries(
        processes.flatMap(({ name, child, exitInfo }) =>
          child.pid === undefined || exitInfo !== undefined ? [] : [[name, child.pid]],
        ),
      );
    return { kubeconfigPath, server, binDir, stop, restartApiServer, processIds };
  } catch (error) {
    await stop();
    throw error;
  }
}
