// The real CLI as a process against a server of several clusters: nodeplan clusters, --cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../support/cli.js'
import { startTestFleet, type TestFleet } from '../support/fleet.js'
import { TEST_TOKENS } from '../support/nodeplan.js'

describe('nodeplan CLI against a fleet', () => {
  let fleet: TestFleet
  const cli = (args: string[], token: string = TEST_TOKENS.operator) => runCli(fleet.url, args, token)

  beforeAll(async () => {
    fleet = await startTestFleet(['train-eu', 'infer'], { simulator: { systemNodes: 2, gpuNodes: 2, cpuNodes: 0 } })
  })
  afterAll(async () => {
    await fleet?.close()
  })

  it('clusters: one line per cluster, and JSON with --output json', async () => {
    const [text, json] = await Promise.all([cli(['clusters']), cli(['clusters', '-o', 'json'])])
    expect(text.code).toBe(0)
    const lines = text.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^NAME\s+REACHABLE\s+NODES\s+NOTREADY\s+DRAINING\s+GPUS IN\/OUT\s+AWAITING-APPROVAL\s+VERSION$/)
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 6).join(' '))).toEqual(['train-eu yes 4 0 0 16/0', 'infer yes 4 0 0 16/0'])
    expect(JSON.parse(json.stdout).map((c: { name: string }) => c.name)).toEqual(['train-eu', 'infer'])
  })

  it('nodes: a CLUSTER column across clusters, one cluster with --cluster', async () => {
    const all = await cli(['nodes'])
    expect(all.stdout.split('\n')[0]).toMatch(/^CLUSTER\s+NAME\s+STATUS/)
    expect(all.stdout).toMatch(/^infer\s+gpu-1\s+Ready/m)
    const one = await cli(['--cluster', 'infer', 'nodes'])
    expect(one.stdout.split('\n')[0]).toMatch(/^NAME\s+STATUS/)
    expect(one.stdout.trimEnd().split('\n')).toHaveLength(5)
  })

  it('plan asks for the cluster when there are several, and plans in the one named', async () => {
    const bare = await cli(['plan', 'drain', 'gpu-1', '--reason', 'CHG-fleet'])
    expect(bare.code).toBe(1)
    expect(bare.stderr).toMatch(/give the cluster \(one of train-eu, infer\) \(BAD_USER_INPUT\)/)
    const planned = await cli(['plan', 'drain', 'gpu-1', '--reason', 'CHG-fleet', '--cluster', 'infer', '-o', 'json'])
    expect(planned.code).toBe(0)
    const id = JSON.parse(planned.stdout).id
    const plan = await fleet.gql(`query($id: ID!) { plan(id: $id) { cluster } }`, { id }, TEST_TOKENS.viewer)
    expect(plan.data.plan.cluster).toBe('infer')
  })
})
