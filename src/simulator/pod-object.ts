// Pod objects as a Run:ai cluster holds them: owners, priority classes, project labels,
// GPU requests and the default tolerations every pod gets at admission.
import { GPU_RESOURCE } from './node-object.js'
import type { KubeObject } from './store.js'

export type WorkloadKind = 'training' | 'interactive' | 'build' | 'inference' | 'system' | 'daemon'

export const PRIORITY_CLASS: Record<WorkloadKind, string | undefined> = {
  training: 'train',
  interactive: 'interactive-preemptible',
  build: 'build',
  inference: 'inference',
  system: 'system-cluster-critical',
  daemon: 'system-node-critical',
}

/** Interactive and build workloads are not resubmitted after an eviction; a person relocates them. */
export function isResubmitted(pod: KubeObject): boolean {
  const pc = pod.spec?.priorityClassName
  return pc !== PRIORITY_CLASS.interactive && pc !== PRIORITY_CLASS.build
}

/** Added to every pod by the DefaultTolerationSeconds admission plugin. */
export const DEFAULT_TOLERATIONS = Object.freeze([
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
])

/** DaemonSet pods tolerate every taint. */
export const TOLERATE_EVERYTHING = Object.freeze([{ operator: 'Exists' }])

export interface Owner {
  apiVersion: string
  kind: string
  name: string
  uid: string
}

export interface PodTemplate {
  kind: WorkloadKind
  namespace: string
  generateName: string
  owner: Owner
  labels: Record<string, string>
  gpus: number
  image: string
  nodeSelector?: Record<string, string>
  emptyDir?: boolean
}

// Pods built from one template share these immutable parts, which keeps 100k pods small.
const containerCache = new Map<string, object[]>()

function containers(image: string, gpus: number): object[] {
  const key = `${image}|${gpus}`
  let cached = containerCache.get(key)
  if (!cached) {
    const requests: Record<string, string> = { cpu: gpus ? String(gpus * 4) : '500m', memory: gpus ? `${gpus * 16}Gi` : '1Gi' }
    const limits: Record<string, string> = {}
    if (gpus) requests[GPU_RESOURCE] = limits[GPU_RESOURCE] = String(gpus)
    cached = [
      {
        name: 'main',
        image,
        resources: gpus ? { requests, limits } : { requests },
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'IfNotPresent',
      },
    ]
    containerCache.set(key, cached)
  }
  return cached
}

const ownerReferenceCache = new WeakMap<PodTemplate, object[]>()

function ownerReferences(t: PodTemplate): KubeObject['metadata']['ownerReferences'] {
  let refs = ownerReferenceCache.get(t)
  if (!refs) ownerReferenceCache.set(t, (refs = [{ ...t.owner, controller: true, blockOwnerDeletion: true }]))
  return refs as KubeObject['metadata']['ownerReferences']
}

export function podObject(t: PodTemplate, name: string, uid: string, created: string): KubeObject {
  const priorityClassName = PRIORITY_CLASS[t.kind]
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: t.generateName,
      namespace: t.namespace,
      uid,
      creationTimestamp: created,
      labels: t.labels,
      ownerReferences: ownerReferences(t),
    },
    spec: {
      containers: containers(t.image, t.gpus),
      restartPolicy: t.kind === 'training' || t.kind === 'build' ? 'Never' : 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      schedulerName: t.kind === 'daemon' || t.kind === 'system' ? 'default-scheduler' : 'runai-scheduler',
      ...(priorityClassName ? { priorityClassName } : {}),
      ...(t.nodeSelector ? { nodeSelector: t.nodeSelector } : {}),
      tolerations: t.kind === 'daemon' ? TOLERATE_EVERYTHING : DEFAULT_TOLERATIONS,
      ...(t.emptyDir ? { volumes: [{ name: 'scratch', emptyDir: {} }] } : {}),
    },
    status: pendingStatus(created),
  }
}

export function pendingStatus(now: string, reason?: string): object {
  return {
    phase: 'Pending',
    conditions: [
      {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime: now,
        ...(reason ? { reason: 'Unschedulable', message: reason } : {}),
      },
    ],
    qosClass: 'Burstable',
  }
}

// Running pods started at the same moment share their (immutable) conditions and statuses.
const conditionsCache = new Map<string, object[]>()
const containerStatusCache = new Map<string, object[]>()

function cached<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let value = cache.get(key)
  if (value === undefined) {
    if (cache.size > 10_000) cache.clear()
    value = make()
    cache.set(key, value)
  }
  return value
}

export function runningStatus(pod: KubeObject, hostIP: string, podIP: string, now: string): object {
  const containers = (pod.spec?.containers ?? []) as { name: string; image: string }[]
  return {
    phase: 'Running',
    conditions: cached(conditionsCache, now, () =>
      ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
        type,
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: now,
      })),
    ),
    hostIP,
    hostIPs: [{ ip: hostIP }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: now,
    containerStatuses: cached(containerStatusCache, `${now}|${containers.map((c) => `${c.name}=${c.image}`).join(',')}`, () =>
      containers.map((c) => ({
        name: c.name,
        state: { running: { startedAt: now } },
        lastState: {},
        ready: true,
        restartCount: 0,
        image: c.image,
        imageID: '',
        started: true,
      })),
    ),
    qosClass: 'Burstable',
  }
}
