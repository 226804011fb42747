import { describe, expect, it } from 'vitest'
import type { V1Node, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node'
import { parseQuantity, podGpus, toNodeState, toPdbState, toPodState } from '../../src/adapters/kubernetes/node-state.js'

const node = (over: { spec?: V1Node['spec']; status?: V1Node['status']; labels?: Record<string, string> } = {}): V1Node => ({
  metadata: { name: 'gpu-1', uid: 'u-1', resourceVersion: '42', creationTimestamp: '2026-11-01T10:00:00Z' as unknown as Date, labels: over.labels },
  spec: over.spec,
  status: over.status,
})

describe('toNodeState', () => {
  it.each([
    {
      name: 'Ready node with GPUs and the drain taint',
      input: node({
        labels: { 'node-role.kubernetes.io/runai-gpu-worker': '' },
        spec: { taints: [{ key: 'runai', value: 'drain', effect: 'NoExecute' }] },
        status: {
          allocatable: { 'nvidia.com/gpu': '8', cpu: '64' },
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-11-01T10:01:00Z' as unknown as Date }],
          nodeInfo: { kubeletVersion: 'v1.35.0' } as NonNullable<V1Node['status']>['nodeInfo'],
        },
      }),
      want: {
        ready: true,
        notReadySince: null,
        gpus: 8,
        taints: [{ key: 'runai', value: 'drain', effect: 'NoExecute' }],
        labels: { 'node-role.kubernetes.io/runai-gpu-worker': '' },
        kubeletVersion: 'v1.35.0',
      },
    },
    {
      name: 'NotReady (status False): notReadySince is the condition transition',
      input: node({ status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: '2026-11-02T08:00:00Z' as unknown as Date }] } }),
      want: { ready: false, notReadySince: '2026-11-02T08:00:00Z', gpus: 0, taints: [] },
    },
    {
      name: 'Unknown status from a deserialized model (Date objects)',
      input: node({ status: { conditions: [{ type: 'Ready', status: 'Unknown', lastTransitionTime: new Date('2026-11-02T08:00:05Z') }] } }),
      want: { ready: false, notReadySince: '2026-11-02T08:00:05Z' },
    },
    {
      name: 'no Ready condition: not ready, since unknown',
      input: node({ status: { conditions: [{ type: 'MemoryPressure', status: 'False' }] } }),
      want: { ready: false, notReadySince: null },
    },
    {
      name: 'empty taint value is omitted, cordon kept',
      input: node({ spec: { unschedulable: true, taints: [{ key: 'k', value: '', effect: 'NoSchedule' }] } }),
      want: { unschedulable: true, taints: [{ key: 'k', effect: 'NoSchedule' }] },
    },
  ])('$name', ({ input, want }) => {
    const state = toNodeState(input)
    expect(state).toMatchObject(want)
    expect(state).toMatchObject({ name: 'gpu-1', uid: 'u-1', resourceVersion: '42', createdAt: '2026-11-01T10:00:00Z' })
  })
})

const pod = (spec: V1Pod['spec'], meta: Partial<NonNullable<V1Pod['metadata']>> = {}): V1Pod => ({
  metadata: { namespace: 'runai-team-a', name: 'train-0', uid: 'p-1', resourceVersion: '7', ...meta },
  spec,
  status: { phase: 'Running' },
})

describe('podGpus', () => {
  const c = (requests?: Record<string, string>, limits?: Record<string, string>) => ({ name: 'c', resources: { requests, limits } })
  it.each([
    { name: 'no containers', spec: { containers: [] }, want: 0 },
    { name: 'requests summed over containers', spec: { containers: [c({ 'nvidia.com/gpu': '2' }), c({ 'nvidia.com/gpu': '1' })] }, want: 3 },
    { name: 'limit where no request', spec: { containers: [c(undefined, { 'nvidia.com/gpu': '4' }), c({ cpu: '1' })] }, want: 4 },
    { name: 'request wins over limit', spec: { containers: [c({ 'nvidia.com/gpu': '1' }, { 'nvidia.com/gpu': '2' })] }, want: 1 },
    { name: 'larger init container', spec: { initContainers: [c({ 'nvidia.com/gpu': '5' })], containers: [c({ 'nvidia.com/gpu': '2' })] }, want: 5 },
  ])('$name → $want', ({ spec, want }) => {
    expect(podGpus(pod(spec as V1Pod['spec']))).toBe(want)
  })
})

describe('toPodState', () => {
  it('maps identity, placement, scheduling fields, the controlling owner and tolerations', () => {
    const state = toPodState(
      pod(
        {
          nodeName: 'gpu-1',
          priorityClassName: 'train',
          schedulerName: 'runai-scheduler',
          tolerations: [{ key: 'runai', operator: 'Equal', value: 'drain', effect: 'NoExecute', tolerationSeconds: 30 }, { operator: 'Exists' }],
          containers: [{ name: 'c', resources: { requests: { 'nvidia.com/gpu': '2' } } }],
        },
        {
          labels: { project: 'team-a' },
          ownerReferences: [
            { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'o-0' },
            { apiVersion: 'run.ai/v2alpha1', kind: 'TrainingWorkload', name: 'tw', uid: 'o-1', controller: true },
          ],
        },
      ),
    )
    expect(state).toEqual({
      namespace: 'runai-team-a',
      name: 'train-0',
      nodeName: 'gpu-1',
      phase: 'Running',
      labels: { project: 'team-a' },
      priorityClassName: 'train',
      schedulerName: 'runai-scheduler',
      owner: { kind: 'TrainingWorkload', name: 'tw', controller: true },
      tolerations: [{ key: 'runai', operator: 'Equal', value: 'drain', effect: 'NoExecute', tolerationSeconds: 30 }, { operator: 'Exists' }],
      gpus: 2,
    })
  })

  it('shares one frozen copy of equal label sets and toleration lists between pods', () => {
    const spec = () => ({ nodeName: 'gpu-1', tolerations: [{ key: 'runai', operator: 'Exists' }], containers: [] })
    const a = toPodState(pod(spec(), { name: 'a', labels: { project: 'team-a', app: 'x' } }))
    const b = toPodState(pod(spec(), { name: 'b', labels: { project: 'team-a', app: 'x' } }))
    const c = toPodState(pod(spec(), { name: 'c', labels: { project: 'team-b', app: 'x' } }))
    expect(b.labels).toBe(a.labels)
    expect(b.tolerations).toBe(a.tolerations)
    expect(c.labels).not.toBe(a.labels)
    expect(c.labels).toEqual({ project: 'team-b', app: 'x' })
    expect(Object.isFrozen(a.labels) && Object.isFrozen(a.tolerations)).toBe(true)
    expect([a.name, b.name, c.name]).toEqual(['a', 'b', 'c'])
  })

  it('an unscheduled pod without owner has nodeName and owner null', () => {
    const state = toPodState(pod({ containers: [] }))
    expect(state.nodeName).toBeNull()
    expect(state.owner).toBeNull()
    expect(state.priorityClassName).toBeNull()
  })
})

describe('toPdbState', () => {
  it('keeps selector and disruptionsAllowed', () => {
    const pdb: V1PodDisruptionBudget = {
      metadata: { namespace: 'ns', name: 'inference' },
      spec: { selector: { matchLabels: { app: 'inf' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] } },
      status: { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 },
    }
    expect(toPdbState(pdb)).toEqual({
      namespace: 'ns',
      name: 'inference',
      selector: { matchLabels: { app: 'inf' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] },
      disruptionsAllowed: 1,
    })
  })
})

describe('parseQuantity', () => {
  it.each([
    ['8', 8],
    ['500m', 0.5],
    ['1k', 1000],
    ['2Gi', 2 * 2 ** 30],
    ['1e3', 1000],
    ['', 0],
    [undefined, 0],
    ['lots', 0],
  ] as const)('%s → %s', (q, want) => {
    expect(parseQuantity(q)).toBe(want)
  })
})
