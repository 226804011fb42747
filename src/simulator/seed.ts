// The default cluster: system, GPU and CPU nodes with a Run:ai workload mix, all derived
// from the seed. The layout is fixed (tests rely on it); names and projects vary by seed.
import type { KubeletIdentity } from './node-object.js'
import type { PodTemplate, WorkloadKind } from './pod-object.js'
import type { Random } from './random.js'

export interface ClusterShape {
  systemNodes: number
  gpuNodes: number
  cpuNodes: number
  gpusPerNode: number
  /** Workload pods per GPU node; when unset, the hand-made default mix. */
  podsPerGpuNode?: number
  /** Node pools over the GPU nodes, in order: the first `nodes` GPU nodes get the first pool's label, and so on. */
  nodePools?: NodePool[]
  /** Seeded training pods finish (Succeeded) this many seconds after the simulation starts; unset = they run on. */
  trainingSeconds?: number
}

export interface NodePool {
  name: string
  nodes: number
}

export const DEFAULT_SHAPE: Readonly<ClusterShape> = Object.freeze({ systemNodes: 2, gpuNodes: 6, cpuNodes: 2, gpusPerNode: 8 })

/** The label Run:ai node pools select their nodes by. */
export const POOL_LABEL = 'run.ai/node-pool'

export interface SeedNode {
  identity: KubeletIdentity
  role: 'runai-system' | 'runai-gpu-worker' | 'runai-cpu-worker'
  ageDays: number
  pool?: string
}

export interface SeedPod {
  template: PodTemplate
  node: string
  ageHours: number
}

export interface SeedPdb {
  namespace: string
  name: string
  selector: Record<string, string>
  minAvailable?: number
  maxUnavailable?: number
}

export interface SeedDaemonSet {
  namespace: string
  name: string
  uid: string
  image: string
}

export interface ClusterSeed {
  nodes: SeedNode[]
  namespaces: { name: string; labels: Record<string, string> }[]
  daemonSets: SeedDaemonSet[]
  pods: SeedPod[]
  pdbs: SeedPdb[]
}

const PROJECTS = ['team-a', 'team-b', 'vision', 'nlp', 'research', 'recsys', 'speech', 'robotics']
const MODELS = ['llama', 'resnet', 'bert', 'whisper', 'mistral', 'vit', 'gpt', 'unet']
export const ROLE_PREFIX = 'node-role.kubernetes.io/'

function identity(random: Random, name: string, gpus: number, cpu: number, memoryGi: number, ip: string): KubeletIdentity {
  return { name, gpus, cpu, memoryGi, internalIP: ip, machineID: random.hex(32), systemUUID: random.uuid(), bootID: random.uuid() }
}

const ipOf = (n: number): string => `10.0.${Math.floor(n / 250)}.${(n % 250) + 2}`

export function seedCluster(shape: ClusterShape, random: Random): ClusterSeed {
  const nodes: SeedNode[] = []
  let ip = 0
  for (let i = 1; i <= shape.systemNodes; i++) {
    nodes.push({ identity: identity(random, `sys-${i}`, 0, 16, 64, ipOf(ip++)), role: 'runai-system', ageDays: 90 })
  }
  const pools = (shape.nodePools ?? []).flatMap((p) => Array<string>(p.nodes).fill(p.name))
  for (let i = 1; i <= shape.gpuNodes; i++) {
    const pool = pools[i - 1]
    nodes.push({
      identity: identity(random, `gpu-${i}`, shape.gpusPerNode, 96, 768, ipOf(ip++)),
      role: 'runai-gpu-worker',
      ageDays: 60,
      ...(pool ? { pool } : {}),
    })
  }
  for (let i = 1; i <= shape.cpuNodes; i++) {
    nodes.push({ identity: identity(random, `cpu-${i}`, 0, 64, 256, ipOf(ip++)), role: 'runai-cpu-worker', ageDays: 45 })
  }

  const projects = random.shuffle(PROJECTS).slice(0, 3)
  const namespaces = [
    { name: 'default', labels: {} },
    { name: 'kube-system', labels: {} },
    { name: 'kube-public', labels: {} },
    { name: 'kube-node-lease', labels: {} },
    { name: 'gpu-operator', labels: {} },
    { name: 'runai', labels: {} },
    ...projects.map((p) => ({ name: `runai-${p}`, labels: { 'runai/queue': p } })),
  ]
  const daemonSets: SeedDaemonSet[] = [
    { namespace: 'kube-system', name: 'kube-proxy', uid: random.uuid(), image: 'registry.k8s.io/kube-proxy:v1.35.0' },
    { namespace: 'gpu-operator', name: 'nvidia-device-plugin-daemonset', uid: random.uuid(), image: 'nvcr.io/nvidia/k8s-device-plugin:v0.17.1' },
  ]
  const pods: SeedPod[] = []
  for (const node of nodes) {
    for (const ds of daemonSets) pods.push({ template: daemonPodTemplate(ds), node: node.identity.name, ageHours: node.ageDays * 24 })
  }

  const uid = () => random.uuid()
  const workload = (
    kind: WorkloadKind,
    ownerKind: string,
    name: string,
    project: string,
    gpus: number,
    extra: Partial<PodTemplate> = {},
  ): PodTemplate => ({
    kind,
    namespace: `runai-${project}`,
    generateName: `${name}-`,
    owner: { apiVersion: ownerApiVersion(ownerKind), kind: ownerKind, name, uid: uid() },
    labels: { app: name, project, 'runai/queue': project, 'workload-kind': kind },
    gpus,
    image: kind === 'inference' ? 'vllm/vllm-openai:v0.8.4' : kind === 'build' ? 'nvcr.io/nvidia/pytorch:25.01-py3' : `nvcr.io/nvidia/pytorch:24.12-py3`,
    ...extra,
  })

  const sysNames = ['runai-scheduler-default', 'runai-controller-manager', 'researcher-service', 'metrics-exporter']
  for (let i = 0; i < shape.systemNodes; i++) {
    for (const name of [sysNames[(2 * i) % sysNames.length]!, sysNames[(2 * i + 1) % sysNames.length]!]) {
      const rs = `${name}-${random.suffix(9)}`
      pods.push({
        template: {
          kind: 'system',
          namespace: 'runai',
          generateName: `${rs}-`,
          owner: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: uid() },
          labels: { app: name },
          gpus: 0,
          image: `runai/${name}:2.21.0`,
          nodeSelector: { [`${ROLE_PREFIX}runai-system`]: '' },
        },
        node: `sys-${i + 1}`,
        ageHours: 24 * 30,
      })
    }
  }

  const gpuNode = (i: number) => `gpu-${i}`
  const project = (i: number) => projects[i % projects.length]!
  const model = (i: number) => MODELS[(i + random.int(MODELS.length)) % MODELS.length]!
  const pdbs: SeedPdb[] = []

  if (shape.podsPerGpuNode !== undefined) {
    const kinds: WorkloadKind[] = ['training', 'inference', 'interactive', 'build']
    for (let i = 1; i <= shape.gpuNodes; i++) {
      let free = shape.gpusPerNode
      for (let k = 0; k < shape.podsPerGpuNode; k++) {
        const kind = kinds[k % kinds.length]!
        const gpus = free > 0 ? 1 : 0
        free -= gpus
        const ownerKind = kind === 'training' ? 'TrainingWorkload' : kind === 'inference' ? 'InferenceWorkload' : 'InteractiveWorkload'
        pods.push({ template: workload(kind, ownerKind, `${kind}-${i}-${k}`, project(i + k), gpus), node: gpuNode(i), ageHours: 1 + (k % 48) })
      }
    }
    return { nodes, namespaces, daemonSets, pods, pdbs }
  }

  // Every GPU node runs one 2-GPU training pod; odd ones an interactive notebook; every third
  // starts a 2-pod distributed training over it and the next. gpu-2 and gpu-3 serve a model
  // whose PDB allows no disruption. At most 6 of 8 GPUs are used anywhere, so an evicted
  // training pod always fits elsewhere.
  for (let i = 1; i <= shape.gpuNodes; i++) {
    const p = project(i)
    pods.push({ template: workload('training', i % 2 ? 'TrainingWorkload' : 'Job', `train-${model(i)}-${i}`, p, 2), node: gpuNode(i), ageHours: 5 + i })
    if (i % 2 === 1) {
      pods.push({ template: workload('interactive', 'InteractiveWorkload', `jupyter-${i}`, p, 1, { emptyDir: true }), node: gpuNode(i), ageHours: 2 + i })
    }
    if (i % 3 === 1 && i + 1 <= shape.gpuNodes) {
      const name = `dist-${model(i)}-${i}`
      const template = workload('training', 'TrainingWorkload', name, p, 1)
      pods.push({ template, node: gpuNode(i), ageHours: 3 })
      pods.push({ template, node: gpuNode(i + 1), ageHours: 3 })
      if (pdbs.length === 0) pdbs.push({ namespace: template.namespace, name, selector: { app: name }, maxUnavailable: 1 })
    }
    if (i % 2 === 0 && i > 3) {
      pods.push({ template: workload('inference', 'InferenceWorkload', `infer-${model(i)}-${i}`, p, 1), node: gpuNode(i), ageHours: 30 })
    }
  }
  if (shape.gpuNodes >= 3) {
    const rs = `llm-serve-${random.suffix(9)}`
    const template = workload('inference', 'ReplicaSet', rs, projects[0]!, 1, {
      owner: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: uid() },
      labels: { app: 'llm-serve', project: projects[0]!, 'runai/queue': projects[0]!, 'workload-kind': 'inference' },
    })
    pods.push({ template, node: gpuNode(2), ageHours: 48 })
    pods.push({ template, node: gpuNode(3), ageHours: 48 })
    pdbs.push({ namespace: template.namespace, name: 'llm-serve', selector: { app: 'llm-serve' }, minAvailable: 2 })
  }
  if (shape.gpuNodes >= 1) {
    const n = shape.gpuNodes
    pods.push({ template: workload('build', 'InteractiveWorkload', `build-${model(n)}-gpu`, project(n), 1), node: gpuNode(n), ageHours: 1 })
  }
  for (let i = 1; i <= shape.cpuNodes; i++) {
    pods.push({ template: workload('build', 'InteractiveWorkload', `build-cpu-${i}`, project(i), 0, { emptyDir: true }), node: `cpu-${i}`, ageHours: 4 })
  }
  return { nodes, namespaces, daemonSets, pods, pdbs }
}

function ownerApiVersion(kind: string): string {
  switch (kind) {
    case 'Job':
      return 'batch/v1'
    case 'ReplicaSet':
      return 'apps/v1'
    default:
      return 'run.ai/v2alpha1'
  }
}

const POOL_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/

/** Why the node pools do not fit the shape, or null when they do. */
export function nodePoolsProblem(pools: NodePool[], gpuNodes: number): string | null {
  const seen = new Set<string>()
  for (const p of pools) {
    if (!POOL_NAME.test(p.name) || p.name.length > 63) return `node pool name "${p.name}" must be lower-case letters, digits, '-' and '.', at most 63 characters`
    if (seen.has(p.name)) return `node pool "${p.name}" is given twice`
    if (!Number.isInteger(p.nodes) || p.nodes < 1) return `node pool "${p.name}" needs at least one node, got ${p.nodes}`
    seen.add(p.name)
  }
  const total = pools.reduce((n, p) => n + p.nodes, 0)
  return total > gpuNodes ? `the node pools hold ${total} nodes but there are only ${gpuNodes} GPU nodes` : null
}

export function daemonPodTemplate(ds: SeedDaemonSet): PodTemplate {
  return {
    kind: 'daemon',
    namespace: ds.namespace,
    generateName: `${ds.name}-`,
    owner: { apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.name, uid: ds.uid },
    labels: { app: ds.name, 'controller-revision-hash': '6d4b75cb6d', 'pod-template-generation': '1' },
    gpus: 0,
    image: ds.image,
  }
}
