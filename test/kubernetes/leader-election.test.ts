// Leader election through a coordination.k8s.io/v1 Lease served by the simulator over HTTPS:
// one leader at a time, take-over only after a whole lease duration unrenewed, conflicts lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { kubeConfigFromString } from '../../src/adapters/kubernetes/kubeconfig.js'
import { KubernetesApi } from '../../src/adapters/kubernetes/kubernetes-api.js'
import { KubernetesLeaderLease } from '../../src/adapters/kubernetes/leader-lease.js'
import { LeaderElection } from '../../src/app/leader-election.js'
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js'

describe('leader election on a simulated cluster', () => {
  let sim: RunningSimulator
  let api: KubernetesApi
  beforeAll(async () => {
    sim = await startSimulator({ port: 0 })
    api = new KubernetesApi(kubeConfigFromString(sim.kubeconfig))
  })
  afterAll(async () => {
    await sim?.close()
  })

  /** A replica: its election, the callbacks it got, and its own monotonic clock the test moves. */
  const replica = (identity: string, lease: string) => {
    const log: string[] = []
    const clock = { ms: 0 }
    const election = new LeaderElection(
      new KubernetesLeaderLease(api, 'default', lease),
      { identity, leaseSeconds: 10, retrySeconds: 3600 },
      { startedLeading: () => log.push('started'), stoppedLeading: () => log.push('stopped'), attempt: (r) => log.push(r) },
      () => clock.ms,
    )
    return { election, log, clock }
  }

  it('the Lease is created, read and updated with resourceVersion conflicts, as the API server does', async () => {
    const store = new KubernetesLeaderLease(api, 'default', 'conflicts')
    const record = { holder: 'a', durationSeconds: 10, acquiredAt: new Date(), renewedAt: new Date(), transitions: 0 }
    expect(await store.read()).toBeNull()
    expect(await store.create(record)).toBe(true)
    expect(await store.create({ ...record, holder: 'b' })).toBe(false)
    const first = (await store.read())!
    expect(first.record).toMatchObject({ holder: 'a', durationSeconds: 10, transitions: 0 })
    expect(await store.update({ ...first.record, holder: 'b' }, first.version)).toBe(true)
    // The second writer read the same version: it loses.
    expect(await store.update({ ...first.record, holder: 'c' }, first.version)).toBe(false)
    expect((await store.read())!.record.holder).toBe('b')
  })

  it('elects one leader; another takes over only after a whole lease duration without renewal', async () => {
    const a = replica('a', 'lifecycle')
    const b = replica('b', 'lifecycle')
    await a.election.tick()
    await b.election.tick()
    expect([a.election.isLeader(), b.election.isLeader()]).toEqual([true, false])
    expect(b.log).toEqual(['held'])

    // a renews; b sees the record change, so its wait starts again.
    a.clock.ms += 5_000
    await a.election.tick()
    b.clock.ms += 9_000
    await b.election.tick()
    expect(b.election.isLeader()).toBe(false)

    // a stops renewing (killed): b waits a whole lease duration from when it saw the last renewal.
    b.clock.ms += 9_000
    await b.election.tick()
    expect(b.election.isLeader()).toBe(false)
    b.clock.ms += 1_000
    await b.election.tick()
    expect(b.election.isLeader()).toBe(true)
    expect(b.log.slice(-2)).toEqual(['acquired', 'started'])
    expect((await new KubernetesLeaderLease(api, 'default', 'lifecycle').read())!.record).toMatchObject({ holder: 'b', transitions: 1 })

    // a, back, finds b holding the Lease and stops leading.
    await a.election.tick()
    expect(a.election.isLeader()).toBe(false)
    expect(a.log.slice(-2)).toEqual(['held', 'stopped'])
  })

  it('a leader that stops gives the Lease up, so the next replica takes it at once', async () => {
    const a = replica('a', 'handover')
    const b = replica('b', 'handover')
    await a.election.tick()
    await b.election.tick()
    await a.election.stop()
    expect(a.log.at(-1)).toBe('stopped')
    await b.election.tick()
    expect(b.election.isLeader()).toBe(true)
  })

  it('a leader cut off from the API server stops leading once its lease duration has passed', async () => {
    const a = replica('a', 'cut-off')
    await a.election.tick()
    expect(a.election.isLeader()).toBe(true)
    sim.sim.setFaults({ errorRate: 1, paths: 'leases' })
    try {
      a.clock.ms += 5_000
      await a.election.tick()
      expect(a.election.isLeader()).toBe(true)
      a.clock.ms += 5_000
      await a.election.tick()
      expect(a.election.isLeader()).toBe(false)
      expect(a.log.slice(-2)).toEqual(['error', 'stopped'])
    } finally {
      sim.sim.setFaults({})
    }
  })
})
