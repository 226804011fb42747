// Builders for domain objects in tests: sensible defaults, override what the test is about.
import { NodeplanError } from '../src/domain/errors.js'
import { DRAIN_TAINT, type ClusterSnapshot, type NodeState, type PdbState, type PodState, type Taint } from '../src/domain/cluster.js'
import type { Plan, PlanDraft, PlannedChange } from '../src/domain/plan.js'
import { ROLE_LABEL, type NodeRole } from '../src/domain/roles.js'

export interface NodeOptions extends Partial<Omit<NodeState, 'name'>> {
  roles?: NodeRole[]
  /** Adds the drain taint runai=drain:NoExecute. */
  drained?: boolean
  /** Extra labels merged over the defaults and role labels. */
  extraLabels?: Record<string, string>
}

/** A Ready node with kubelet labels, its role labels and, for GPU workers, 8 GPUs. */
export function buildNode(name: string, options: NodeOptions = {}): NodeState {
  const { roles = ['GPU_WORKER'], drained = false, extraLabels = {}, ...rest } = options
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
  }
  for (const role of roles) labels[ROLE_LABEL[role]] = ''
  const taints: Taint[] = drained ? [{ ...DRAIN_TAINT }] : []
  return {
    name,
    uid: `uid-${name}`,
    resourceVersion: '1',
    createdAt: '2026-01-01T00:00:00Z',
    labels: { ...labels, ...extraLabels },
    taints,
    unschedulable: false,
    ready: true,
    notReadySince: null,
    gpus: roles.includes('GPU_WORKER') ? 8 : 0,
    kubeletVersion: 'v1.35.0',
    ...rest,
  }
}

/** A running bare pod on no node, in namespace `runai-team-a`; set owner, node, priority as needed. */
export function buildPod(name: string, options: Partial<Omit<PodState, 'name'>> = {}): PodState {
  return {
    namespace: 'runai-team-a',
    name,
    nodeName: null,
    phase: 'Running',
    labels: {},
    priorityClassName: null,
    schedulerName: 'runai-scheduler',
    owner: null,
    tolerations: [],
    gpus: 0,
    ...options,
  }
}

export function buildPdb(name: string, options: Partial<Omit<PdbState, 'name'>> = {}): PdbState {
  return { namespace: 'runai-team-a', name, selector: { matchLabels: { app: name } }, disruptionsAllowed: 0, ...options }
}

export function buildSnapshot(nodes: NodeState[], pods: PodState[] = [], pdbs: PdbState[] = []): ClusterSnapshot {
  return { nodes, pods, pdbs }
}

/** A stored plan from a draft: APPLIED with every change applied unless told otherwise. */
export function buildPlan(draft: PlanDraft, options: Partial<Omit<Plan, 'changes'>> & { changes?: PlannedChange[] } = {}): Plan {
  const status = options.status ?? 'APPLIED'
  const applied = status === 'APPLIED'
  return {
    ...draft,
    id: 'plan-1',
    cluster: 'default',
    status,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    approvedBy: null,
    appliedBy: applied ? draft.createdBy : null,
    appliedAt: applied ? new Date('2026-01-01T00:01:00Z') : null,
    changes: draft.changes.map((c) => ({ ...c, applied, error: null })),
    ...options,
  }
}

/** The NodeplanError `run` throws; fails the test when it throws nothing or something else. */
export function refusal(run: () => unknown): NodeplanError {
  try {
    run()
  } catch (error) {
    if (error instanceof NodeplanError) return error
    throw error
  }
  throw new Error('expected a NodeplanError')
}
