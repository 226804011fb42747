import { describe, expect, it } from 'vitest'
import type { Taint, Toleration } from '../../../src/domain/cluster.js'
import { DRAIN_TAINT } from '../../../src/domain/cluster.js'
import type { Workload } from '../../../src/domain/plan.js'
import { classifyWorkloads, tolerates, toleratesTaint } from '../../../src/domain/workloads.js'
import { buildPod } from '../../factories.js'

describe('toleratesTaint', () => {
  const cases: { name: string; toleration: Toleration; taint: Taint; expected: boolean }[] = [
    { name: 'Equal with the same key, value and effect', toleration: { key: 'runai', operator: 'Equal', value: 'drain', effect: 'NoExecute' }, taint: DRAIN_TAINT, expected: true },
    { name: 'operator defaults to Equal', toleration: { key: 'runai', value: 'drain' }, taint: DRAIN_TAINT, expected: true },
    { name: 'Equal with another value', toleration: { key: 'runai', operator: 'Equal', value: 'other' }, taint: DRAIN_TAINT, expected: false },
    { name: 'Equal without value against a valued taint', toleration: { key: 'runai', operator: 'Equal' }, taint: DRAIN_TAINT, expected: false },
    { name: 'Equal without value against a taint without value', toleration: { key: 'gpu', operator: 'Equal' }, taint: { key: 'gpu', effect: 'NoSchedule' }, expected: true },
    { name: 'Exists with the key ignores the value', toleration: { key: 'runai', operator: 'Exists' }, taint: DRAIN_TAINT, expected: true },
    { name: 'Exists with another key', toleration: { key: 'nvidia.com/gpu', operator: 'Exists' }, taint: DRAIN_TAINT, expected: false },
    { name: 'Exists with empty key matches every taint', toleration: { operator: 'Exists' }, taint: DRAIN_TAINT, expected: true },
    { name: 'empty effect matches every effect', toleration: { key: 'runai', operator: 'Exists' }, taint: { key: 'runai', value: 'x', effect: 'NoSchedule' }, expected: true },
    { name: 'another effect does not match', toleration: { key: 'runai', operator: 'Exists', effect: 'NoSchedule' }, taint: DRAIN_TAINT, expected: false },
    { name: 'Exists with empty key but another effect', toleration: { operator: 'Exists', effect: 'NoSchedule' }, taint: DRAIN_TAINT, expected: false },
  ]
  it.each(cases)('$name → $expected', ({ toleration, taint, expected }) => {
    expect(toleratesTaint(toleration, taint)).toBe(expected)
    expect(tolerates(buildPod('p', { tolerations: [toleration] }), taint)).toBe(expected)
  })

  it('a pod without tolerations tolerates nothing', () => {
    expect(tolerates(buildPod('p'), DRAIN_TAINT)).toBe(false)
  })
})

describe('classifyWorkloads', () => {
  type Case = { name: string; pod: Parameters<typeof buildPod>[1]; expected: Pick<Workload, 'name' | 'kind' | 'relocation'> }
  const cases: Case[] = [
    { name: 'DaemonSet pod', pod: { owner: { kind: 'DaemonSet', name: 'dcgm', controller: true } }, expected: { name: 'dcgm', kind: 'SYSTEM', relocation: 'NOT_AFFECTED' } },
    { name: 'pod tolerating the drain taint', pod: { owner: { kind: 'Deployment', name: 'agent' }, tolerations: [{ key: 'runai', operator: 'Exists' }] }, expected: { name: 'agent', kind: 'SYSTEM', relocation: 'NOT_AFFECTED' } },
    { name: 'pod tolerating the drain taint only for a while', pod: { priorityClassName: 'train', tolerations: [{ key: 'runai', operator: 'Exists', tolerationSeconds: 60 }] }, expected: { name: 'p', kind: 'TRAINING', relocation: 'AUTOMATIC' } },
    { name: 'kube-system Deployment pod', pod: { namespace: 'kube-system', owner: { kind: 'ReplicaSet', name: 'coredns-5d78c9869d' }, labels: { 'pod-template-hash': '5d78c9869d' } }, expected: { name: 'coredns', kind: 'SYSTEM', relocation: 'AUTOMATIC' } },
    { name: 'runai namespace bare pod', pod: { namespace: 'runai' }, expected: { name: 'p', kind: 'SYSTEM', relocation: 'MANUAL' } },
    { name: 'system-* priority class', pod: { priorityClassName: 'system-node-critical', owner: { kind: 'StatefulSet', name: 's' } }, expected: { name: 's', kind: 'SYSTEM', relocation: 'AUTOMATIC' } },
    { name: 'train priority class', pod: { priorityClassName: 'train' }, expected: { name: 'p', kind: 'TRAINING', relocation: 'AUTOMATIC' } },
    { name: 'TrainingWorkload owner', pod: { owner: { kind: 'TrainingWorkload', name: 'bert' } }, expected: { name: 'bert', kind: 'TRAINING', relocation: 'AUTOMATIC' } },
    { name: 'Job owner', pod: { owner: { kind: 'Job', name: 'batch', controller: true } }, expected: { name: 'batch', kind: 'TRAINING', relocation: 'AUTOMATIC' } },
    { name: 'MPIJob owner', pod: { owner: { kind: 'MPIJob', name: 'mpi' } }, expected: { name: 'mpi', kind: 'TRAINING', relocation: 'AUTOMATIC' } },
    { name: 'PyTorchJob owner', pod: { owner: { kind: 'PyTorchJob', name: 'pt' } }, expected: { name: 'pt', kind: 'TRAINING', relocation: 'AUTOMATIC' } },
    { name: 'interactive-preemptible priority class', pod: { priorityClassName: 'interactive-preemptible', owner: { kind: 'StatefulSet', name: 'jupyter' } }, expected: { name: 'jupyter', kind: 'INTERACTIVE', relocation: 'MANUAL' } },
    { name: 'interactive priority class', pod: { priorityClassName: 'interactive' }, expected: { name: 'p', kind: 'INTERACTIVE', relocation: 'MANUAL' } },
    { name: 'InteractiveWorkload owner', pod: { owner: { kind: 'InteractiveWorkload', name: 'nb' } }, expected: { name: 'nb', kind: 'INTERACTIVE', relocation: 'MANUAL' } },
    { name: 'build priority class', pod: { priorityClassName: 'build', owner: { kind: 'StatefulSet', name: 'ws' } }, expected: { name: 'ws', kind: 'BUILD', relocation: 'MANUAL' } },
    { name: 'InferenceWorkload owner', pod: { owner: { kind: 'InferenceWorkload', name: 'llm' } }, expected: { name: 'llm', kind: 'INFERENCE', relocation: 'AUTOMATIC' } },
    { name: 'ReplicaSet owner groups under the Deployment', pod: { owner: { kind: 'ReplicaSet', name: 'web-7f9c6d' } }, expected: { name: 'web', kind: 'INFERENCE', relocation: 'AUTOMATIC' } },
    { name: 'inference priority class', pod: { priorityClassName: 'inference' }, expected: { name: 'p', kind: 'INFERENCE', relocation: 'AUTOMATIC' } },
    { name: 'StatefulSet pod is OTHER, rescheduled', pod: { owner: { kind: 'StatefulSet', name: 'db' } }, expected: { name: 'db', kind: 'OTHER', relocation: 'AUTOMATIC' } },
    { name: 'bare pod is OTHER, relocated by hand', pod: {}, expected: { name: 'p', kind: 'OTHER', relocation: 'MANUAL' } },
    { name: 'non-controller owner counts as bare', pod: { owner: { kind: 'StatefulSet', name: 'db', controller: false } }, expected: { name: 'p', kind: 'OTHER', relocation: 'MANUAL' } },
  ]
  it.each(cases)('$name', ({ pod, expected }) => {
    const [workload] = classifyWorkloads([buildPod('p', pod)])
    expect(workload).toMatchObject(expected)
  })

  it('groups pods by owner, sums GPUs and counts pods, sorted by namespace then name', () => {
    const workloads = classifyWorkloads([
      buildPod('bert-worker-1', { namespace: 'runai-b', owner: { kind: 'MPIJob', name: 'bert' }, gpus: 4, labels: { 'runai/queue': 'team-b' } }),
      buildPod('web-abc-1', { namespace: 'runai-a', owner: { kind: 'ReplicaSet', name: 'web-abc' }, labels: { 'pod-template-hash': 'abc', project: 'team-a' }, gpus: 1 }),
      buildPod('bert-worker-0', { namespace: 'runai-b', owner: { kind: 'MPIJob', name: 'bert' }, gpus: 4 }),
      buildPod('web-def-1', { namespace: 'runai-a', owner: { kind: 'ReplicaSet', name: 'web-def' }, labels: { 'pod-template-hash': 'def' }, gpus: 0.5 }),
      buildPod('alone', { namespace: 'runai-a' }),
    ])
    expect(workloads).toEqual([
      { namespace: 'runai-a', name: 'alone', kind: 'OTHER', relocation: 'MANUAL', project: null, gpus: 0, pods: 1 },
      { namespace: 'runai-a', name: 'web', kind: 'INFERENCE', relocation: 'AUTOMATIC', project: 'team-a', gpus: 1.5, pods: 2 },
      { namespace: 'runai-b', name: 'bert', kind: 'TRAINING', relocation: 'AUTOMATIC', project: 'team-b', gpus: 8, pods: 2 },
    ])
  })

  it('project comes from the project label before runai/queue', () => {
    const [w] = classifyWorkloads([buildPod('p', { labels: { project: 'p1', 'runai/queue': 'q1' } })])
    expect(w?.project).toBe('p1')
  })

  it('leaves out finished pods', () => {
    const workloads = classifyWorkloads([buildPod('done', { phase: 'Succeeded' }), buildPod('failed', { phase: 'Failed' }), buildPod('run')])
    expect(workloads.map((w) => w.name)).toEqual(['run'])
  })

  it('classifies against another taint when given one', () => {
    const pod = buildPod('p', { priorityClassName: 'train', tolerations: [{ key: 'maint', operator: 'Exists' }] })
    expect(classifyWorkloads([pod])[0]?.relocation).toBe('AUTOMATIC')
    expect(classifyWorkloads([pod], { key: 'maint', effect: 'NoExecute' })[0]?.relocation).toBe('NOT_AFFECTED')
  })
})
