// The Run:ai-like cluster the real control plane starts with, in the shape of the simulator's
// seed (src/simulator/seed.ts): system, GPU and CPU nodes with role labels and nvidia.com/gpu
// capacity; training as Jobs and a Deployment that the controllers recreate and the scheduler
// places; interactive notebooks (bare pods, gone when evicted); a served model under a
// PodDisruptionBudget; a node DaemonSet that tolerates every taint. kube-public/cluster-info is
// what kubeadm would have written.
import { createHash } from 'node:crypto'
import { kubeconfigYaml } from '../src/simulator/kubeconfig.js'
import { ROLE_PREFIX } from '../src/simulator/seed.js'

type Obj = Record<string, unknown>
type Role = 'runai-system' | 'runai-gpu-worker' | 'runai-cpu-worker'

export const REAL_NODES: { name: string; role: Role; gpus: number; cpu: number; memoryGi: number }[] = [
  { name: 'sys-1', role: 'runai-system', gpus: 0, cpu: 16, memoryGi: 64 },
  { name: 'sys-2', role: 'runai-system', gpus: 0, cpu: 16, memoryGi: 64 },
  { name: 'gpu-1', role: 'runai-gpu-worker', gpus: 8, cpu: 96, memoryGi: 768 },
  { name: 'gpu-2', role: 'runai-gpu-worker', gpus: 8, cpu: 96, memoryGi: 768 },
  { name: 'gpu-3', role: 'runai-gpu-worker', gpus: 8, cpu: 96, memoryGi: 768 },
  { name: 'gpu-4', role: 'runai-gpu-worker', gpus: 8, cpu: 96, memoryGi: 768 },
  { name: 'cpu-1', role: 'runai-cpu-worker', gpus: 0, cpu: 64, memoryGi: 256 },
  { name: 'cpu-2', role: 'runai-cpu-worker', gpus: 0, cpu: 64, memoryGi: 256 },
]

/** A Node as its kubelet registers it. `ownKubelet`: managed by its own kwok rather than the shared one. */
export function realNode(spec: (typeof REAL_NODES)[number], ownKubelet = false): Obj {
  const resources = {
    cpu: String(spec.cpu),
    memory: `${spec.memoryGi}Gi`,
    pods: '110',
    ...(spec.gpus ? { 'nvidia.com/gpu': String(spec.gpus) } : {}),
  }
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      labels: {
        'kubernetes.io/hostname': spec.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        [`${ROLE_PREFIX}${spec.role}`]: '',
        ...(spec.gpus ? { 'nvidia.com/gpu.present': 'true' } : {}),
      },
      annotations: { 'kwok.x-k8s.io/node': ownKubelet ? 'own' : 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: {},
    status: {
      capacity: resources,
      allocatable: resources,
      nodeInfo: {
        machineID: createHash('md5').update(`machine-${spec.name}`).digest('hex'),
        systemUUID: createHash('md5').update(`system-${spec.name}`).digest('hex'),
        bootID: createHash('md5').update(`boot-${spec.name}`).digest('hex'),
        kernelVersion: '6.8.0-1015-nvidia',
        osImage: 'Ubuntu 24.04.1 LTS',
        containerRuntimeVersion: 'containerd://2.0.2',
        kubeletVersion: 'v1.35.4',
        kubeProxyVersion: 'v1.35.4',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  }
}

const container = (image: string, gpus: number) => ({
  name: 'main',
  image,
  resources: {
    requests: { cpu: '1', memory: '1Gi', ...(gpus ? { 'nvidia.com/gpu': String(gpus) } : {}) },
    limits: gpus ? { 'nvidia.com/gpu': String(gpus) } : {},
  },
})

const onRole = (role: Role) => ({ [`${ROLE_PREFIX}${role}`]: '' })

function podSpec(role: Role, image: string, gpus: number, priorityClassName: string, extra: Obj = {}): Obj {
  return { nodeSelector: onRole(role), priorityClassName, terminationGracePeriodSeconds: 0, containers: [container(image, gpus)], ...extra }
}

function deployment(namespace: string, name: string, replicas: number, spec: Obj, labels: Record<string, string> = {}): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { namespace, name, labels: { app: name, ...labels } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, ...labels } }, spec },
    },
  }
}

function job(namespace: string, name: string, parallelism: number, spec: Obj, labels: Record<string, string>): Obj {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { namespace, name, labels: { app: name, ...labels } },
    spec: {
      parallelism,
      completions: parallelism,
      backoffLimit: 20,
      // A training pod evicted by a drain is replaced at once, rather than after it finished terminating.
      podReplacementPolicy: 'TerminatingOrFailed',
      template: { metadata: { labels: { app: name, ...labels } }, spec: { ...spec, restartPolicy: 'Never' } },
    },
  }
}

const PRIORITIES: [string, number][] = [
  ['train', 100],
  ['interactive-preemptible', 50],
  ['inference', 1000],
  ['build', 25],
]

/** The objects that must exist before the workloads: namespaces and priority classes. */
export function realClusterFoundation(): Obj[] {
  return [
    ...['runai', 'gpu-operator', 'runai-team-a', 'runai-team-b'].map((name) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: name.startsWith('runai-') ? { 'runai/queue': name.slice(6) } : {} },
    })),
    ...PRIORITIES.map(([name, value]) => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value })),
  ]
}

export function realClusterSeed(server: string, caPem: string, ownKubelet: string[]): Obj[] {
  const team = (p: string) => ({ project: p, 'runai/queue': p })
  return [
    ...REAL_NODES.map((n) => realNode(n, ownKubelet.includes(n.name))),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { namespace: 'kube-public', name: 'cluster-info' },
      data: { kubeconfig: kubeconfigYaml(server, caPem, null) },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { namespace: 'gpu-operator', name: 'nvidia-device-plugin-daemonset' },
      spec: {
        selector: { matchLabels: { app: 'nvidia-device-plugin' } },
        template: {
          metadata: { labels: { app: 'nvidia-device-plugin' } },
          spec: {
            tolerations: [{ operator: 'Exists' }],
            priorityClassName: 'system-node-critical',
            terminationGracePeriodSeconds: 0,
            containers: [container('nvcr.io/nvidia/k8s-device-plugin:v0.17.1', 0)],
          },
        },
      },
    },
    deployment('runai', 'runai-scheduler-default', 2, podSpec('runai-system', 'runai/runai-scheduler-default:2.21.0', 0, 'system-cluster-critical')),
    job('runai-team-a', 'train-llama', 2, podSpec('runai-gpu-worker', 'nvcr.io/nvidia/pytorch:24.12-py3', 2, 'train'), team('team-a')),
    job('runai-team-b', 'train-bert', 1, podSpec('runai-gpu-worker', 'nvcr.io/nvidia/pytorch:24.12-py3', 2, 'train'), team('team-b')),
    deployment('runai-team-b', 'train-resnet', 2, podSpec('runai-gpu-worker', 'nvcr.io/nvidia/pytorch:24.12-py3', 1, 'train'), team('team-b')),
    deployment('runai-team-a', 'llm-serve', 2, podSpec('runai-gpu-worker', 'vllm/vllm-openai:v0.8.4', 1, 'inference'), team('team-a')),
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { namespace: 'runai-team-a', name: 'llm-serve' },
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'llm-serve' } } },
    },
    ...[1, 2, 3].map((i) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace: i === 2 ? 'runai-team-a' : 'runai-team-b', name: `jupyter-${i}`, labels: { app: `jupyter-${i}` } },
      spec: podSpec('runai-gpu-worker', 'jupyter/base-notebook:2025-01-06', 1, 'interactive-preemptible'),
    })),
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace: 'runai-team-a', name: 'build-cpu-1', labels: { app: 'build-cpu-1' } },
      spec: podSpec('runai-cpu-worker', 'nvcr.io/nvidia/pytorch:25.01-py3', 0, 'build'),
    },
  ]
}
