// rolloutProgress over graphql-ws: the rollout as it is, then each stored change (whichever
// process wrote it), ending after a final state; viewers may follow, unknown ids are NOT_FOUND.
import { createClient, type Client } from 'graphql-ws'
import { WebSocket } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { rolloutDriver } from '../support/rollout.js'
import { SIM_START, startTestCluster, type TestCluster } from '../support/simulator.js'

const FEED = `subscription($id: ID!) { rolloutProgress(id: $id) { id status currentWave waitingFor waves { nodes { name stage } } } }`

describe('rolloutProgress over graphql-ws on /graphql', () => {
  let cluster: TestCluster
  let np: TestNodeplan
  const r = rolloutDriver(() => np)
  const clients: Client[] = []

  beforeAll(async () => {
    cluster = await startTestCluster({ gpuNodes: 4, startTime: SIM_START })
    np = await startTestNodeplan({ tokens: true, sim: cluster, overrides: { clock: cluster.sim.clock, rolloutIntervalMs: 0 } })
  })
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()))
    await np?.close()
    await cluster?.close()
  })

  const follow = (id: string, token: string) => {
    const c = createClient({ url: np.url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: true })
    clients.push(c)
    const events: any[] = []
    const done = new Promise<{ events: any[]; error?: any }>((resolve) => {
      c.subscribe(
        { query: FEED, variables: { id } },
        {
          next: (value) => {
            if (value.errors) return resolve({ events, error: value.errors })
            events.push(value.data!.rolloutProgress)
          },
          error: (error) => resolve({ events, error }),
          complete: () => resolve({ events }),
        },
      )
    })
    return { events, done }
  }

  it('sends the rollout as it is, then every change, and completes once it is COMPLETED', async () => {
    const rollout = await r.plan({ reason: 'CHG-12', nodes: ['gpu-1', 'gpu-2'], order: ['gpu-1', 'gpu-2'], maxUnavailable: '1' }, TEST_TOKENS.operator)
    const feed = follow(rollout.id, TEST_TOKENS.viewer)
    await expect.poll(() => feed.events.length).toBeGreaterThan(0)
    expect(feed.events[0]).toMatchObject({ id: rollout.id, status: 'PENDING' })
    await r.act('startRollout', rollout.id, TEST_TOKENS.operator)
    for (const node of ['gpu-1', 'gpu-2']) {
      await r.until(async () => expect((await r.get(rollout.id, TEST_TOKENS.viewer)).waves.flatMap((w: any) => w.nodes).find((n: any) => n.name === node).stage).toBe('IN_MAINTENANCE'))
      await r.complete(rollout.id, node, TEST_TOKENS.operator)
    }
    await r.until(async () => expect((await r.get(rollout.id, TEST_TOKENS.viewer)).status).toBe('COMPLETED'))
    const { events, error } = await feed.done
    expect(error).toBeUndefined()
    expect(events.at(-1)).toMatchObject({ status: 'COMPLETED', currentWave: null })
    const stages = events.map((e) => e.waves[0].nodes[0].stage)
    expect(stages).toContain('IN_MAINTENANCE')
    expect(stages).toContain('DONE')
    expect(events.filter((e) => e.status === 'COMPLETED')).toHaveLength(1)
  })

  it('answers NOT_FOUND for an unknown rollout', async () => {
    const { events, error } = await follow('rollout-nosuchrollout', TEST_TOKENS.viewer).done
    expect(events).toEqual([])
    expect(JSON.stringify(error)).toContain('NOT_FOUND')
  })
})
