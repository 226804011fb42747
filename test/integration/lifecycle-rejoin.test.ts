// Decommission → join command → the machine joins again → REJOIN plan → roles back, checked with
// the real kubectl; the join token's secret stays out of the database and the logs.
import { execFileSync } from 'node:child_process'
import { readFileSync, existsSync } from 'node:fs'
import { request } from 'node:https'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from '../support/eventually.js'
import { kubectlFor, type Kubectl } from '../support/kubectl.js'
import { code, startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { SIM_START, startTestCluster, type TestCluster } from '../support/simulator.js'
import { has } from '../support/prerequisites.js'

const { operator, approver, admin, viewer } = TEST_TOKENS
const PLAN_FIELDS = 'id kind status reason createdBy approvedBy appliedBy nodes warnings changes { address action before after applied }'
const JOIN_COMMAND = /^kubeadm join 127\.0\.0\.1:(\d+) --token ([a-z0-9]{6})\.([a-z0-9]{16}) --discovery-token-ca-cert-hash sha256:([0-9a-f]{64})$/

describe.runIf(has('kubectl'))('decommission, join command and rejoin against the simulated cluster', () => {
  let cluster: TestCluster
  let np: TestNodeplan
  let kubectl: Kubectl
  /** Every token secret this suite was handed, for the leak checks at the end. */
  const secrets: string[] = []
  const tokenIds: string[] = []

  const gql = async (query: string, variables: Record<string, unknown>, token: string) => {
    const res = await np.gql(query, variables, token)
    expect(res.errors).toBeUndefined()
    return res.data
  }
  const plansFor = async (node: string, kind: string) =>
    ((await gql(`query($node: String) { plans(node: $node, first: 100) { edges { node { ${PLAN_FIELDS} } } } }`, { node }, viewer)).plans.edges as any[])
      .map((e) => e.node)
      .filter((p) => p.kind === kind)
  const audit = async (filter: Record<string, unknown>) =>
    ((await gql(`query($f: AuditFilter) { auditEvents(filter: $f, first: 100) { edges { node { actor action node planId detail } } } }`, { f: filter }, viewer)).auditEvents.edges as any[]).map(
      (e) => e.node,
    )
  const createJoinCommand = (variables: Record<string, unknown>, token: string = admin) =>
    np.gql(`mutation($ttl: Int, $d: String) { createJoinCommand(ttlHours: $ttl, description: $d) { command tokenId expiresAt } }`, variables, token)
  const issue = async (variables: Record<string, unknown>) => {
    const res = await createJoinCommand(variables)
    expect(res.errors).toBeUndefined()
    const created = res.data.createJoinCommand as { command: string; tokenId: string; expiresAt: string }
    const m = JOIN_COMMAND.exec(created.command)
    expect(m, created.command).not.toBeNull()
    secrets.push(m![3]!)
    tokenIds.push(m![2]!)
    return { ...created, port: m![1]!, token: `${m![2]}.${m![3]}`, tokenIdInCommand: m![2]!, secret: m![3]!, hash: m![4]! }
  }
  /** What `kubeadm join` does on the machine, through the simulator's /_sim/join: no credentials but the token. */
  const simJoin = (node: string, token: string) =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      const body = JSON.stringify({ node, token })
      const req = request(
        `${cluster.url}/_sim/join`,
        { method: 'POST', ca: cluster.caPem, headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }))
        },
      )
      req.on('error', reject)
      req.end(body)
    })
  /** NAME STATUS ROLES of one node, as `kubectl get nodes` prints them; null when it has no such node. */
  const kubectlRow = async (node: string) => {
    const out = await kubectl.ok('get', 'nodes', '--no-headers')
    const row = out
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .find((cols) => cols[0] === node)
    return row ? { status: row[1], roles: row[2] } : null
  }

  beforeAll(async () => {
    cluster = await startTestCluster({ startTime: SIM_START })
    np = await startTestNodeplan({ tokens: true, sim: cluster, overrides: { clock: cluster.sim.clock, downtimeCheckIntervalMs: 0 } })
    kubectl = kubectlFor(cluster.kubeconfigPath, join(cluster.dir, 'kubectl-cache'))
  })
  afterAll(async () => {
    await np?.close()
    await cluster?.close()
  })

  it('decommissions gpu-4 with a second person\'s approval: drained, deleted, gone from kubectl get nodes', async () => {
    expect(await kubectlRow('gpu-4')).toEqual({ status: 'Ready', roles: 'runai-gpu-worker' })
    const { planDecommission: plan } = await gql(`mutation($input: PlanNodesInput!) { planDecommission(input: $input) { ${PLAN_FIELDS} } }`, { input: { nodes: ['gpu-4'], reason: 'CHG-7 motherboard swap' } }, operator)
    expect(plan.changes.map((c: any) => [c.address, c.action])).toEqual([
      ['node/gpu-4/taint/runai:NoExecute', 'CREATE'],
      ['node/gpu-4', 'DELETE'],
    ])
    expect(plan.changes[1].before.labels).toMatchObject({ 'node-role.kubernetes.io/runai-gpu-worker': '' })

    const unapproved = await np.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id: plan.id }, operator)
    expect(code(unapproved)).toBe('APPROVAL_REQUIRED')
    await gql(`mutation($id: ID!) { approvePlan(id: $id) { status } }`, { id: plan.id }, approver)
    const { applyPlan: applied } = await gql(`mutation($id: ID!) { applyPlan(id: $id) { ${PLAN_FIELDS} } }`, { id: plan.id }, operator)
    expect(applied).toMatchObject({ status: 'APPLIED', approvedBy: 'approver', appliedBy: 'operator' })

    await eventually(async () => expect(await audit({ node: 'gpu-4', action: 'node.deleted' })).toEqual([expect.objectContaining({ actor: 'system' })]))
    expect(await kubectlRow('gpu-4')).toBeNull()
  })

  it('gives the join command to admins only, for 1 to 168 hours', async () => {
    expect(code(await createJoinCommand({ ttl: 24 }, operator))).toBe('FORBIDDEN')
    expect(code(await createJoinCommand({ ttl: 24 }, approver))).toBe('FORBIDDEN')
    for (const ttl of [0, -1, 169]) {
      const res = await createJoinCommand({ ttl })
      expect(code(res), `ttlHours ${ttl}`).toBe('BAD_USER_INPUT')
      expect(res.errors![0]!.message).toContain('ttlHours')
    }
    expect(code(await createJoinCommand({ ttl: 2, d: 'two\nlines' }))).toBe('BAD_USER_INPUT')
    expect(await audit({ action: 'join-token.created' })).toEqual([])
  })

  it('creates the kubeadm join command: the simulator\'s address, a fresh token, the CA hash openssl computes', async () => {
    const before = cluster.sim.clock.now().getTime()
    const created = await issue({ d: 'rejoin gpu-4' })
    expect(created.port).toBe(new URL(cluster.url).port)
    expect(created.tokenId).toBe(created.tokenIdInCommand)
    expect(Date.parse(created.expiresAt)).toBe(before + 24 * 3_600_000)

    // The kubeadm documentation's pipeline; the simulator's CA has an EC key, hence pkey rather than rsa.
    const pub = execFileSync('openssl', ['x509', '-pubkey', '-noout'], { input: cluster.caPem })
    expect(execFileSync('openssl', ['x509', '-noout', '-text'], { input: cluster.caPem }).toString()).toContain('id-ecPublicKey')
    const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: pub })
    const hex = execFileSync('openssl', ['dgst', '-sha256', '-hex'], { input: der }).toString().trim().split(/\s+/).pop()
    expect(created.hash).toBe(hex)

    const [event] = await audit({ action: 'join-token.created' })
    expect(event).toMatchObject({ actor: 'admin', node: null, planId: null, detail: { tokenId: created.tokenId, ttlHours: 24, description: 'rejoin gpu-4' } })
    expect(JSON.stringify(event)).not.toContain(created.secret)
  })

  it('lets the machine join with that token; nodeplan proposes the REJOIN that restores its roles, and kubectl shows them after apply', async () => {
    const created = await issue({ ttl: 2, d: 'gpu-4 again' })
    const joined = await simJoin('gpu-4', created.token)
    expect(joined).toEqual({ status: 201, body: { node: 'gpu-4', created: true } })
    expect(await kubectlRow('gpu-4')).toEqual({ status: 'Ready', roles: '<none>' })

    const [registered] = await eventually(async () => {
      const events = await audit({ node: 'gpu-4', action: 'node.registered' })
      expect(events).toHaveLength(1)
      return events
    })
    expect(registered.detail.labels).not.toHaveProperty('node-role.kubernetes.io/runai-gpu-worker')

    const rejoin = await eventually(async () => {
      const found = await plansFor('gpu-4', 'REJOIN')
      expect(found).toHaveLength(1)
      return found[0]
    })
    expect(rejoin).toMatchObject({ status: 'PENDING', createdBy: 'system', nodes: ['gpu-4'] })
    expect(rejoin.reason).toMatch(/^rejoin: gpu-4 registered again and is Ready; restores the roles and labels kept by decommission plan \S+$/)
    expect(rejoin.changes).toContainEqual({ address: 'node/gpu-4/label/node-role.kubernetes.io/runai-gpu-worker', action: 'CREATE', before: null, after: '', applied: false })

    const { applyPlan: applied } = await gql(`mutation($id: ID!) { applyPlan(id: $id) { status appliedBy } }`, { id: rejoin.id }, operator)
    expect(applied).toEqual({ status: 'APPLIED', appliedBy: 'operator' })
    expect(await kubectlRow('gpu-4')).toEqual({ status: 'Ready', roles: 'runai-gpu-worker' })

    // Ready again after an ordinary outage: the rejoin is done, nothing more to propose.
    cluster.sim.failNode('gpu-4')
    cluster.sim.recoverNode('gpu-4')
    await eventually(async () => expect(await audit({ node: 'gpu-4', action: 'node.ready' })).toHaveLength(1))
    expect(await plansFor('gpu-4', 'REJOIN')).toHaveLength(1)
  })

  it('proposes the REJOIN too when a decommissioned node\'s kubelet registers it again by itself', async () => {
    const { planDecommission: plan } = await gql(`mutation { planDecommission(input: {nodes: ["cpu-2"], reason: "CHG-8 reinstall"}) { id } }`, {}, operator)
    await gql(`mutation($id: ID!) { approvePlan(id: $id) { status } }`, { id: plan.id }, approver)
    expect((await gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id: plan.id }, operator)).applyPlan.status).toBe('APPLIED')
    await eventually(async () => expect(await kubectlRow('cpu-2')).toBeNull())

    cluster.sim.restartKubelet('cpu-2')
    const rejoin = await eventually(async () => {
      const found = await plansFor('cpu-2', 'REJOIN')
      expect(found).toHaveLength(1)
      return found[0]
    })
    expect(rejoin).toMatchObject({ status: 'PENDING', createdBy: 'system' })
    expect(rejoin.changes).toContainEqual({ address: 'node/cpu-2/label/node-role.kubernetes.io/runai-cpu-worker', action: 'CREATE', before: null, after: '', applied: false })
    await gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id: rejoin.id }, operator)
    expect(await kubectlRow('cpu-2')).toEqual({ status: 'Ready', roles: 'runai-cpu-worker' })
  })

  it('refuses a join with a wrong secret', async () => {
    const created = await issue({ ttl: 1 })
    const wrong = `${created.tokenIdInCommand}.${created.secret === '0123456789abcdef' ? 'fedcba9876543210' : '0123456789abcdef'}`
    const refused = await simJoin('gpu-9', wrong)
    expect(refused.status).toBe(401)
    expect(await kubectlRow('gpu-9')).toBeNull()
  })

  it('refuses a join once the token expired on the cluster\'s clock', async () => {
    const early = await issue({ ttl: 1 })
    const late = await issue({ ttl: 1 })
    cluster.sim.advance(3599)
    expect((await simJoin('gpu-10', early.token)).status, 'a second before expiry it still joins').toBe(201)
    cluster.sim.advance(2)
    const refused = await simJoin('gpu-9', late.token)
    expect(refused.status).toBe(401)
    // The cluster either says it expired or has already cleaned the token up, as kube-controller-manager does.
    expect(refused.body.message).toMatch(new RegExp(`expired|could not find a JWS signature .*"${late.tokenId}"`))
    expect(await kubectlRow('gpu-9')).toBeNull()
  })

  it('never writes a token secret to the database file or the logs, which do name the token ids', async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(4)
    const db = join(np.dir, 'nodeplan.db')
    const bytes = Buffer.concat([db, `${db}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)))
    const logs = np.logs.join('')
    for (const secret of secrets) {
      expect(bytes.includes(secret), 'secret in the database').toBe(false)
      expect(logs.includes(secret), 'secret in the logs').toBe(false)
    }
    for (const id of tokenIds) {
      expect(bytes.includes(id), `token id ${id} in the database`).toBe(true)
      expect(logs.includes(id), `token id ${id} in the logs`).toBe(true)
    }
  })
})
