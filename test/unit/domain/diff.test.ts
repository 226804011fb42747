import { describe, expect, it } from 'vitest'
import { DRAIN_TAINT } from '../../../src/domain/cluster.js'
import { labelChange, nodeDeletion, taintChange } from '../../../src/domain/change.js'
import { colourDiff } from '../../../src/cli/render.js'
import { renderDiff, type DiffInput } from '../../../src/domain/diff.js'
import type { Impact } from '../../../src/domain/plan.js'

const noImpact: Impact = { nodes: 0, gpus: 0, automaticallyRescheduled: [], manualRelocation: [], readySystemNodesAfter: 2, nodesReturningToService: 0, gpusReturningToService: 0 }
const SYSTEM = 'node-role.kubernetes.io/runai-system'

const cases: { name: string; plan: DiffInput; expected: string }[] = [
  {
    name: 'a drain of two nodes, one already drained',
    plan: {
      kind: 'DRAIN',
      reason: 'kernel upgrade',
      nodes: ['gpu-1', 'gpu-2'],
      changes: [taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'), taintChange('gpu-2', DRAIN_TAINT, DRAIN_TAINT, 'REQUESTED')],
      impact: {
        nodes: 1,
        gpus: 8,
        automaticallyRescheduled: [{ namespace: 'runai-team-a', name: 'bert', kind: 'TRAINING', relocation: 'AUTOMATIC', project: 'team-a', gpus: 4, pods: 2 }],
        manualRelocation: [{ namespace: 'runai-team-b', name: 'jupyter', kind: 'INTERACTIVE', relocation: 'MANUAL', project: null, gpus: 1, pods: 1 }],
        readySystemNodesAfter: 2,
        nodesReturningToService: 0,
        gpusReturningToService: 0,
      },
      warnings: ['1 workload will be killed and must be resubmitted by hand: runai-team-b/jupyter (INTERACTIVE)'],
    },
    expected: `nodeplan DRAIN plan for 2 nodes: gpu-1, gpu-2
Reason: kernel upgrade

Resource actions are indicated with the following symbols:
  + create

nodeplan will perform the following actions:

  # node/gpu-1 will be updated in-place
  ~ node "gpu-1" {
      + taint "runai:NoExecute" = "runai=drain:NoExecute"
          # with annotations nodeplan.io/plan, nodeplan.io/reason, nodeplan.io/actor, nodeplan.io/since (plan, who, why, since when)
    }

  # node/gpu-2 has no changes
    node "gpu-2" {
        taint "runai:NoExecute" = "runai=drain:NoExecute" # already done
    }

Impact:
  Nodes out of service:      1
  GPUs out of service:       8
  Rescheduled automatically: 1 workload
    runai-team-a/bert (TRAINING, project team-a, 4 GPUs, 2 pods)
  Manual relocation needed:  1 workload
    runai-team-b/jupyter (INTERACTIVE, project none, 1 GPU, 1 pod)
  Ready system nodes after:  2

Warning: 1 workload will be killed and must be resubmitted by hand: runai-team-b/jupyter (INTERACTIVE)

Plan: 1 to add, 0 to change, 0 to destroy.
`,
  },
  {
    name: 'a decommission',
    plan: {
      kind: 'DECOMMISSION',
      reason: 'end of life',
      nodes: ['gpu-3'],
      changes: [
        taintChange('gpu-3', null, DRAIN_TAINT, 'DECOMMISSION'),
        nodeDeletion('gpu-3', { name: 'gpu-3', labels: { 'node-role.kubernetes.io/runai-gpu-worker': '', team: 'vision' } }, 'DECOMMISSION'),
      ],
      impact: { ...noImpact, nodes: 1, gpus: 8 },
      warnings: ['node gpu-3 will be deleted, which cannot be rolled back'],
    },
    expected: `nodeplan DECOMMISSION plan for 1 node: gpu-3
Reason: end of life

Resource actions are indicated with the following symbols:
  + create
  - destroy

nodeplan will perform the following actions:

  # node/gpu-3 will be destroyed
  - node "gpu-3" {
      + taint "runai:NoExecute" = "runai=drain:NoExecute"
          # with annotations nodeplan.io/plan, nodeplan.io/reason, nodeplan.io/actor, nodeplan.io/since (plan, who, why, since when)
      - node "gpu-3" -> null
          # kept for rejoin: node-role.kubernetes.io/runai-gpu-worker="", team="vision"
    }

Impact:
  Nodes out of service:      1
  GPUs out of service:       8
  Rescheduled automatically: 0 workloads
  Manual relocation needed:  0 workloads
  Ready system nodes after:  2

Warning: node gpu-3 will be deleted, which cannot be rolled back

Plan: 1 to add, 0 to change, 1 to destroy.
`,
  },
  {
    name: 'a rollback with an update, a delete, a change left alone and a failed change',
    plan: {
      kind: 'ROLLBACK',
      reason: 'undo',
      nodes: ['gpu-1'],
      changes: [
        { ...labelChange('gpu-1', 'team', 'vision', 'old', 'ROLLBACK'), applied: false, error: 'conflict after 5 retries' },
        labelChange('gpu-1', SYSTEM, '', null, 'ROLLBACK'),
        taintChange('gpu-1', { key: 'runai', value: 'x', effect: 'NoExecute' }, { key: 'runai', value: 'x', effect: 'NoExecute' }, 'CHANGED_SINCE'),
      ],
      impact: { ...noImpact, readySystemNodesAfter: 1 },
      warnings: ['node gpu-1: taint runai:NoExecute is now runai=x:NoExecute; left alone'],
    },
    expected: `nodeplan ROLLBACK plan for 1 node: gpu-1
Reason: undo

Resource actions are indicated with the following symbols:
  ~ update in-place
  - remove (a taint or label)

nodeplan will perform the following actions:

  # node/gpu-1 will be updated in-place
  ~ node "gpu-1" {
      ~ label "team" = "vision" -> "old"
          # failed: conflict after 5 retries
      - label "node-role.kubernetes.io/runai-system" = "" -> null
        taint "runai:NoExecute" = "runai=x:NoExecute" # changed since; left alone
    }

Impact:
  Nodes out of service:      0
  GPUs out of service:       0
  Rescheduled automatically: 0 workloads
  Manual relocation needed:  0 workloads
  Ready system nodes after:  1

Warning: node gpu-1: taint runai:NoExecute is now runai=x:NoExecute; left alone

Plan: 0 to add, 1 to change, 1 to remove, 0 to destroy.
`,
  },
  {
    name: 'an undrain of two drained nodes: what returns to service, not "to destroy"',
    plan: {
      kind: 'UNDRAIN',
      reason: 'PSU replaced',
      nodes: ['gpu-1', 'gpu-2'],
      changes: [taintChange('gpu-1', DRAIN_TAINT, null, 'REQUESTED'), taintChange('gpu-2', DRAIN_TAINT, null, 'REQUESTED')],
      impact: { ...noImpact, nodesReturningToService: 2, gpusReturningToService: 16 },
      warnings: [],
    },
    expected: `nodeplan UNDRAIN plan for 2 nodes: gpu-1, gpu-2
Reason: PSU replaced

Resource actions are indicated with the following symbols:
  - remove (a taint or label)

nodeplan will perform the following actions:

  # node/gpu-1 returns to service (drain taint removed)
  ~ node "gpu-1" {
      - taint "runai:NoExecute" = "runai=drain:NoExecute" -> null
          # removing annotations nodeplan.io/plan, nodeplan.io/reason, nodeplan.io/actor, nodeplan.io/since
    }

  # node/gpu-2 returns to service (drain taint removed)
  ~ node "gpu-2" {
      - taint "runai:NoExecute" = "runai=drain:NoExecute" -> null
          # removing annotations nodeplan.io/plan, nodeplan.io/reason, nodeplan.io/actor, nodeplan.io/since
    }

Impact:
  Nodes back in service:     2
  GPUs back in service:      16
  Ready system nodes after:  2

Plan: 0 to add, 0 to change, 2 to remove, 0 to destroy. 2 nodes (16 GPUs) return to service.
`,
  },
  {
    name: 'a rollback that undrains one node and drains another: both sides of the impact',
    plan: {
      kind: 'ROLLBACK',
      reason: 'wrong node',
      nodes: ['gpu-1', 'gpu-2'],
      changes: [taintChange('gpu-1', DRAIN_TAINT, null, 'ROLLBACK'), taintChange('gpu-2', null, DRAIN_TAINT, 'ROLLBACK')],
      impact: { ...noImpact, nodes: 1, gpus: 4, nodesReturningToService: 1, gpusReturningToService: 8 },
      warnings: [],
    },
    expected: `nodeplan ROLLBACK plan for 2 nodes: gpu-1, gpu-2
Reason: wrong node

Resource actions are indicated with the following symbols:
  + create
  - remove (a taint or label)

nodeplan will perform the following actions:

  # node/gpu-1 returns to service (drain taint removed)
  ~ node "gpu-1" {
      - taint "runai:NoExecute" = "runai=drain:NoExecute" -> null
          # removing annotations nodeplan.io/plan, nodeplan.io/reason, nodeplan.io/actor, nodeplan.io/since
    }

  # node/gpu-2 will be updated in-place
  ~ node "gpu-2" {
      + taint "runai:NoExecute" = "runai=drain:NoExecute"
          # with annotations nodeplan.io/plan, nodeplan.io/reason, nodeplan.io/actor, nodeplan.io/since (plan, who, why, since when)
    }

Impact:
  Nodes back in service:     1
  GPUs back in service:      8
  Nodes out of service:      1
  GPUs out of service:       4
  Rescheduled automatically: 0 workloads
  Manual relocation needed:  0 workloads
  Ready system nodes after:  2

Plan: 1 to add, 0 to change, 1 to remove, 0 to destroy. 1 node (8 GPUs) returns to service.
`,
  },
  {
    name: 'nothing to do',
    plan: {
      kind: 'UNDRAIN',
      reason: 'back',
      nodes: ['gpu-1'],
      changes: [taintChange('gpu-1', null, null, 'REQUESTED', DRAIN_TAINT)],
      impact: noImpact,
      warnings: ['node gpu-1 is NotReady since 2026-01-01T08:00:00Z'],
    },
    expected: `nodeplan UNDRAIN plan for 1 node: gpu-1
Reason: back

Warning: node gpu-1 is NotReady since 2026-01-01T08:00:00Z

No changes. Your cluster matches the plan.
`,
  },
  {
    name: 'no changes at all',
    plan: { kind: 'ROLLBACK', reason: 'undo', nodes: ['gpu-2'], changes: [], impact: noImpact, warnings: [] },
    expected: `nodeplan ROLLBACK plan for 1 node: gpu-2
Reason: undo

No changes. Your cluster matches the plan.
`,
  },
]

describe('renderDiff', () => {
  it.each(cases)('$name', ({ plan, expected }) => {
    expect(renderDiff(plan)).toBe(expected)
  })

  it("is coloured by the CLI's colourDiff: symbols and warnings, only when asked", () => {
    const plan = cases[0]!.plan
    const coloured = colourDiff(renderDiff(plan), true)
    expect(coloured).toContain('      \x1b[32m+\x1b[0m taint "runai:NoExecute"')
    expect(coloured).toContain('\x1b[33mWarning:\x1b[0m 1 workload')
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(renderDiff(plan))
    expect(colourDiff(renderDiff(plan), false)).toBe(renderDiff(plan))
  })
})
