// Who drained this node, answered by the real kubectl v1.35 against the simulator.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { kubectlFor, type Kubectl } from '../support/kubectl.js'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { has } from '../support/prerequisites.js'

const { operator } = TEST_TOKENS

/** The Annotations block of `kubectl describe node`, as key → value. */
function describedAnnotations(text: string): Record<string, string> {
  const block = /^Annotations:(.*(?:\n {2,}\S.*)*)/m.exec(text)![1]!
  return Object.fromEntries(
    block.split('\n').map((line) => line.trim()).filter(Boolean).map((line) => {
      const at = line.indexOf(': ')
      return [line.slice(0, at), line.slice(at + 2)]
    }),
  )
}

describe.runIf(has('kubectl'))('drain annotations, seen with kubectl describe node', () => {
  let np: TestNodeplan
  let kubectl: Kubectl

  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true })
    writeFileSync(join(np.dir, 'kubeconfig.sim'), np.sim.kubeconfig)
    kubectl = kubectlFor(join(np.dir, 'kubeconfig.sim'), join(np.dir, 'kube-cache'))
  })
  afterAll(async () => {
    await np?.close()
  })

  it('appear with the drain taint, name the plan, who, why and since when, and go with it; nobody else\'s annotations are touched', async () => {
    await kubectl.ok('annotate', 'node', 'gpu-1', 'team.example/owner=ml-infra')
    const before = describedAnnotations(await kubectl.ok('describe', 'node', 'gpu-1'))

    const planned = await np.gql(`mutation { planDrain(input: {nodes: ["gpu-1"], reason: "XID 79 on GPU 3"}) { id diff } }`, {}, operator)
    const id = planned.data.planDrain.id as string
    expect(planned.data.planDrain.diff).toContain('# with annotations nodeplan.io/plan, nodeplan.io/reason, nodeplan.io/actor, nodeplan.io/since')
    const applied = await np.gql(`mutation($id: ID!) { applyPlan(id: $id) { status appliedAt } }`, { id }, operator)
    expect(applied.data.applyPlan.status).toBe('APPLIED')

    const drained = await kubectl.ok('describe', 'node', 'gpu-1')
    expect(drained).toMatch(/^Taints:\s+runai=drain:NoExecute$/m)
    const annotations = describedAnnotations(drained)
    expect(annotations).toEqual({
      ...before,
      'nodeplan.io/plan': id,
      'nodeplan.io/reason': 'XID 79 on GPU 3',
      'nodeplan.io/actor': 'operator',
      'nodeplan.io/since': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    })
    expect(annotations['team.example/owner']).toBe('ml-infra')

    // Someone annotates the node while it is drained; the rollback removes exactly nodeplan's keys.
    await kubectl.ok('annotate', 'node', 'gpu-1', 'oncall.example/ticket=INC-9')
    const back = await np.gql(`mutation($id: ID!) { planRollback(planId: $id, reason: "GPU replaced") { id diff } }`, { id }, operator)
    expect(back.data.planRollback.diff).toContain('# removing annotations nodeplan.io/plan')
    const undone = await np.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id: back.data.planRollback.id }, operator)
    expect(undone.data.applyPlan.status).toBe('APPLIED')

    const after = await kubectl.ok('describe', 'node', 'gpu-1')
    expect(after).toMatch(/^Taints:\s+<none>$/m)
    expect(describedAnnotations(after)).toEqual({ ...before, 'oncall.example/ticket': 'INC-9' })
  })
})
