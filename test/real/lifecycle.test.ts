// nodeplan's whole lifecycle against a real Kubernetes control plane (kube-apiserver, etcd,
// kube-controller-manager, kube-scheduler, kwok nodes), through its GraphQL API and the real
// kubectl. nodeplan runs as the ServiceAccount of deploy/kubernetes: the real RBAC authorizer
// decides every request, and the API server's audit log shows what it used.
import { createHash, X509Certificate } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { kubeconfigYaml } from '../../src/simulator/kubeconfig.js'
import { KUBERNETES_RELEASE } from '../../scripts/control-plane.js'
import { realNode, REAL_NODES } from '../../scripts/control-plane-seed.js'
import { grantsFor, loadManifests } from '../deploy/manifests.js'
import { kubectlFor } from '../support/kubectl.js'
import { TEST_TOKENS } from '../support/nodeplan.js'
import { kubectlWithInput, NODEPLAN_SA, NODEPLAN_USER, startRealCluster, waitUntil, type RealCluster } from './real-cluster.js'

const { operator, approver, admin, viewer } = TEST_TOKENS
/** Its kwok is stopped to simulate a machine that dies. */
const DYING = 'gpu-4'
const DRAIN_TAINT = { key: 'runai', value: 'drain', effect: 'NoExecute' }

interface Pod {
  metadata: { name: string; namespace: string; uid: string; ownerReferences?: { kind: string; name: string }[]; deletionTimestamp?: string }
  spec: { nodeName?: string; priorityClassName?: string }
  status: { phase: string }
}

// Waits on real controllers (eviction, rescheduling, a node's lease expiring) take seconds each.
describe(`nodeplan on a real Kubernetes ${KUBERNETES_RELEASE} control plane`, { timeout: 180_000 }, () => {
  let rc: RealCluster

  const gql = async (query: string, variables: Record<string, unknown> = {}, token: string = operator) => {
    const res = await rc.gql(query, variables, token)
    expect(res.errors, query).toBeUndefined()
    return res.data
  }
  const plan = async (mutation: string, input: Record<string, unknown>) => {
    const type = mutation === 'planRelabel' ? 'PlanRelabelInput' : 'PlanNodesInput'
    return (
      await gql(
        `mutation($input: ${type}!) { ${mutation}(input: $input) { id kind status warnings impact { gpus automaticallyRescheduled { name namespace kind relocation pods } manualRelocation { name namespace kind relocation pods } } } }`,
        { input },
      )
    )[mutation]
  }
  const apply = async (id: string) => (await gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id })).applyPlan.status as string
  const node = (name: string) => rc.get(`/api/v1/nodes/${name}`)
  const pods = async (selector = ''): Promise<Pod[]> => (await rc.get(`/api/v1/pods${selector ? `?fieldSelector=${encodeURIComponent(selector)}` : ''}`)).items
  const ownerOf = (p: Pod) => p.metadata.ownerReferences?.[0]
  /** The workload name nodeplan reports: a Job, a Deployment (its ReplicaSet less the hash), or the pod. */
  const workloadOf = (p: Pod) => {
    const owner = ownerOf(p)
    if (!owner) return p.metadata.name
    return owner.kind === 'ReplicaSet' ? owner.name.replace(/-[a-z0-9]+$/, '') : owner.name
  }
  const rolesShown = async (name: string) => {
    const rows = (await rc.kubectl.ok('get', 'nodes', '--no-headers')).split('\n').map((l) => l.trim().split(/\s+/))
    return rows.find((r) => r[0] === name)?.[2]
  }
  const pendingPlan = async (nodeName: string, kind: string) => {
    await rc.np.services.downtime.check()
    const plans = (await gql(`query($n: String) { plans(node: $n, first: 50) { edges { node { id kind status createdBy reason } } } }`, { n: nodeName }, viewer)).plans.edges
    return plans.map((e: any) => e.node).find((p: any) => p.kind === kind && p.status === 'PENDING')
  }

  beforeAll(async () => {
    rc = await startRealCluster({ ownKubelet: [DYING], policy: { unplannedDrainAfterSeconds: 1 } })
  }, 240_000)
  afterAll(async () => {
    await rc?.close()
  })

  it('inventory: nodes, roles and GPUs as the real API server and kubectl show them', async () => {
    const { nodes } = await gql('{ nodes { name roles ready gpus workloads { name kind } } }', {}, viewer)
    expect(nodes.map((n: any) => n.name).sort()).toEqual(REAL_NODES.map((n) => n.name).sort())
    for (const spec of REAL_NODES) {
      const found = nodes.find((n: any) => n.name === spec.name)
      expect(found.ready, spec.name).toBe(true)
      expect(found.gpus, spec.name).toBe(spec.gpus)
      expect(await rolesShown(spec.name)).toBe(spec.role)
    }
    const kinds = new Set(nodes.flatMap((n: any) => n.workloads.map((w: any) => `${w.name}:${w.kind}`)))
    for (const w of ['train-llama:TRAINING', 'train-bert:TRAINING', 'train-resnet:TRAINING', 'llm-serve:INFERENCE', 'jupyter-1:INTERACTIVE', 'runai-scheduler-default:SYSTEM']) {
      expect([...kinds]).toContain(w)
    }
  })

  let drained: string
  it('drain: the impact names what the real taint manager, controllers and scheduler then do', async () => {
    // The GPU node running the most training pods (the scheduler chose where they run).
    const all = await pods()
    const training = (n: string) => all.filter((p) => p.spec.nodeName === n && p.spec.priorityClassName === 'train').length
    drained = ['gpu-1', 'gpu-2', 'gpu-3'].sort((a, b) => training(b) - training(a))[0]!
    const before = all.filter((p) => p.spec.nodeName === drained && ownerOf(p)?.kind !== 'DaemonSet')
    const trainingBefore = [...new Set(before.filter((p) => p.spec.priorityClassName === 'train').map(workloadOf))].sort()
    const interactiveBefore = before.filter((p) => p.spec.priorityClassName === 'interactive-preemptible')
    expect(trainingBefore.length).toBeGreaterThan(0)

    const drain = await plan('planDrain', { nodes: [drained], reason: 'CHG-1 PSU' })
    const automatic = drain.impact.automaticallyRescheduled
    expect(automatic.filter((w: any) => w.kind === 'TRAINING').map((w: any) => w.name).sort()).toEqual(trainingBefore)
    expect(automatic.every((w: any) => w.relocation === 'AUTOMATIC')).toBe(true)
    expect(drain.impact.manualRelocation.map((w: any) => w.name).sort()).toEqual(interactiveBefore.map((p) => p.metadata.name).sort())
    expect(await apply(drain.id)).toBe('APPLIED')

    expect((await node(drained)).spec.taints).toContainEqual(DRAIN_TAINT)
    // The real taint-eviction controller deletes every pod that does not tolerate the taint…
    await waitUntil('only DaemonSet pods left on the drained node', async () =>
      (await pods(`spec.nodeName=${drained}`)).every((p) => ownerOf(p)?.kind === 'DaemonSet'),
    )
    // …the Job and ReplicaSet controllers create replacements, and the scheduler places them elsewhere.
    const beforeUids = new Set(before.map((p) => p.metadata.uid))
    for (const workload of trainingBefore) {
      await waitUntil(`${workload} running again elsewhere`, async () => {
        const own = (await pods()).filter((p) => workloadOf(p) === workload && !p.metadata.deletionTimestamp)
        return own.length > 0 && own.every((p) => p.status.phase === 'Running' && p.spec.nodeName && p.spec.nodeName !== drained) && own.some((p) => !beforeUids.has(p.metadata.uid))
      })
    }
    // Interactive notebooks have no controller: evicted, they are gone, as the impact said.
    for (const p of interactiveBefore) {
      const r = await rc.kubectl('get', 'pod', '-n', p.metadata.namespace, p.metadata.name)
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(`pods "${p.metadata.name}" not found`)
    }
    const left = await rc.kubectl.ok('get', 'pods', '-A', '--no-headers', '--field-selector', `spec.nodeName=${drained}`)
    expect(left.trim().split('\n').map((l) => l.split(/\s+/)[1]!.replace(/-[a-z0-9]+$/, ''))).toEqual(['nvidia-device-plugin-daemonset'])
  })

  it('undrain leaves a taint another writer added in between', async () => {
    expect(await rc.kubectl.ok('taint', 'nodes', drained, 'maintenance=disk:NoSchedule')).toBe(`node/${drained} tainted\n`)
    const undrain = await plan('planUndrain', { nodes: [drained], reason: 'CHG-1 done' })
    expect(await apply(undrain.id)).toBe('APPLIED')
    expect((await node(drained)).spec.taints).toEqual([{ key: 'maintenance', value: 'disk', effect: 'NoSchedule' }])
    await rc.kubectl.ok('taint', 'nodes', drained, 'maintenance-')
    expect((await node(drained)).spec.taints).toBeUndefined()
  })

  it('relabel, then rollback, as kubectl shows the roles', async () => {
    const relabel = await plan('planRelabel', { node: 'cpu-1', roles: ['CPU_WORKER', 'SYSTEM'], reason: 'temporary system node' })
    expect(await apply(relabel.id)).toBe('APPLIED')
    expect(await rolesShown('cpu-1')).toBe('runai-cpu-worker,runai-system')
    const rollback = (await gql(`mutation($id: ID!) { planRollback(planId: $id, reason: "retire") { id } }`, { id: relabel.id })).planRollback.id
    expect(await apply(rollback)).toBe('APPLIED')
    expect(await rolesShown('cpu-1')).toBe('runai-cpu-worker')
  })

  it('refuses a stale plan after a real change to what it was computed from', async () => {
    const drain = await plan('planDrain', { nodes: ['cpu-2'], reason: 'CHG-3' })
    await rc.kubectl.ok('taint', 'nodes', 'cpu-2', 'runai=manual:NoExecute')
    await waitUntil('nodeplan to see the new taint', async () => {
      const { nodes } = await gql('{ nodes(filter: {nameContains: "cpu-2"}) { taints { key value } } }', {}, viewer)
      return nodes[0].taints.some((t: any) => t.value === 'manual')
    })
    const res = await rc.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id: drain.id }, operator)
    expect(res.errors?.[0]?.extensions?.code).toBe('PLAN_STALE')
    expect((await node('cpu-2')).spec.taints).toEqual([{ key: 'runai', value: 'manual', effect: 'NoExecute' }])
    await rc.kubectl.ok('taint', 'nodes', 'cpu-2', 'runai-')
  })

  it('decommission deletes the node, once approved', async () => {
    const decommission = await plan('planDecommission', { nodes: ['cpu-2'], reason: 'CHG-2 motherboard' })
    await gql(`mutation($id: ID!) { approvePlan(id: $id) { status } }`, { id: decommission.id }, approver)
    expect(await apply(decommission.id)).toBe('APPLIED')
    const r = await rc.kubectl('get', 'node', 'cpu-2')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('nodes "cpu-2" not found')
  })

  let tokenId: string
  it('join command: its bootstrap token authenticates to the real API server, which signs cluster-info for it', async () => {
    const { command } = (await gql('mutation { createJoinCommand(ttlHours: 2) { command } }', {}, admin)).createJoinCommand
    const m = /^kubeadm join 127\.0\.0\.1:(\d+) --token ([a-z0-9]{6})\.([a-z0-9]{16}) --discovery-token-ca-cert-hash sha256:([0-9a-f]{64})$/.exec(command)
    expect(m, command).not.toBeNull()
    const [, port, id, secret, hash] = m!
    tokenId = id!
    expect(`https://127.0.0.1:${port}`).toBe(rc.cp.server)
    const spki = new X509Certificate(rc.cp.caPem).publicKey.export({ type: 'spki', format: 'der' })
    expect(hash).toBe(createHash('sha256').update(spki).digest('hex'))

    const anonymous = join(rc.dir, 'joining.kubeconfig')
    writeFileSync(anonymous, kubeconfigYaml(rc.cp.server, rc.cp.caPem, null))
    const joining = kubectlFor(anonymous, join(rc.dir, 'joining-cache'))
    const whoami = JSON.parse(await joining.ok('--token', `${id}.${secret}`, 'auth', 'whoami', '-o', 'json'))
    expect(whoami.status.userInfo.username).toBe(`system:bootstrap:${id}`)
    expect(whoami.status.userInfo.groups).toContain('system:bootstrappers')
    const wrong = await joining('--token', `${id}.${'x'.repeat(16)}`, 'auth', 'whoami')
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain('Unauthorized')
    // kube-controller-manager's bootstrap signer accepted the Secret nodeplan wrote: kubeadm's discovery would verify this.
    await waitUntil('cluster-info signed for the token', async () => (await rc.get('/api/v1/namespaces/kube-public/configmaps/cluster-info')).data[`jws-kubeconfig-${id}`])
  })

  it('rejoin: the node registers again and planRejoin brings its roles back', async () => {
    expect(tokenId).toMatch(/^[a-z0-9]{6}$/)
    // What a kubelet registers: no role labels (the NodeRestriction rules keep them from it).
    const registered = realNode(REAL_NODES.find((n) => n.name === 'cpu-2')!)
    const labels = (registered.metadata as { labels: Record<string, string> }).labels
    for (const key of Object.keys(labels)) if (key.startsWith('node-role.kubernetes.io/')) delete labels[key]
    await kubectlWithInput(rc.kubectl, ['create', '-f', '-'], JSON.stringify(registered), rc.dir)
    await waitUntil('cpu-2 Ready', async () => (await node('cpu-2')).status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'))
    expect(await rolesShown('cpu-2')).toBe('<none>')
    const rejoin = await waitUntil('a REJOIN plan', () => pendingPlan('cpu-2', 'REJOIN'), 30_000)
    expect(await apply(rejoin.id)).toBe('APPLIED')
    expect(await rolesShown('cpu-2')).toBe('runai-cpu-worker')
  })

  it('unplanned downtime: the real node lifecycle controller marks a silent node, and nodeplan proposes its drain', async () => {
    await rc.cp.stopKubelet(DYING)
    const marked = await waitUntil(
      `${DYING} marked by the node lifecycle controller`,
      async () => {
        const n = await node(DYING)
        const ready = n.status.conditions.find((c: any) => c.type === 'Ready')
        return ready.status === 'Unknown' && (n.spec.taints ?? []).some((t: any) => t.key === 'node.kubernetes.io/unreachable') && n
      },
      60_000,
    )
    expect(marked.status.conditions.find((c: any) => c.type === 'Ready').reason).toBe('NodeStatusUnknown')
    const { nodes } = await gql(`{ nodes(filter: {nameContains: "${DYING}"}) { ready notReadySince } }`, {}, viewer)
    expect(nodes[0].ready).toBe(false)
    const proposed = await waitUntil('a proposed DRAIN', () => pendingPlan(DYING, 'DRAIN'), 30_000)
    expect(proposed.createdBy).toBe('system')
    expect(await rc.kubectl.ok('get', 'node', DYING, '--no-headers')).toMatch(new RegExp(`^${DYING}\\s+NotReady\\s`))
  })

  describe('least privilege, decided by the real RBAC authorizer', () => {
    it('nodeplan got no 403 (nor any 401) through the whole lifecycle', () => {
      const requests = rc.nodeplanRequests()
      expect(requests.length).toBeGreaterThan(10)
      expect(requests.filter((r) => r.code === 403 || r.code === 401)).toEqual([])
    })

    it('every rule of deploy/kubernetes was used, and kubectl auth can-i --list shows nothing more', async () => {
      const used = rc.nodeplanRequests().filter((r) => r.resource !== '')
      const usedKey = (verb: string, group: string, resource: string, namespace: string | null) =>
        used.some((r) => r.verb === verb && r.group === group && `${r.resource}${r.subresource ? `/${r.subresource}` : ''}` === resource && (namespace === null || r.namespace === namespace))
      const unused: string[] = []
      for (const g of grantsFor(loadManifests(), NODEPLAN_SA))
        for (const group of g.rule.apiGroups)
          for (const resource of g.rule.resources)
            for (const verb of g.rule.verbs) if (!usedKey(verb, group, resource, g.namespace)) unused.push(`${g.role}: ${verb} ${group || 'core'}/${resource}`)
      expect(unused).toEqual([])

      // What the real authorizer says the ServiceAccount may do, beyond what every authenticated
      // user may (selfsubject*reviews, non-resource URLs). Rows of the cluster-wide listing
      // (namespace default) repeat in every namespace's; the others are that namespace's Roles.
      const rows = async (namespace: string) =>
        (await rc.kubectl.ok('auth', 'can-i', '--list', `--as=${NODEPLAN_USER}`, '-n', namespace, '--no-headers'))
          .trim()
          .split('\n')
          .map((line) => line.trim().split(/\s{2,}/))
          .filter((cols) => !cols[0]!.startsWith('[') && !cols[0]!.startsWith('self'))
      const clusterWide = await rows('default')
      const granted: string[] = []
      const unusedGrants: string[] = []
      for (const [namespace, listed] of [[null, clusterWide] as const, ...(await Promise.all(['kube-system', 'kube-public', 'nodeplan'].map(async (ns) => [ns, await rows(ns)] as const)))]) {
        for (const cols of listed) {
          if (namespace !== null && clusterWide.some((c) => c.join('|') === cols.join('|'))) continue
          const [plural, ...groupParts] = cols[0]!.split('.')
          const verbs = cols[cols.length - 1]!.replace(/^\[|\]$/g, '').split(' ')
          for (const verb of verbs) {
            granted.push(`${namespace ?? '*'}: ${verb} ${cols[0]}`)
            if (!usedKey(verb, groupParts.join('.'), plural!, namespace)) unusedGrants.push(`${namespace ?? '*'}: ${verb} ${cols[0]}`)
          }
        }
      }
      expect(granted.length).toBeGreaterThanOrEqual(5)
      expect(unusedGrants).toEqual([])
    })
  })
})
