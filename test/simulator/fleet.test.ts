// Several simulated clusters from one process, and a cluster taken off the network and back:
// through the Kubernetes client with the fleet's kubeconfig, and `nodeplan simulator --clusters`.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import { join } from 'node:path'
import * as k8s from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFleet, type RunningSimulator } from '../../src/simulator/index.js'
import { parseSimulatorFlags } from '../../src/simulator/simulator.command.js'
import { simRoute, startTestFleet, type TestFleet } from '../support/simulator.js'

let fleet: TestFleet
let dir: string

beforeAll(async () => {
  fleet = await startTestFleet(3, { gpuNodes: 2 })
  dir = fleet.dir
})
afterAll(() => fleet.close())

function coreFor(context: string): k8s.CoreV1Api {
  const kc = new k8s.KubeConfig()
  kc.loadFromFile(join(dir, 'kubeconfig'))
  kc.setCurrentContext(context)
  return kc.makeApiClient(k8s.CoreV1Api)
}

const nodeNames = async (context: string) => (await coreFor(context).listNode()).items.map((n) => n.metadata!.name).sort()

/** What a client gets from the cluster within `ms`: 'answers' (any HTTP status), a connection error code, or 'no answer'. */
function probe(url: string, ca: string, ms = 300): Promise<string> {
  return new Promise((resolve) => {
    const req = request(`${url}/version`, { ca, timeout: ms, agent: false }, (res) => {
      res.resume()
      resolve('answers')
    })
    req.on('timeout', () => {
      req.destroy()
      resolve('no answer')
    })
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message))
    req.end()
  })
}

describe('a fleet of simulated clusters', () => {
  it('serves sim-1…sim-3 on their own ports, one kubeconfig with a context per cluster', async () => {
    expect(fleet.clusters.map((c) => c.name)).toEqual(['sim-1', 'sim-2', 'sim-3'])
    expect(new Set(fleet.clusters.map((c) => c.url)).size).toBe(3)
    const kc = new k8s.KubeConfig()
    kc.loadFromFile(join(dir, 'kubeconfig'))
    expect(kc.getContexts().map((c) => c.name)).toEqual(['sim-1', 'sim-2', 'sim-3'])
    expect(kc.getCurrentContext()).toBe('sim-1')
    expect(kc.getClusters().map((c) => c.server)).toEqual(fleet.clusters.map((c) => c.url))
    for (const name of ['sim-1', 'sim-2', 'sim-3']) expect(await nodeNames(name)).toEqual(['cpu-1', 'cpu-2', 'gpu-1', 'gpu-2', 'sys-1', 'sys-2'])
  })

  it('keeps each cluster its own: a change to one is not seen by the others, and each has its own clock', async () => {
    await coreFor('sim-2').patchNode({ name: 'gpu-1', body: [{ op: 'add', path: '/spec/unschedulable', value: true }] })
    expect((await coreFor('sim-2').readNode({ name: 'gpu-1' })).spec!.unschedulable).toBe(true)
    expect((await coreFor('sim-1').readNode({ name: 'gpu-1' })).spec!.unschedulable).toBeUndefined()
    const before = fleet.cluster('sim-1').sim.clock.nowMillis()
    await simRoute(fleet.cluster('sim-3'), 'POST', '/_sim/clock/advance', { seconds: 60 })
    expect(fleet.cluster('sim-1').sim.clock.nowMillis()).toBe(before)
    // Seeded one after another: the same shape, different workloads.
    const projects = async (c: string) => (await coreFor(c).listNamespace()).items.map((n) => n.metadata!.name).filter((n) => n!.startsWith('runai-'))
    expect(await projects('sim-1')).not.toEqual(await projects('sim-2'))
  })

  it('takes a cluster off the network (connections refused, watches cut) and brings it back on the same URL', async () => {
    const sim2 = fleet.cluster('sim-2')
    const kc = new k8s.KubeConfig()
    kc.loadFromFile(join(dir, 'kubeconfig'))
    kc.setCurrentContext('sim-2')
    let watchEnded!: (how: string) => void
    const watched = new Promise<string>((resolve) => (watchEnded = resolve))
    await new k8s.Watch(kc).watch('/api/v1/nodes', {}, () => {}, (err) => watchEnded(err ? 'ended with an error' : 'ended'))
    const down = await simRoute(fleet.cluster('sim-1'), 'POST', '/_sim/clusters/sim-2/outage', { mode: 'refuse' })
    expect(down.status).toBe(200)
    expect(down.json.clusters).toEqual([
      { name: 'sim-1', url: fleet.cluster('sim-1').url, outage: null },
      { name: 'sim-2', url: sim2.url, outage: 'refuse' },
      { name: 'sim-3', url: fleet.cluster('sim-3').url, outage: null },
    ])
    expect(await watched).toMatch(/^ended/)
    expect(await probe(sim2.url, sim2.caPem)).toBe('ECONNREFUSED')
    await expect(coreFor('sim-2').listNode()).rejects.toThrow(/ECONNREFUSED/)
    expect(await nodeNames('sim-3')).toContain('gpu-1')
    expect((await simRoute(fleet.cluster('sim-3'), 'GET', '/_sim/clusters')).json.clusters[1]).toMatchObject({ name: 'sim-2', outage: 'refuse' })

    const back = await simRoute(fleet.cluster('sim-3'), 'DELETE', '/_sim/clusters/sim-2/outage')
    expect(back.json.clusters[1]).toMatchObject({ name: 'sim-2', outage: null })
    expect(await nodeNames('sim-2')).toContain('gpu-1')
  })

  it('a hanging cluster accepts connections and never answers, until it comes back', async () => {
    const sim3 = fleet.cluster('sim-3')
    await sim3.goDown('hang')
    expect(sim3.outage()).toBe('hang')
    expect(await probe(sim3.url, sim3.caPem)).toBe('no answer')
    expect(await probe(fleet.cluster('sim-1').url, fleet.cluster('sim-1').caPem)).toBe('answers')
    await sim3.comeBack()
    expect(await probe(sim3.url, sim3.caPem)).toBe('answers')
  })

  it('a cluster asked to take itself down answers 202 first; another brings it back', async () => {
    const sim1 = fleet.cluster('sim-1')
    const r = await simRoute(sim1, 'POST', '/_sim/clusters/sim-1/outage', {})
    expect(r.status).toBe(202)
    expect(r.json.clusters[0]).toMatchObject({ name: 'sim-1', outage: 'refuse' })
    await expect.poll(() => probe(sim1.url, sim1.caPem)).toBe('ECONNREFUSED')
    await simRoute(fleet.cluster('sim-2'), 'DELETE', '/_sim/clusters/sim-1/outage')
    expect(await probe(sim1.url, sim1.caPem)).toBe('answers')
  })

  it('closes cleanly while down, in either mode', async () => {
    const spare = await startFleet({ clusters: 2, gpuNodes: 1 })
    const [one, two] = spare.clusters as [RunningSimulator, RunningSimulator]
    await one.goDown('hang')
    await two.goDown('refuse')
    expect(await probe(one.url, one.caPem)).toBe('no answer')
    await spare.close()
    expect(await probe(one.url, one.caPem)).toBe('ECONNREFUSED')
    expect(await probe(two.url, two.caPem)).toBe('ECONNREFUSED')
  })

  it('refuses an unknown cluster or mode', async () => {
    const sim1 = fleet.cluster('sim-1')
    expect((await simRoute(sim1, 'POST', '/_sim/clusters/sim-9/outage', {})).status).toBe(404)
    expect((await simRoute(sim1, 'POST', '/_sim/clusters/sim-2/outage', { mode: 'explode' })).status).toBe(400)
    expect(fleet.cluster('sim-2').outage()).toBeNull()
    await expect(startFleet({ clusters: 0 })).rejects.toThrow('clusters must be 1 to 100, got 0')
  })
})

describe('nodeplan simulator --clusters', () => {
  it('prints "sim-i URL" per cluster and writes one kubeconfig with their contexts; exits 0 on SIGTERM', async () => {
    const kubeconfigPath = join(dir, 'cli-kubeconfig')
    const child = spawn(process.execPath, ['bin/nodeplan.mjs', 'simulator', '--clusters', '2', '--gpu-nodes', '1', '--kubeconfig-out', kubeconfigPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => (stderr += c))
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c
        if (stdout.split('\n').length > 2) resolve()
      })
      child.on('exit', () => reject(new Error(`exited early: ${stderr}`)))
    })
    const lines = stdout.trim().split('\n')
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['sim-1', 'sim-2'])
    const kc = new k8s.KubeConfig()
    kc.loadFromString(readFileSync(kubeconfigPath, 'utf8'))
    expect(kc.getContexts().map((c) => c.name)).toEqual(['sim-1', 'sim-2'])
    kc.setCurrentContext('sim-2')
    expect(kc.getCurrentCluster()!.server).toBe(lines[1]!.split(' ')[1])
    expect((await kc.makeApiClient(k8s.CoreV1Api).listNode()).items).toHaveLength(5)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })

  it.each([
    [['--clusters', '3', '--port', '9000'], { ok: true, options: { port: 9000 }, clusters: 3 }],
    [['--clusters', '0'], { ok: false, error: '--clusters needs a number of clusters from 1 to 100, got "0"' }],
    [['--clusters', '2', '--advertise-url', 'https://sim:6443'], { ok: false, error: '--advertise-url names one cluster; it cannot be used with --clusters' }],
    [['--clusters', '3', '--port', '65534'], { ok: false, error: '--port 65534 with --clusters 3 goes past port 65535' }],
  ])('parses %j', (argv, expected) => {
    expect(parseSimulatorFlags(argv)).toEqual(expected)
  })
})
