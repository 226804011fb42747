import { describe, expect, it } from 'vitest'
import { chooseNodes, guardFigures, orderNodes, parseMaxUnavailable, planRollout, resolveSettings } from '../../../src/domain/rollout-waves.js'
import { renderRolloutDiff } from '../../../src/domain/rollout-diff.js'
import { buildNode, buildPod, buildSnapshot, refusal } from '../../factories.js'

const POOL = 'run.ai/node-pool'
const gpu = (i: number, pool = 'a100', extra: Parameters<typeof buildNode>[1] = {}) => buildNode(`gpu-${i}`, { extraLabels: { [POOL]: pool }, ...extra })
const system = (i: number) => buildNode(`sys-${i}`, { roles: ['SYSTEM'] })
const interactive = (name: string, node: string) => buildPod(name, { nodeName: node, gpus: 1, owner: { kind: 'InteractiveWorkload', name, controller: true } })
const training = (name: string, node: string, gpus: number) => buildPod(name, { nodeName: node, gpus, owner: { kind: 'TrainingWorkload', name, controller: true } })

describe('parseMaxUnavailable', () => {
  it.each([
    ['4', 40, 4],
    ['1', 3, 1],
    ['10%', 40, 4],
    ['10%', 5, 1],
    ['33%', 10, 3],
    ['100%', 7, 7],
    [' 2 ', 9, 2],
  ])('"%s" of %i nodes is %i', (text, chosen, expected) => expect(parseMaxUnavailable(text, chosen)).toBe(expected))

  it.each(['0', '-1', '0%', '101%', 'four', '', '1.5', '10 %'])('refuses "%s" naming the field', (text) => {
    const err = refusal(() => parseMaxUnavailable(text, 10))
    expect(err.code).toBe('BAD_USER_INPUT')
    expect(err.message).toContain('maxUnavailable')
  })
})

describe('chooseNodes', () => {
  const snapshot = buildSnapshot([system(1), gpu(1), gpu(2), gpu(3, 'h100'), buildNode('cpu-1', { roles: ['CPU_WORKER'] })])
  it.each([
    ['by name', { nodes: ['gpu-2', 'gpu-1'] }, ['gpu-1', 'gpu-2']],
    ['by role', { roles: ['CPU_WORKER' as const] }, ['cpu-1']],
    ['by label and value', { labels: [{ key: POOL, value: 'a100' }] }, ['gpu-1', 'gpu-2']],
    ['by label key', { labels: [{ key: POOL }] }, ['gpu-1', 'gpu-2', 'gpu-3']],
    ['every label at once', { labels: [{ key: POOL }, { key: 'kubernetes.io/hostname', value: 'gpu-3' }] }, ['gpu-3']],
    ['the union, each node once', { nodes: ['gpu-1', 'cpu-1'], roles: ['SYSTEM' as const], labels: [{ key: POOL, value: 'a100' }] }, ['cpu-1', 'gpu-1', 'gpu-2', 'sys-1']],
  ])('%s', (_, request, expected) => expect(chooseNodes(snapshot, request).map((n) => n.name)).toEqual(expected))

  it.each([
    ['an unknown node', { nodes: ['gpu-9'] }, 'gpu-9'],
    ['nothing chosen', { labels: [{ key: POOL, value: 'v100' }] }, 'no node chosen'],
    ['nothing asked', {}, 'no node chosen'],
  ])('refuses %s', (_, request, text) => {
    const err = refusal(() => chooseNodes(snapshot, request))
    expect(err.code).toBe('BAD_USER_INPUT')
    expect(err.message).toContain(text)
  })
})

describe('orderNodes', () => {
  const nodes = [gpu(1), gpu(2), gpu(3), gpu(4)]
  const harm = new Map([
    ['gpu-1', { interactive: 2, gpusInUse: 1 }],
    ['gpu-2', { interactive: 0, gpusInUse: 8 }],
    ['gpu-3', { interactive: 0, gpusInUse: 2 }],
    ['gpu-4', { interactive: 1, gpusInUse: 0 }],
  ])
  it.each([
    ['least harm first: fewest interactive killed, then fewest GPUs in use', null, ['gpu-3', 'gpu-2', 'gpu-4', 'gpu-1']],
    ["the operator's order, the rest after it least harm first", ['gpu-1', 'gpu-4'], ['gpu-1', 'gpu-4', 'gpu-3', 'gpu-2']],
  ])('%s', (_, order, expected) => expect(orderNodes(nodes, harm, order).map((n) => n.name)).toEqual(expected))

  it('refuses an order naming a node that was not chosen', () => expect(refusal(() => orderNodes(nodes, harm, ['gpu-9'])).message).toContain('order: gpu-9'))
})

describe('guardFigures', () => {
  const nodes = [system(1), system(2), gpu(1), gpu(2), gpu(3, 'h100'), gpu(4, 'a100', { drained: true }), gpu(5, 'a100', { ready: false })]
  const settings = resolveSettings({ reason: 'x', createdBy: 'op', maxUnavailable: '2', minGpusInService: 8, poolFloors: [{ pool: 'a100', minGpusInService: 8 }] }, 5)
  it.each([
    ['holds with one node out', ['gpu-1'], 0, { nodesOut: 1, gpusInService: 16, satisfied: true, reason: null }],
    ['counts chosen nodes already out', ['gpu-1'], 1, { nodesOut: 2, satisfied: true }],
    ['maxUnavailable', ['gpu-1', 'gpu-2'], 1, { nodesOut: 3, satisfied: false, reason: 'maxUnavailable: 3 nodes would be out of service, at most 2 may be' }],
    ['the pool floor', ['gpu-1', 'gpu-2'], 0, { gpusInService: 8, satisfied: false, reason: 'pool a100: 0 GPUs would stay in service, fewer than its floor of 8' }],
    ['never the last Ready system node', ['sys-1', 'sys-2'], 0, { readySystemNodes: 0, satisfied: false, reason: 'system nodes: no Ready Run:ai system node would remain' }],
  ])('%s', (_, out, othersOut, expected) => expect(guardFigures(nodes, new Set(out), othersOut, settings)).toMatchObject(expected))

  it('refuses going under minGpusInService, naming the figure', () => {
    const strict = { ...settings, minGpusInService: 24, poolFloors: [] }
    expect(guardFigures(nodes, new Set(['gpu-1']), 0, strict)).toMatchObject({ gpusInService: 16, satisfied: false, reason: 'minGpusInService: 16 GPUs would stay in service, fewer than 24' })
  })
})

describe('planRollout', () => {
  const nodes = [system(1), system(2), ...Array.from({ length: 10 }, (_, i) => gpu(i + 1))]
  const pods = [interactive('jupyter-a', 'gpu-1'), interactive('jupyter-b', 'gpu-2'), training('train-x', 'gpu-3', 8)]

  it('fills waves up to maxUnavailable, least harm first, with each wave\'s impact and guard', () => {
    const draft = planRollout(buildSnapshot(nodes, pods), { reason: 'CHG-1', createdBy: 'op', roles: ['GPU_WORKER'], maxUnavailable: '3', minGpusInService: 40 })
    expect(draft.waves.map((w) => w.nodes.map((n) => n.name))).toEqual([
      ['gpu-10', 'gpu-4', 'gpu-5'],
      ['gpu-6', 'gpu-7', 'gpu-8'],
      ['gpu-9', 'gpu-3', 'gpu-1'],
      ['gpu-2'],
    ])
    expect(draft.waves.map((w) => w.guard.gpusInService)).toEqual([56, 56, 56, 72])
    expect(draft.waves[2]!.impact.manualRelocation.map((w) => w.name)).toEqual(['jupyter-a'])
    expect(draft.waves[2]!.impact.automaticallyRescheduled.map((w) => w.name)).toEqual(['train-x'])
    expect(draft.waves.every((w) => w.status === 'WAITING' && w.guard.satisfied)).toBe(true)
    expect(draft.warnings).toEqual([])
  })

  it('keeps waves smaller where the GPU floor would not hold', () => {
    const draft = planRollout(buildSnapshot(nodes), { reason: 'CHG-2', createdBy: 'op', roles: ['GPU_WORKER'], maxUnavailable: '4', minGpusInService: 64 })
    expect(draft.waves.map((w) => w.nodes.length)).toEqual([2, 2, 2, 2, 2])
    expect(draft.waves.every((w) => w.guard.gpusInService === 64)).toBe(true)
  })

  it('gives a node the guard refuses even alone a wave of its own, marked and warned', () => {
    const draft = planRollout(buildSnapshot(nodes), { reason: 'CHG-3', createdBy: 'op', nodes: ['gpu-1'], minGpusInService: 80 })
    expect(draft.waves[0]!.guard).toMatchObject({ satisfied: false, gpusInService: 72 })
    expect(draft.warnings[0]).toContain('wave 1 (gpu-1) is held back by the guard now: minGpusInService')
  })

  it('renders the rollout as a plan: every wave, its changes, impact and guard', () => {
    const draft = planRollout(buildSnapshot(nodes.slice(0, 4), pods), { reason: 'CHG-4', createdBy: 'op', roles: ['GPU_WORKER'], maxUnavailable: '1', minGpusInService: 8 })
    expect(renderRolloutDiff({ ...draft, id: 'rollout-test' })).toBe(`nodeplan ROLLOUT rollout-test for 2 nodes in 2 waves
Reason: CHG-4
Guard: at most 1 node out at once (maxUnavailable 1), at least 8 GPUs in service
Drain: IMMEDIATE (runai=drain:NoExecute); maintenance done by completeMaintenance or a reboot (bootID changed, Ready again)

Resource actions are indicated with the following symbols:
  + create
  - remove (a taint or label)

nodeplan will perform the following actions, wave by wave:

# wave 1: gpu-1 (WAITING)
  ~ node "gpu-1" { # pool a100
      + taint "runai:NoExecute" = "runai=drain:NoExecute"
      # maintenance, check (Ready, GPUs allocatable back), then:
      - taint "runai:NoExecute"
    }
  Impact:
    GPUs out of service:       8
    Rescheduled automatically: 0 workloads
    Manual relocation needed:  1 workload
      runai-team-a/jupyter-a (INTERACTIVE, 1 GPU)
  Guard:
    Nodes out:                 1 of at most 1
    GPUs in service:           8 (at least 8)
    GPUs in pool a100:         8
    Ready system nodes:        2
  Warning: 1 workload will be killed and must be resubmitted by hand (interactive and build sessions are not rescheduled): runai-team-a/jupyter-a (INTERACTIVE)

# wave 2: gpu-2 (WAITING)
  ~ node "gpu-2" { # pool a100
      + taint "runai:NoExecute" = "runai=drain:NoExecute"
      # maintenance, check (Ready, GPUs allocatable back), then:
      - taint "runai:NoExecute"
    }
  Impact:
    GPUs out of service:       8
    Rescheduled automatically: 0 workloads
    Manual relocation needed:  1 workload
      runai-team-a/jupyter-b (INTERACTIVE, 1 GPU)
  Guard:
    Nodes out:                 1 of at most 1
    GPUs in service:           8 (at least 8)
    GPUs in pool a100:         8
    Ready system nodes:        2
  Warning: 1 workload will be killed and must be resubmitted by hand (interactive and build sessions are not rescheduled): runai-team-a/jupyter-b (INTERACTIVE)

Rollout: 2 nodes (16 GPUs) in 2 waves; each node drained, maintained, checked and returned to service.
`)
  })
})
