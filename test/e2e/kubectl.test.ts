// The simulator proved with a client nobody here wrote: the real kubectl v1.35.
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { kubeconfigYaml } from '../../src/simulator/kubeconfig.js'
import { kubectlFor, kubectlPath, type Kubectl } from '../support/kubectl.js'
import { SIM_START, startTestCluster, type TestCluster } from '../support/simulator.js'
import { has } from '../support/prerequisites.js'

interface PodJson {
  metadata: { name: string; namespace: string; ownerReferences?: { kind: string; name: string }[] }
  spec: { nodeName?: string; priorityClassName?: string }
  status: { phase: string }
}

/** Rows of kubectl's column output, keyed by header. */
function table(stdout: string): Record<string, string>[] {
  const lines = stdout.trimEnd().split('\n')
  const header = lines[0]!
  const starts = [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], at: m.index! }))
  return lines.slice(1).map((line) => {
    const row: Record<string, string> = {}
    starts.forEach((col, i) => {
      row[col.name] = line.slice(col.at, starts[i + 1]?.at ?? line.length).trim()
    })
    return row
  })
}

describe.runIf(has('kubectl'))('kubectl v1.35 against the simulator', () => {
  let cluster: TestCluster
  let kubectl: Kubectl

  const podsJson = async (...args: string[]): Promise<PodJson[]> =>
    (JSON.parse(await kubectl.ok('get', 'pods', '-A', '-o', 'json', ...args)) as { items: PodJson[] }).items
  const ownerOf = (p: PodJson) => p.metadata.ownerReferences?.[0]?.name

  beforeAll(async () => {
    cluster = await startTestCluster({ startTime: SIM_START })
    kubectl = kubectlFor(cluster.kubeconfigPath, join(cluster.dir, 'kube-cache'))
  })
  afterAll(() => cluster.close())

  it('get nodes prints NAME STATUS ROLES AGE VERSION from the server-side Table', async () => {
    const rows = table(await kubectl.ok('get', 'nodes'))
    expect(rows).toHaveLength(10)
    expect(rows.find((r) => r.NAME === 'gpu-1')).toEqual({ NAME: 'gpu-1', STATUS: 'Ready', ROLES: 'runai-gpu-worker', AGE: '60d', VERSION: 'v1.35.0' })
    expect(rows.find((r) => r.NAME === 'sys-1')?.ROLES).toBe('runai-system')
    expect(rows.find((r) => r.NAME === 'cpu-2')?.ROLES).toBe('runai-cpu-worker')
  })

  it('shows a failed node NotReady, and Ready again after recovery', async () => {
    cluster.sim.failNode('cpu-2')
    expect(table(await kubectl.ok('get', 'nodes')).find((r) => r.NAME === 'cpu-2')?.STATUS).toBe('NotReady')
    cluster.sim.recoverNode('cpu-2')
    expect(table(await kubectl.ok('get', 'nodes')).find((r) => r.NAME === 'cpu-2')?.STATUS).toBe('Ready')
  })

  it('taint runai=drain:NoExecute evicts the pods: training runs elsewhere, interactive is gone', async () => {
    const before = await podsJson('--field-selector', 'spec.nodeName=gpu-1')
    const training = before.filter((p) => p.spec.priorityClassName === 'train').map(ownerOf)
    const interactive = before.filter((p) => p.spec.priorityClassName === 'interactive-preemptible').map(ownerOf)
    expect(training.length).toBeGreaterThan(0)
    expect(interactive.length).toBeGreaterThan(0)

    expect(await kubectl.ok('taint', 'nodes', 'gpu-1', 'runai=drain:NoExecute')).toBe('node/gpu-1 tainted\n')

    const left = await podsJson('--field-selector', 'spec.nodeName=gpu-1')
    expect(left.map((p) => p.metadata.ownerReferences?.[0]?.kind)).toEqual(['DaemonSet', 'DaemonSet'])
    const all = await podsJson()
    for (const owner of training) {
      const pods = all.filter((p) => ownerOf(p) === owner)
      expect(pods.length).toBeGreaterThan(0)
      expect(pods.every((p) => p.status.phase === 'Running' && p.spec.nodeName !== 'gpu-1')).toBe(true)
    }
    for (const owner of interactive) expect(all.filter((p) => ownerOf(p) === owner)).toEqual([])
  })

  it('the same taint again fails with kubectl\'s own "already has" error', async () => {
    const again = await kubectl('taint', 'nodes', 'gpu-1', 'runai=drain:NoExecute')
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('node gpu-1 already has runai taint(s) with same effect(s) and --overwrite is false')
  })

  it('removes the taint and keeps taints added by someone else', async () => {
    await kubectl.ok('taint', 'nodes', 'gpu-1', 'other=x:NoSchedule')
    expect(await kubectl.ok('taint', 'nodes', 'gpu-1', 'runai=drain:NoExecute-')).toBe('node/gpu-1 untainted\n')
    const node = JSON.parse(await kubectl.ok('get', 'node', 'gpu-1', '-o', 'json'))
    expect(node.spec.taints).toEqual([{ key: 'other', value: 'x', effect: 'NoSchedule' }])
    expect(await kubectl.ok('taint', 'nodes', 'gpu-1', 'other-')).toBe('node/gpu-1 untainted\n')
    expect(JSON.parse(await kubectl.ok('get', 'node', 'gpu-1', '-o', 'json')).spec.taints).toBeUndefined()
    const missing = await kubectl('taint', 'nodes', 'gpu-1', 'runai=drain:NoExecute-')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('taint "runai:NoExecute" not found')
  })

  it('labels a node, shown under ROLES, and removes the label', async () => {
    expect(await kubectl.ok('label', 'node', 'gpu-1', 'node-role.kubernetes.io/runai-system=')).toBe('node/gpu-1 labeled\n')
    expect(table(await kubectl.ok('get', 'nodes')).find((r) => r.NAME === 'gpu-1')?.ROLES).toBe('runai-gpu-worker,runai-system')
    const shown = await kubectl.ok('get', 'nodes', '-l', 'node-role.kubernetes.io/runai-system', '-o', 'name')
    expect(shown.split('\n').filter(Boolean).sort()).toEqual(['node/gpu-1', 'node/sys-1', 'node/sys-2'])
    expect(await kubectl.ok('label', 'node', 'gpu-1', 'node-role.kubernetes.io/runai-system-')).toBe('node/gpu-1 unlabeled\n')
    expect(table(await kubectl.ok('get', 'nodes')).find((r) => r.NAME === 'gpu-1')?.ROLES).toBe('runai-gpu-worker')
  })

  it('cordons and uncordons', async () => {
    expect(await kubectl.ok('cordon', 'gpu-4')).toBe('node/gpu-4 cordoned\n')
    expect(table(await kubectl.ok('get', 'nodes')).find((r) => r.NAME === 'gpu-4')?.STATUS).toBe('Ready,SchedulingDisabled')
    expect(await kubectl.ok('cordon', 'gpu-4')).toBe('node/gpu-4 already cordoned\n')
    expect(await kubectl.ok('uncordon', 'gpu-4')).toBe('node/gpu-4 uncordoned\n')
    expect(table(await kubectl.ok('get', 'nodes')).find((r) => r.NAME === 'gpu-4')?.STATUS).toBe('Ready')
  })

  it('drain is blocked by a PodDisruptionBudget that allows no disruption', async () => {
    const r = await kubectl('drain', 'gpu-2', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=2s')
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('node/gpu-2 cordoned')
    expect(r.stderr).toMatch(/error when evicting pods\/"llm-serve-[a-z0-9-]+" -n "runai-[a-z-]+" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./)
    expect(r.stderr).toContain('global timeout reached: 2s')
    const left = await podsJson('--field-selector', 'spec.nodeName=gpu-2')
    expect(left.filter((p) => p.metadata.ownerReferences?.[0]?.kind !== 'DaemonSet').map((p) => p.metadata.name)).toEqual([
      expect.stringMatching(/^llm-serve-/),
    ])
    await kubectl.ok('uncordon', 'gpu-2')
  })

  it('drain succeeds where no PDB blocks it, leaving DaemonSet pods', async () => {
    const r = await kubectl('drain', 'gpu-5', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=30s')
    expect(r.stderr).toContain('Warning: ignoring DaemonSet-managed Pods')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('node/gpu-5 cordoned')
    expect(r.stdout).toMatch(/evicting pod runai-[a-z-]+\/train-/)
    expect(r.stdout).toContain('node/gpu-5 drained')
    const left = await podsJson('--field-selector', 'spec.nodeName=gpu-5')
    expect(left.map((p) => p.metadata.ownerReferences?.[0]?.kind)).toEqual(['DaemonSet', 'DaemonSet'])
    expect(table(await kubectl.ok('get', 'nodes')).find((r) => r.NAME === 'gpu-5')?.STATUS).toBe('Ready,SchedulingDisabled')
  })

  it('get pods -A --field-selector spec.nodeName=N shows only that node, with namespaces', async () => {
    const rows = table(await kubectl.ok('get', 'pods', '-A', '-o', 'wide', '--field-selector', 'spec.nodeName=gpu-3'))
    expect(rows.length).toBeGreaterThanOrEqual(4)
    expect(rows.every((r) => r.NODE === 'gpu-3' && r.NAMESPACE !== '' && r.STATUS === 'Running' && r.READY === '1/1')).toBe(true)
    expect(rows.map((r) => r.NAMESPACE)).toContain('kube-system')
    const none = await kubectl('get', 'pods', '-A', '--field-selector', 'spec.nodeName=no-such-node')
    expect(none.code).toBe(0)
    expect(none.stderr).toContain('No resources found')
  })

  it('-o json output parses into the real shapes', async () => {
    const list = JSON.parse(await kubectl.ok('get', 'nodes', '-o', 'json'))
    expect(list.kind).toBe('List')
    const gpu3 = list.items.find((n: { metadata: { name: string } }) => n.metadata.name === 'gpu-3')
    expect(gpu3.kind).toBe('Node')
    expect(gpu3.status.capacity['nvidia.com/gpu']).toBe('8')
    expect(gpu3.status.nodeInfo.kubeletVersion).toBe('v1.35.0')
    expect(gpu3.status.conditions.map((c: { type: string }) => c.type)).toEqual(['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'])
    expect(Number(gpu3.metadata.resourceVersion)).toBeGreaterThan(0)
    const missing = await kubectl('get', 'node', 'nope')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('Error from server (NotFound): nodes "nope" not found')
  })

  it('delete node removes it; a kubelet restart registers it again without roles', async () => {
    expect(await kubectl.ok('delete', 'node', 'cpu-1')).toBe('node "cpu-1" deleted\n')
    expect(table(await kubectl.ok('get', 'nodes')).map((r) => r.NAME)).not.toContain('cpu-1')
    expect(await podsJson('--field-selector', 'spec.nodeName=cpu-1')).toEqual([])
    cluster.sim.restartKubelet('cpu-1')
    const row = table(await kubectl.ok('get', 'nodes')).find((r) => r.NAME === 'cpu-1')
    expect(row).toMatchObject({ STATUS: 'Ready', ROLES: '<none>', AGE: '0s' })
    const node = JSON.parse(await kubectl.ok('get', 'node', 'cpu-1', '-o', 'json'))
    expect(Object.keys(node.metadata.labels).sort()).toEqual([
      'beta.kubernetes.io/arch',
      'beta.kubernetes.io/os',
      'kubernetes.io/arch',
      'kubernetes.io/hostname',
      'kubernetes.io/os',
    ])
  })

  it('get nodes --watch prints a row for each change', async () => {
    const child = spawn(kubectlPath(), ['--kubeconfig', cluster.kubeconfigPath, '--cache-dir', join(cluster.dir, 'kube-cache'), 'get', 'nodes', '--watch'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    const waiting: (() => void)[] = []
    child.stdout.on('data', (c: Buffer) => {
      out += c
      for (const check of [...waiting]) check()
    })
    const seen = (pattern: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`no ${pattern} in kubectl output:\n${out}`)), 15_000)
        const check = () => {
          if (!pattern.test(out)) return
          clearTimeout(deadline)
          waiting.splice(waiting.indexOf(check), 1)
          resolve()
        }
        waiting.push(check)
        check()
      })
    try {
      await seen(/^sys-2 .*$/m) // the initial list is printed
      cluster.sim.failNode('gpu-6')
      await seen(/^gpu-6 +NotReady +runai-gpu-worker/m)
      cluster.sim.recoverNode('gpu-6')
      await seen(/^gpu-6 +Ready +runai-gpu-worker[^\n]*\n(?:.*\n)*gpu-6 +Ready/m)
    } finally {
      child.kill()
    }
    expect(out.split('\n')[0]).toMatch(/^NAME +STATUS +ROLES +AGE +VERSION$/)
  })

  it('describe node shows roles, lease, conditions and the GPUs its pods hold', async () => {
    const out = await kubectl.ok('describe', 'node', 'gpu-3')
    expect(out).toMatch(/^Roles: +runai-gpu-worker$/m)
    expect(out).toMatch(/^ {2}HolderIdentity: +gpu-3$/m)
    expect(out).toMatch(/^ {2}Ready +True /m)
    expect(out).toMatch(/^ {2}nvidia\.com\/gpu +\d+ +\d+$/m)
    expect(out).toMatch(/^Non-terminated Pods: +\(\d+ in total\)$/m)
  })

  it('get pdb and daemonsets print their server-side columns', async () => {
    const pdbs = table(await kubectl.ok('get', 'pdb', '-A'))
    expect(pdbs.find((r) => r.NAME === 'llm-serve')).toMatchObject({ 'MIN AVAILABLE': '2', 'ALLOWED DISRUPTIONS': '0' })
    const ds = table(await kubectl.ok('get', 'ds', '-n', 'kube-system'))
    expect(ds.map((r) => r.NAME)).toEqual(['kube-proxy'])
  })

  it('shows injected faults the way kubectl reports real ones', async () => {
    try {
      cluster.sim.setFaults({ errorRate: 1, errorStatus: 503, paths: '^/api/v1/nodes' })
      const unavailable = await kubectl('get', 'nodes')
      expect(unavailable.code).toBe(1)
      expect(unavailable.stderr).toContain('Error from server (ServiceUnavailable)')
      cluster.sim.setFaults({ conflictRate: 1 })
      // kubectl's own quirk: a 409 on the cordon PATCH is printed, yet it exits 0.
      const cordon = await kubectl('cordon', 'gpu-3')
      expect(cordon.code).toBe(0)
      expect(cordon.stderr).toContain('error: unable to cordon node "gpu-3": Operation cannot be fulfilled on nodes "gpu-3": the object has been modified')
    } finally {
      cluster.sim.setFaults(null)
    }
    expect(table(await kubectl.ok('get', 'nodes')).find((r) => r.NAME === 'gpu-3')?.STATUS).toBe('Ready')
  })

  it('delete pod: a training pod is resubmitted under a new name', async () => {
    const all = await podsJson()
    const training = all.find((p) => p.spec.priorityClassName === 'train' && all.filter((q) => ownerOf(q) === ownerOf(p)).length === 1)!
    expect(await kubectl.ok('delete', 'pod', '-n', training.metadata.namespace, training.metadata.name)).toBe(
      `pod "${training.metadata.name}" deleted from ${training.metadata.namespace} namespace\n`,
    )
    const again = (await podsJson()).filter((p) => ownerOf(p) === ownerOf(training))
    expect(again).toHaveLength(1)
    expect(again[0]!.metadata.name).not.toBe(training.metadata.name)
    expect(again[0]!.status.phase).toBe('Running')
  })

  it('get --raw /version answers like a v1.35 API server', async () => {
    expect(JSON.parse(await kubectl.ok('get', '--raw', '/version'))).toMatchObject({ major: '1', minor: '35', gitVersion: 'v1.35.0' })
  })

  it('refuses a kubeconfig without the token, or with a wrong one', async () => {
    const run = async (token: string | null) => {
      const dir = mkdtempSync(join(cluster.dir, 'anon-'))
      const path = join(dir, 'kubeconfig')
      writeFileSync(path, kubeconfigYaml(cluster.url, cluster.caPem, token))
      return kubectlFor(path, join(dir, 'cache'))('get', 'nodes')
    }
    // With no credentials at all kubectl asks for a username (stdin is closed) and lists nothing.
    const without = await run(null)
    expect(without.code).toBe(1)
    expect(without.stdout).not.toContain('gpu-1')
    const wrong = await run('not-the-token')
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain('error: You must be logged in to the server (the server has asked for the client to provide credentials)')
    expect(wrong.stdout).toBe('')
  })
})
