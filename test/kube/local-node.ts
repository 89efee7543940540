// A "kubelet" for the test control plane that runs pods as local processes.
// It registers a Node, binds the unscheduled pods that fit it (there is no
// kube-scheduler), runs each pod's first container command as a child process and
// reports pod status the way a kubelet does, so the real job controller counts
// successes, failures, exit codes and retries exactly as in a cluster.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { arch, constants as osConstants, cpus, hostname, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  makeInformer,
  setHeaderOptions,
  type Informer,
  type ObjectCache,
  type V1Container,
  type V1EnvVar,
  type V1Probe,
  type V1NodeSelectorRequirement,
  type V1Pod,
  type V1Taint,
} from '@kubernetes/client-node';
import { startPodLogServer } from './local-node-logs.ts';
import { freePort } from '../support/free-port.ts';

const hostIp = '127.0.0.1';
const fieldManager = 'videoforge-local-node';
const resyncMs = 2000;
const leaseRenewMs = 10_000;
const nodeHeartbeatMs = 60_000;
const maxGraceSeconds = 30;
const messageTailBytes = 4096;

export interface PodLogLine {
  namespace: string;
  pod: string;
  container: string;
  stream: 'stdout' | 'stderr';
  line: string;
}

export interface LocalNodeOptions {
  kubeconfigPath: string;
  nodeName?: string;
  labels?: Record<string, string>;
  taints?: V1Taint[];
  /** Only pods in this namespace are bound and run; by default every namespace. */
  namespace?: string;
  /** One `<namespace>_<pod>_<uid>.log` per pod; by default a temp dir that stop() removes. */
  logDir?: string;
  onLog?: (line: PodLogLine) => void;
  /** Working directory of every process; the container's workingDir is a path in an image. */
  cwd?: string;
  /** Environment every process starts from before the pod's env (default: PATH, HOME, LANG, TMPDIR). */
  baseEnv?: Record<string, string>;
  /**
   * What to run for a container that has no `command`, keyed by image without its tag
   * or digest (e.g. `videoforge/transcoder` → `['node', 'transcoder/src/main.ts']`):
   * the stand-in for an image's ENTRYPOINT.
   */
  imageEntrypoints?: Record<string, string[]>;
  /**
   * A richer stand-in for images, consulted before imageEntrypoints: the image's
   * ENTRYPOINT and CMD, WORKDIR and ENV for a reference (any registry, tag or digest),
   * or undefined for an image it does not know.
   */
  images?: (image: string) => LocalImageSpec | undefined;
  /**
   * Pods here share the host's network, so two pods cannot both listen on their
   * containerPort. With this set, every declared containerPort gets a free port on
   * 127.0.0.1, and this rewrites the container's environment to listen there (e.g.
   * PORT). Probes and `LocalNode.hostPort` use the mapped ports.
   */
  remapPorts?: (
    pod: V1Pod,
    env: Record<string, string>,
    ports: ReadonlyMap<number, number>,
  ) => Record<string, string>;
  /**
   * As a kubelet mounts a projected ServiceAccount token: for a pod that automounts its
   * token, a kubeconfig holding a TokenRequest token of its ServiceAccount (bound to the
   * pod), in KUBECONFIG. The pod then acts with exactly its RBAC.
   */
  serviceAccountKubeconfigs?: boolean;
}

export interface LocalImageSpec {
  entrypoint: string[];
  cmd?: string[];
  cwd?: string;
  env?: Record<string, string>;
}

export interface LocalNode {
  nodeName: string;
  logDir: string;
  /** The log file of a pod (stdout and stderr interleaved). */
  logPath: (pod: { namespace: string; name: string; uid: string }) => string;
  /** The 127.0.0.1 port a running pod's containerPort is mapped to (with remapPorts). */
  hostPort: (namespace: string, pod: string, containerPort: number) => number | undefined;
  /** Kills every process it runs (their pods stay as they were) and removes its temp log dir. */
  stop: () => Promise<void>;
}

interface RunningPod {
  uid: string;
  namespace: string;
  name: string;
  container: string;
  image: string;
  restartPolicy: string;
  child: ChildProcess | undefined;
  startedAt: string;
  restartCount: number;
  lastState: object | undefined;
  deleting: boolean;
  outputTail: string;
  log: WriteStream;
  /** Status writes for one pod must land in order: Running before Succeeded. */
  writes: Promise<void>;
  exited: Promise<void>;
  /** containerPort → 127.0.0.1 port, with remapPorts. */
  ports: Map<number, number>;
  /** The readiness probe's last verdict (true when the container has none). */
  ready: boolean;
  probeTimer?: NodeJS.Timeout | undefined;
  readinessProbe?: V1Probe | undefined;
  /** The container's named ports (name → containerPort), for probes by port name. */
  namedPorts: Map<string, number>;
  /** The image's WORKDIR here (LocalNodeOptions.images), else LocalNodeOptions.cwd. */
  cwd?: string | undefined;
}

function errorCode(error: unknown): number | undefined {
  return typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'number'
    ? error.code
    : undefined;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// MicroTime in the API server must carry exactly six fractional digits.
function microTime(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function imageRepository(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const lastColon = withoutDigest.lastIndexOf(':');
  return lastColon > lastSlash ? withoutDigest.slice(0, lastColon) : withoutDigest;
}

/** Kubernetes' $(VAR) expansion in command, args and env: unknown references stay, $$ escapes. */
export function expandVars(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g,
    (match, name: string | undefined) => {
      if (name === undefined) return '$';
      return env[name] ?? match;
    },
  );
}

function matchesRequirement(
  labels: Record<string, string>,
  req: V1NodeSelectorRequirement,
): boolean {
  const value = labels[req.key];
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const left = Number.parseInt(value ?? '', 10);
      const right = Number.parseInt(values[0] ?? '', 10);
      if (Number.isNaN(left) || Number.isNaN(right)) return false;
      return req.operator === 'Gt' ? left > right : left < right;
    }
    default:
      return false;
  }
}

/** What kube-scheduler's NodeAffinity and TaintToleration filters would decide, for one node. */
export function podFitsNode(
  pod: V1Pod,
  labels: Record<string, string>,
  taints: V1Taint[],
): boolean {
  const spec = pod.spec;
  if (!spec) return false;
  for (const [key, value] of Object.entries(spec.nodeSelector ?? {})) {
    if (labels[key] !== value) return false;
  }
  const terms =
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms && terms.length > 0) {
    const anyTerm = terms.some(
      (term) =>
        (term.matchExpressions ?? []).every((req) => matchesRequirement(labels, req)) &&
        (term.matchExpressions?.length ?? 0) + (term.matchFields?.length ?? 0) > 0,
    );
    if (!anyTerm) return false;
  }
  const tolerations = spec.tolerations ?? [];
  return taints
    .filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')
    .every((taint) =>
      tolerations.some((tol) => {
        if (tol.effect && tol.effect !== taint.effect) return false;
        if (tol.operator === 'Exists') return !tol.key || tol.key === taint.key;
        return tol.key === taint.key && (tol.value ?? '') === (taint.value ?? '');
      }),
    );
}

export async function startLocalNode(opts: LocalNodeOptions): Promise<LocalNode> {
  const kc = new KubeConfig();
  kc.loadFromFile(opts.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const coordination = kc.makeApiClient(CoordinationV1Api);
  const nodeName = opts.nodeName ?? 'videoforge-local';
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': nodeName,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch() === 'x64' ? 'amd64' : arch(),
    ...opts.labels,
  };
  const taints = opts.taints ?? [];
  const ownsLogDir = opts.logDir === undefined;
  const logDir = opts.logDir ?? (await mkdtemp(join(tmpdir(), 'videoforge-local-node-')));
  await mkdir(logDir, { recursive: true });
  const baseEnv: Record<string, string> =
    opts.baseEnv ??
    Object.fromEntries(
      (['PATH', 'HOME', 'LANG', 'TMPDIR'] as const).flatMap((k) => {
        const v = process.env[k];
        return v === undefined ? [] : [[k, v]];
      }),
    );
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const strategicPatch = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

  const running = new Map<string, RunningPod>();
  const binding = new Set<string>();
  const finalizing = new Set<string>();
  let stopping = false;
  const warn = (message: string): void => {
    if (!stopping) console.warn(`[local-node ${nodeName}] ${message}`);
  };
  const logPath = (pod: { namespace: string; name: string; uid: string }): string =>
    join(logDir, `${pod.namespace}_${pod.name}_${pod.uid}.log`);

  // --- the Node and its heartbeat ---------------------------------------------------

  const nodeStatus = (): object => {
    const capacity = {
      cpu: String(cpus().length),
      memory: `${Math.floor(totalmem() / 1024)}Ki`,
      pods: '110',
      'ephemeral-storage': '100Gi',
    };
    const heartbeat = now();
    const condition = (type: string, status: string, reason: string, message: string): object => ({
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: heartbeat,
      lastTransitionTime: heartbeat,
    });
    return {
      status: {
        capacity,
        allocatable: capacity,
        conditions: [
          condition(
            'Ready',
            'True',
            'KubeletReady',
            'videoforge local node is posting ready status',
          ),
          condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', ''),
          condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', ''),
          condition('PIDPressure', 'False', 'KubeletHasSufficientPID', ''),
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: logServer?.port ?? 0 } },
        addresses: [
          { type: 'InternalIP', address: hostIp },
          { type: 'Hostname', address: nodeName },
        ],
        nodeInfo: {
          machineID: hostname(),
          systemUUID: nodeName,
          bootID: String(process.pid),
          kernelVersion: release(),
          osImage: 'videoforge local node',
          containerRuntimeVersion: 'local://1.0.0',
          kubeletVersion: 'v0.0.0-videoforge-local',
          kubeProxyVersion: '',
          operatingSystem: 'linux',
          architecture: labels['kubernetes.io/arch'],
        },
      },
    };
  };

  // `kubectl logs` goes through the API server to the node's kubelet port, so the
  // node serves its pods' log files there; without a cluster CA to check the API
  // server's client certificate against, it serves nothing.
  // Set once the pod informer has listed; the log server may get a request before.
  let podCache: ObjectCache<V1Pod> | undefined = undefined;
  const cluster = kc.getCurrentCluster();
  const clusterCa = cluster?.caData
    ? Buffer.from(cluster.caData, 'base64')
    : cluster?.caFile
      ? await readFile(cluster.caFile)
      : undefined;
  const logServer = clusterCa
    ? await startPodLogServer(clusterCa, {
        path: (namespace, name) => {
          for (const pod of running.values()) {
            if (pod.namespace === namespace && pod.name === name) return logPath(pod);
          }
          const uid = podCache?.get(name, namespace)?.metadata?.uid;
          return uid ? logPath({ namespace, name, uid }) : undefined;
        },
        running: (namespace, name) =>
          [...running.values()].some(
            (pod) =>
              pod.namespace === namespace &&
              pod.name === name &&
              pod.child !== undefined &&
              pod.child.exitCode === null &&
              pod.child.signalCode === null,
          ),
      })
    : undefined;

  let nodeUid: string | undefined;
  try {
    const created = await core.createNode({
      body: {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: nodeName, labels },
        spec: { taints },
      },
      fieldManager,
    });
    nodeUid = created.metadata?.uid;
  } catch (error) {
    if (errorCode(error) !== 409) throw error;
    // A node of this name from an earlier run: take it over with our labels and taints.
    const patched = await core.patchNode(
      {
        name: nodeName,
        body: { metadata: { labels }, spec: { taints, unschedulable: false } },
        fieldManager,
      },
      mergePatch,
    );
    nodeUid = patched.metadata?.uid;
  }
  const postNodeStatus = async (): Promise<void> => {
    await core.patchNodeStatus(
      { name: nodeName, body: nodeStatus(), fieldManager },
      strategicPatch,
    );
  };
  await postNodeStatus();

  // Server-side apply creates the Lease on the first beat and renews it after; the
  // typed create would serialise renewTime with milliseconds, which MicroTime rejects.
  const applyPatch = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
  const renewLease = async (): Promise<void> => {
    await coordination.patchNamespacedLease(
      {
        name: nodeName,
        namespace: 'kube-node-lease',
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: {
            name: nodeName,
            namespace: 'kube-node-lease',
            ...(nodeUid
              ? {
                  ownerReferences: [
                    { apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid },
                  ],
                }
              : {}),
          },
          spec: { holderIdentity: nodeName, leaseDurationSeconds: 40, renewTime: microTime() },
        },
        fieldManager,
        force: true,
      },
      applyPatch,
    );
  };
  await renewLease();

  // --- pod status --------------------------------------------------------------------

  const writeStatus = (pod: RunningPod, status: object): void => {
    pod.writes = pod.writes.then(async () => {
      if (stopping) return;
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          await core.patchNamespacedPodStatus(
            { name: pod.name, namespace: pod.namespace, body: { status }, fieldManager },
            strategicPatch,
          );
          return;
        } catch (error) {
          // Gone: nothing left to report to.
          if (errorCode(error) === 404 || stopping) return;
          if (attempt === 4)
            warn(`status of ${pod.namespace}/${pod.name}: ${describeError(error)}`);
          else await sleep(200 * 2 ** attempt);
        }
      }
    });
  };

  const conditions = (ready: boolean, reason?: string): object[] => {
    const t = now();
    const c = (type: string, status: boolean): object => ({
      type,
      status: status ? 'True' : 'False',
      lastTransitionTime: t,
      ...(status || !reason ? {} : { reason }),
    });
    return [
      c('PodReadyToStartContainers', true),
      c('Initialized', true),
      c('ContainersReady', ready),
      c('Ready', ready),
      c('PodScheduled', true),
    ];
  };

  const reportRunning = (pod: RunningPod, pid: number): void => {
    writeStatus(pod, {
      phase: 'Running',
      hostIP: hostIp,
      hostIPs: [{ ip: hostIp }],
      podIP: hostIp,
      podIPs: [{ ip: hostIp }],
      startTime: pod.startedAt,
      conditions: conditions(pod.ready, 'ContainersNotReady'),
      containerStatuses: [
        {
          name: pod.container,
          image: pod.image,
          imageID: '',
          containerID: `local://${pid}`,
          ready: pod.ready,
          started: true,
          restartCount: pod.restartCount,
          state: { running: { startedAt: now() } },
          ...(pod.lastState ? { lastState: pod.lastState } : {}),
        },
      ],
    });
  };

  const terminatedState = (
    pod: RunningPod,
    exitCode: number,
    reason: string,
    message: string | undefined,
    startedAt: string,
  ): object => ({
    terminated: {
      exitCode,
      reason,
      startedAt,
      finishedAt: now(),
      containerID: `local://${pod.child?.pid ?? 0}`,
      ...(message ? { message } : {}),
    },
  });

  const reportTerminated = (pod: RunningPod, state: object): void => {
    const exitCode = (state as { terminated: { exitCode: number } }).terminated.exitCode;
    writeStatus(pod, {
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      hostIP: hostIp,
      hostIPs: [{ ip: hostIp }],
      podIP: hostIp,
      podIPs: [{ ip: hostIp }],
      startTime: pod.startedAt,
      conditions: conditions(false, 'PodCompleted'),
      containerStatuses: [
        {
          name: pod.container,
          image: pod.image,
          imageID: '',
          containerID: `local://${pod.child?.pid ?? 0}`,
          ready: false,
          started: false,
          restartCount: pod.restartCount,
          state,
          ...(pod.lastState ? { lastState: pod.lastState } : {}),
        },
      ],
    });
  };

  // A kubelet removes a deleted pod for good (grace 0) once its containers are gone;
  // until then the API server keeps it, with a deletionTimestamp, forever.
  const finalizeDeletion = async (namespace: string, name: string, uid: string): Promise<void> => {
    if (finalizing.has(uid)) return;
    finalizing.add(uid);
    try {
      await core.deleteNamespacedPod({
        name,
        namespace,
        gracePeriodSeconds: 0,
        body: { gracePeriodSeconds: 0, preconditions: { uid } },
      });
    } catch (error) {
      const code = errorCode(error);
      if (code !== 404 && code !== 409) {
        finalizing.delete(uid);
        warn(`delete ${namespace}/${name}: ${describeError(error)}`);
      }
    }
  };

  const endLog = (pod: RunningPod): void => {
    if (!pod.log.writableEnded) pod.log.end();
  };

  // --- running containers ----------------------------------------------------------

  const resolveEnv = async (
    pod: V1Pod,
    container: V1Container,
  ): Promise<Record<string, string>> => {
    const namespace = pod.metadata?.namespace ?? 'default';
    const secrets = new Map<string, Record<string, string> | undefined>();
    const configMaps = new Map<string, Record<string, string> | undefined>();
    const secret = async (name: string): Promise<Record<string, string> | undefined> => {
      if (!secrets.has(name)) {
        try {
          const s = await core.readNamespacedSecret({ name, namespace });
          secrets.set(
            name,
            Object.fromEntries(
              Object.entries(s.data ?? {}).map(([k, v]) => [
                k,
                Buffer.from(v, 'base64').toString('utf8'),
              ]),
            ),
          );
        } catch (error) {
          if (errorCode(error) !== 404) throw error;
          secrets.set(name, undefined);
        }
      }
      return secrets.get(name);
    };
    const configMap = async (name: string): Promise<Record<string, string> | undefined> => {
      if (!configMaps.has(name)) {
        try {
          configMaps.set(
            name,
            (await core.readNamespacedConfigMap({ name, namespace })).data ?? {},
          );
        } catch (error) {
          if (errorCode(error) !== 404) throw error;
          configMaps.set(name, undefined);
        }
      }
      return configMaps.get(name);
    };

    const env: Record<string, string> = { HOSTNAME: pod.metadata?.name ?? '' };
    for (const from of container.envFrom ?? []) {
      const prefix = from.prefix ?? '';
      const source = from.configMapRef
        ? {
            data: await configMap(from.configMapRef.name ?? ''),
            optional: from.configMapRef.optional,
            what: `configmap ${from.configMapRef.name ?? ''}`,
          }
        : from.secretRef
          ? {
              data: await secret(from.secretRef.name ?? ''),
              optional: from.secretRef.optional,
              what: `secret ${from.secretRef.name ?? ''}`,
            }
          : undefined;
      if (!source) continue;
      if (!source.data) {
        if (source.optional) continue;
        throw new Error(`${source.what} not found`);
      }
      for (const [k, v] of Object.entries(source.data)) env[prefix + k] = v;
    }
    const field = (path: string): string | undefined => {
      const labelMatch = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
      if (labelMatch)
        return (labelMatch[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[
          labelMatch[2] ?? ''
        ];
      switch (path) {
        case 'metadata.name':
          return pod.metadata?.name;
        case 'metadata.namespace':
          return pod.metadata?.namespace;
        case 'metadata.uid':
          return pod.metadata?.uid;
        case 'spec.nodeName':
          return nodeName;
        case 'spec.serviceAccountName':
          return pod.spec?.serviceAccountName;
        case 'status.podIP':
        case 'status.hostIP':
          return hostIp;
        default:
          return undefined;
      }
    };
    const resolveOne = async (e: V1EnvVar): Promise<string | undefined> => {
      if (e.value !== undefined) return expandVars(e.value, env);
      const from = e.valueFrom;
      if (!from) return '';
      if (from.fieldRef) return field(from.fieldRef.fieldPath);
      if (from.secretKeyRef) {
        const value = (await secret(from.secretKeyRef.name ?? ''))?.[from.secretKeyRef.key];
        if (value === undefined && !from.secretKeyRef.optional) {
          throw new Error(
            `secret ${from.secretKeyRef.name ?? ''} key ${from.secretKeyRef.key} not found`,
          );
        }
        return value;
      }
      if (from.configMapKeyRef) {
        const value = (await configMap(from.configMapKeyRef.name ?? ''))?.[
          from.configMapKeyRef.key
        ];
        if (value === undefined && !from.configMapKeyRef.optional) {
          throw new Error(
            `configmap ${from.configMapKeyRef.name ?? ''} key ${from.configMapKeyRef.key} not found`,
          );
        }
        return value;
      }
      return undefined;
    };
    for (const e of container.env ?? []) {
      const value = await resolveOne(e);
      if (value !== undefined) env[e.name] = value;
    }
    return env;
  };

  const killGroup = (child: ChildProcess | undefined, signal: NodeJS.Signals): void => {
    if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };

  const launch = (pod: RunningPod, argv: string[], env: Record<string, string>): void => {
    const [command, ...args] = argv;
    const startedAt = now();
    // Own process group, so a pod's `sh -c` children die with it.
    const child = spawn(command ?? '', args, {
      cwd: pod.cwd ?? opts.cwd ?? process.cwd(),
      env: { ...baseEnv, ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    pod.child = child;
    const streams: Promise<void>[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const readable = child[stream];
      if (!readable) continue;
      const lines = createInterface({ input: readable, crlfDelay: Infinity });
      lines.on('line', (line) => {
        pod.log.write(`${line}\n`);
        pod.outputTail = (pod.outputTail + line + '\n').slice(-messageTailBytes);
        opts.onLog?.({
          namespace: pod.namespace,
          pod: pod.name,
          container: pod.container,
          stream,
          line,
        });
      });
      streams.push(new Promise((r) => lines.once('close', () => r())));
    }
    let settled = false;
    pod.exited = new Promise((resolveExit) => {
      const finish = (exitCode: number, reason: string, message: string | undefined): void => {
        if (settled) return;
        settled = true;
        void Promise.all(streams).then(() => {
          onExit(pod, exitCode, reason, message, startedAt, env, argv);
          resolveExit();
        });
      };
      child.once('error', (error) => {
        // Like a container runtime's StartError: the command could not be started.
        finish(128, 'StartError', `failed to start ${JSON.stringify(command)}: ${error.message}`);
      });
      child.once('exit', (code, signal) => {
        // As when a container's PID 1 exits: whatever it left in its group dies too,
        // which also closes pipes a background child would hold open.
        if (child.pid !== undefined) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // nothing left
          }
        }
        const exitCode = code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0);
        finish(exitCode, exitCode === 0 ? 'Completed' : 'Error', undefined);
      });
    });
    if (child.pid !== undefined) {
      reportRunning(pod, child.pid);
      probeReadiness(pod, child);
    }
  };

  // The kubelet's readiness probe (httpGet only): Ready follows it, so a Deployment's
  // rollout and a Service's endpoints wait for the process as in a cluster.
  const probeReadiness = (pod: RunningPod, child: ChildProcess): void => {
    const probe = pod.readinessProbe;
    const get = probe?.httpGet;
    if (!probe || !get) return;
    const containerPort =
      typeof get.port === 'number' ? get.port : (pod.namedPorts.get(get.port) ?? Number(get.port));
    const port = pod.ports.get(containerPort) ?? containerPort;
    const url = `http://${hostIp}:${port}${get.path ?? '/'}`;
    const periodMs = Math.max(1, probe.periodSeconds ?? 10) * 1000;
    const failureThreshold = probe.failureThreshold ?? 3;
    const successThreshold = probe.successThreshold ?? 1;
    let failures = 0;
    let successes = 0;
    const tick = async (): Promise<void> => {
      if (pod.deleting || stopping || child.exitCode !== null || child.signalCode !== null) return;
      let ok: boolean;
      try {
        const response = await fetch(url, {
          signal: AbortSignal.timeout((probe.timeoutSeconds ?? 1) * 1000),
        });
        ok = response.status >= 200 && response.status < 400;
        await response.body?.cancel();
      } catch {
        ok = false;
      }
      if (ok) {
        failures = 0;
        successes++;
      } else {
        successes = 0;
        failures++;
      }
      const verdict =
        ok && successes >= successThreshold
          ? true
          : !ok && failures >= failureThreshold
            ? false
            : pod.ready;
      if (verdict !== pod.ready && child.pid !== undefined && child.exitCode === null) {
        pod.ready = verdict;
        reportRunning(pod, child.pid);
      }
      // Until the first success, probe every second: a rollout should not wait a period for it.
      pod.probeTimer = setTimeout(
        () => void tick(),
        pod.ready ? periodMs : Math.min(periodMs, 1000),
      );
      pod.probeTimer.unref();
    };
    pod.probeTimer = setTimeout(
      () => void tick(),
      Math.max(0, probe.initialDelaySeconds ?? 0) * 1000 || 200,
    );
    pod.probeTimer.unref();
  };

  /** A kubeconfig with a token of the pod's ServiceAccount, bound to the pod (serviceAccountKubeconfigs). */
  const serviceAccountKubeconfig = async (pod: V1Pod): Promise<string | undefined> => {
    const namespace = pod.metadata?.namespace ?? 'default';
    const accountName = pod.spec?.serviceAccountName ?? 'default';
    let automount = pod.spec?.automountServiceAccountToken;
    if (automount === undefined) {
      const account = await core.readNamespacedServiceAccount({ name: accountName, namespace });
      automount = account.automountServiceAccountToken ?? true;
    }
    if (!automount) return undefined;
    const request = await core.createNamespacedServiceAccountToken({
      name: accountName,
      namespace,
      body: {
        spec: {
          audiences: [],
          expirationSeconds: 3600,
          boundObjectRef: {
            apiVersion: 'v1',
            kind: 'Pod',
            name: pod.metadata?.name ?? '',
            uid: pod.metadata?.uid ?? '',
          },
        },
      },
    });
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the local node has no current cluster');
    const account = new KubeConfig();
    account.loadFromOptions({
      clusters: [cluster],
      users: [{ name: accountName, token: request.status?.token ?? '' }],
      contexts: [{ name: 'pod', cluster: cluster.name, user: accountName, namespace }],
      currentContext: 'pod',
    });
    const file = join(logDir, `${namespace}_${pod.metadata?.name ?? ''}.kubeconfig`);
    await writeFile(file, account.exportConfig(), { mode: 0o600 });
    return file;
  };

  const onExit = (
    pod: RunningPod,
    exitCode: number,
    reason: string,
    startMessage: string | undefined,
    startedAt: string,
    env: Record<string, string>,
    argv: string[],
  ): void => {
    clearTimeout(pod.probeTimer);
    pod.ready = pod.readinessProbe === undefined;
    // terminationMessagePolicy FallbackToLogsOnError, the useful choice for Jobs.
    const message =
      startMessage ?? (exitCode !== 0 ? pod.outputTail.trimEnd() || undefined : undefined);
    const state = terminatedState(pod, exitCode, reason, message, startedAt);
    const restart =
      !pod.deleting &&
      !stopping &&
      (pod.restartPolicy === 'Always' || (pod.restartPolicy === 'OnFailure' && exitCode !== 0));
    if (restart) {
      // The kubelet's CrashLoopBackOff: 10 s doubling to 5 min.
      pod.lastState = state;
      const delay = Math.min(10_000 * 2 ** pod.restartCount, 300_000);
      pod.restartCount++;
      writeStatus(pod, {
        phase: 'Running',
        conditions: conditions(false, 'ContainersNotReady'),
        containerStatuses: [
          {
            name: pod.container,
            image: pod.image,
            imageID: '',
            ready: false,
            started: false,
            restartCount: pod.restartCount,
            lastState: state,
            state: {
              waiting: {
                reason: 'CrashLoopBackOff',
                message: `back-off ${delay / 1000}s restarting failed container`,
              },
            },
          },
        ],
      });
      const timer = setTimeout(() => {
        if (!pod.deleting && !stopping) launch(pod, argv, env);
      }, delay);
      timer.unref();
      return;
    }
    reportTerminated(pod, state);
    endLog(pod);
    if (pod.deleting && !stopping) {
      void pod.writes.then(() => finalizeDeletion(pod.namespace, pod.name, pod.uid));
    }
  };

  const start = (pod: V1Pod): void => {
    const meta = pod.metadata ?? {};
    const spec = pod.spec;
    const container = spec?.containers[0];
    const uid = meta.uid ?? '';
    if (!container || !spec) return;
    const runningPod: RunningPod = {
      uid,
      namespace: meta.namespace ?? 'default',
      name: meta.name ?? '',
      container: container.name,
      image: container.image ?? '',
      restartPolicy: spec.restartPolicy ?? 'Always',
      child: undefined,
      startedAt: now(),
      restartCount: 0,
      lastState: undefined,
      deleting: false,
      outputTail: '',
      log: createWriteStream(
        logPath({ namespace: meta.namespace ?? 'default', name: meta.name ?? '', uid }),
        { flags: 'a' },
      ),
      writes: Promise.resolve(),
      exited: Promise.resolve(),
      ports: new Map(),
      ready: container.readinessProbe === undefined,
      readinessProbe: container.readinessProbe,
      namedPorts: new Map(
        (container.ports ?? []).flatMap((p) => (p.name ? [[p.name, p.containerPort]] : [])),
      ),
    };
    running.set(uid, runningPod);
    void (async () => {
      let env: Record<string, string>;
      try {
        env = await resolveEnv(pod, container);
      } catch (error) {
        // The kubelet keeps retrying CreateContainerConfigError; the resync does the same.
        running.delete(uid);
        endLog(runningPod);
        writeStatus(runningPod, {
          containerStatuses: [
            {
              name: container.name,
              image: runningPod.image,
              imageID: '',
              ready: false,
              restartCount: 0,
              state: {
                waiting: { reason: 'CreateContainerConfigError', message: describeError(error) },
              },
            },
          ],
        });
        return;
      }
      const image = opts.images?.(runningPod.image);
      try {
        if (image) {
          env = { ...image.env, ...env };
          runningPod.cwd = image.cwd;
        }
        if (opts.serviceAccountKubeconfigs) {
          const kubeconfig = await serviceAccountKubeconfig(pod);
          if (kubeconfig) env.KUBECONFIG = kubeconfig;
        }
        if (opts.remapPorts) {
          for (const port of container.ports ?? [])
            runningPod.ports.set(port.containerPort, await freePort());
          env = { ...env, ...opts.remapPorts(pod, env, runningPod.ports) };
        }
      } catch (error) {
        running.delete(uid);
        endLog(runningPod);
        warn(`start ${runningPod.namespace}/${runningPod.name}: ${describeError(error)}`);
        return;
      }
      const entrypoint =
        container.command ??
        (image ? [...image.entrypoint, ...(container.args ? [] : (image.cmd ?? []))] : undefined) ??
        opts.imageEntrypoints?.[imageRepository(runningPod.image)];
      if (!entrypoint || entrypoint.length === 0) {
        runningPod.exited = Promise.resolve();
        onExit(
          runningPod,
          128,
          'StartError',
          `container ${container.name} has no command and image ${runningPod.image} has no local entrypoint (LocalNodeOptions.imageEntrypoints)`,
          now(),
          env,
          [],
        );
        return;
      }
      const argv = [...entrypoint, ...(container.args ?? [])].map((a) => expandVars(a, env));
      launch(runningPod, argv, env);
    })();
  };

  const kill = (pod: RunningPod, graceSeconds: number): void => {
    if (pod.deleting) return;
    pod.deleting = true;
    killGroup(pod.child, 'SIGTERM');
    const timer = setTimeout(
      () => killGroup(pod.child, 'SIGKILL'),
      Math.min(graceSeconds, maxGraceSeconds) * 1000,
    );
    timer.unref();
    void pod.exited.then(() => clearTimeout(timer));
  };

  // --- reconcile ----------------------------------------------------------------------

  // Level-triggered: every event and every resync looks at the pod as it is now.
  const reconcile = (pod: V1Pod): void => {
    if (stopping) return;
    const meta = pod.metadata;
    const spec = pod.spec;
    if (!meta?.uid || !meta.name || !meta.namespace || !spec) return;
    if (opts.namespace && meta.namespace !== opts.namespace) return;
    const phase = pod.status?.phase;
    const terminal = phase === 'Succeeded' || phase === 'Failed';

    if (!spec.nodeName) {
      if (meta.deletionTimestamp || terminal || binding.has(meta.uid)) return;
      if (spec.schedulerName && spec.schedulerName !== 'default-scheduler') return;
      if (!podFitsNode(pod, labels, taints)) return;
      const uid = meta.uid;
      binding.add(uid);
      core
        .createNamespacedPodBinding({
          name: meta.name,
          namespace: meta.namespace,
          body: {
            apiVersion: 'v1',
            kind: 'Binding',
            metadata: { name: meta.name, namespace: meta.namespace, uid },
            target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
          },
        })
        .catch((error: unknown) => {
          // 409: another node bound it first, or it is already bound.
          const code = errorCode(error);
          if (code !== 409 && code !== 404)
            warn(`bind ${meta.namespace}/${meta.name}: ${describeError(error)}`);
        })
        .finally(() => binding.delete(uid));
      return;
    }
    if (spec.nodeName !== nodeName) return;

    const mine = running.get(meta.uid);
    if (meta.deletionTimestamp) {
      if (mine) kill(mine, pod.spec?.terminationGracePeriodSeconds ?? maxGraceSeconds);
      else if (!terminal) void finalizeDeletion(meta.namespace, meta.name, meta.uid);
      return;
    }
    if (mine || terminal) return;
    if (phase === 'Running') {
      // Started by an earlier local node of this name that is gone: the process is lost.
      const lost: RunningPod = {
        uid: meta.uid,
        namespace: meta.namespace,
        name: meta.name,
        container: spec.containers[0]?.name ?? '',
        image: spec.containers[0]?.image ?? '',
        restartPolicy: 'Never',
        child: undefined,
        startedAt: pod.status?.startTime ? new Date(pod.status.startTime).toISOString() : now(),
        restartCount: 0,
        lastState: undefined,
        deleting: false,
        outputTail: '',
        log: createWriteStream(
          logPath({ namespace: meta.namespace, name: meta.name, uid: meta.uid }),
          { flags: 'a' },
        ),
        writes: Promise.resolve(),
        exited: Promise.resolve(),
        ports: new Map(),
        ready: false,
        namedPorts: new Map(),
      };
      running.set(meta.uid, lost);
      onExit(
        lost,
        137,
        'ContainerStatusUnknown',
        'the local node that ran this container restarted',
        lost.startedAt,
        {},
        [],
      );
      return;
    }
    start(pod);
  };

  const forget = (pod: V1Pod): void => {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    const mine = running.get(uid);
    if (mine) kill(mine, 0);
    running.delete(uid);
    finalizing.delete(uid);
  };

  // --- watch ----------------------------------------------------------------------------

  const path = opts.namespace ? `/api/v1/namespaces/${opts.namespace}/pods` : '/api/v1/pods';
  const list = opts.namespace
    ? () => core.listNamespacedPod({ namespace: opts.namespace ?? '' })
    : () => core.listPodForAllNamespaces();
  const informer: Informer<V1Pod> & ObjectCache<V1Pod> = makeInformer(kc, path, list);
  informer.on('add', reconcile);
  informer.on('update', reconcile);
  informer.on('delete', forget);
  let restartDelay = 500;
  informer.on('error', (error: unknown) => {
    if (stopping) return;
    // The informer stops on errors other than 410; restart it with jittered backoff.
    warn(`pod watch failed, restarting: ${describeError(error)}`);
    const delay = restartDelay * (0.5 + Math.random());
    restartDelay = Math.min(restartDelay * 2, 30_000);
    setTimeout(() => {
      if (!stopping)
        informer.start().catch((e: unknown) => warn(`pod watch restart: ${describeError(e)}`));
    }, delay).unref();
  });
  informer.on('connect', () => {
    restartDelay = 500;
  });
  await informer.start();
  podCache = informer;

  const timers = [
    // Periodic resync heals anything an event missed or a failed API call left behind.
    setInterval(() => {
      for (const pod of informer.list()) reconcile(pod);
    }, resyncMs),
    setInterval(() => {
      renewLease().catch((error: unknown) => warn(`lease: ${describeError(error)}`));
    }, leaseRenewMs),
    setInterval(() => {
      postNodeStatus().catch((error: unknown) => warn(`node status: ${describeError(error)}`));
    }, nodeHeartbeatMs),
  ];
  for (const timer of timers) timer.unref();

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      for (const timer of timers) clearInterval(timer);
      await informer.stop();
      await logServer?.close();
      const pods = [...running.values()];
      for (const pod of pods) {
        pod.deleting = true;
        killGroup(pod.child, 'SIGTERM');
      }
      const hardKill = setTimeout(() => {
        for (const pod of pods) killGroup(pod.child, 'SIGKILL');
      }, 5000);
      await Promise.all(pods.map((pod) => pod.exited));
      clearTimeout(hardKill);
      for (const pod of pods) endLog(pod);
      running.clear();
      if (ownsLogDir && process.env.VIDEOFORGE_KEEP_KUBE_DIR !== '1')
        await rm(logDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const hostPort = (namespace: string, name: string, containerPort: number): number | undefined => {
    for (const pod of running.values())
      if (pod.namespace === namespace && pod.name === name) return pod.ports.get(containerPort);
    return undefined;
  };

  return { nodeName, logDir, logPath, hostPort, stop };
}
