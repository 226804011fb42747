// nodeplan nodes | plans | plan | show | approve | apply | discard | rollback | history | verify | join-command
// (rollouts: rollout.command.ts):
// parse → validate (args.ts) → run against a nodeplan server over GraphQL.
import { createInterface } from 'node:readline/promises'
import { parseOperatorArgs, type Command, type Connection as ServerConnection } from './args.js'
import { GraphQLClient, GraphQLRequestError } from './graphql-client.js'
import { followProgress, type ProgressEvent } from './progress-client.js'
import { safeJson, terminalSafe } from './terminal-text.js'
import { clustersTable, colourDiff, hasChanges, historyTable, morePages, nextStep, nodesTable, paint, plansTable, planText, progressLine, verifyText, type PlanView } from './render.js'

const PLAN_FIELDS = `id kind status reason createdBy createdAt approvedBy appliedBy appliedAt nodes stale needsApproval warnings diff rolloutId
  changes { address node resource action before after applied error }
  impact { nodes gpus readySystemNodesAfter nodesReturningToService gpusReturningToService automaticallyRescheduled { namespace name kind gpus } manualRelocation { namespace name kind gpus } }`

const MUTATION: Record<string, string> = {
  drain: 'planDrain',
  undrain: 'planUndrain',
  decommission: 'planDecommission',
  rejoin: 'planRejoin',
}

type Plan = PlanView & Record<string, unknown>

interface Connection<T> {
  totalCount: number
  pageInfo: { hasNextPage: boolean; endCursor: string | null }
  edges: { node: T }[]
}

export interface Terminal {
  stdout: NodeJS.WritableStream & { isTTY?: boolean }
  stderr: NodeJS.WritableStream
  stdin: NodeJS.ReadableStream & { isTTY?: boolean }
  env: NodeJS.ProcessEnv
}

const processTerminal = (): Terminal => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env })

export async function operatorCommand(name: string, argv: string[], term: Terminal = processTerminal()): Promise<number> {
  const parsed = parseOperatorArgs(name, argv, term.env, Boolean(term.stdout.isTTY))
  if ('help' in parsed) {
    term.stdout.write(parsed.help)
    return 0
  }
  if ('error' in parsed) {
    term.stderr.write(`nodeplan: ${parsed.error}\n`)
    return 1
  }
  try {
    return await run(parsed.command, parsed.connection, term)
  } catch (err) {
    if (err instanceof GraphQLRequestError) {
      term.stderr.write(`Error: ${terminalSafe(err.message)} (${terminalSafe(err.code)})\n`)
      return 1
    }
    throw err
  }
}

async function run(command: Command, conn: ServerConnection, term: Terminal): Promise<number> {
  const json = conn.output === 'json'
  const api = new GraphQLClient(conn.url, conn.token, { forTerminal: !json })
  const out = (text: string) => term.stdout.write(text)
  const emit = (value: unknown) => out(`${safeJson(value)}\n`)

  const cluster = conn.cluster
  switch (command.name) {
    case 'clusters': {
      const { clusters } = await api.request<{ clusters: any[] }>(
        '{ clusters { name reachable lastSyncedAt kubernetesVersion nodes ready notReady draining gpus gpusInService gpusOutOfService plansAwaitingApproval warnings } }',
      )
      json ? emit(clusters) : out(clustersTable(clusters))
      return 0
    }
    case 'nodes': {
      // The table only counts workloads; JSON gets them whole.
      const workloads = json ? 'workloads { namespace name kind relocation project gpus pods }' : 'workloads { name }'
      const { namePrefix, roles, labels, draining } = command.filter
      const filter = { namePrefix, roles: roles.length > 0 ? roles : null, labels: labels.length > 0 ? labels : null, draining }
      const { nodes } = await api.request<{ nodes: any[] }>(
        `query($filter: NodeFilter, $cluster: String) { nodes(filter: $filter, cluster: $cluster) { name cluster ready unschedulable notReadySince roles draining gpus gpusInUse taints { key value effect } ${json ? 'labels { key value }' : ''} ${workloads} } }`,
        { filter, cluster },
      )
      json ? emit(nodes) : out(nodes.length > 0 ? nodesTable(nodes) : 'No nodes match.\n')
      return 0
    }
    case 'plans':
      return plans(api, command, conn, term)
    case 'plan-rollout':
    case 'rollouts':
    case 'rollout': {
      const { rolloutCommand } = await import('./rollout.command.js')
      return rolloutCommand(command, conn, term)
    }
    case 'plan': {
      const plan =
        command.kind === 'relabel'
          ? (await api.request<{ planRelabel: Plan }>(`mutation($input: PlanRelabelInput!) { planRelabel(input: $input) { ${PLAN_FIELDS} } }`, {
              input: { node: command.nodes[0], roles: command.roles, reason: command.reason, cluster },
            })).planRelabel
          : (await api.request<Record<string, Plan>>(`mutation($input: PlanNodesInput!) { ${MUTATION[command.kind]}(input: $input) { ${PLAN_FIELDS} } }`, {
              input: { nodes: command.nodes, reason: command.reason, cluster },
            }))[MUTATION[command.kind]!]!
      json ? emit(plan) : out(`${colourDiff(plan.diff, conn.color)}${nextStep(plan)}`)
      return command.detailedExitCode && hasChanges(plan) ? 2 : 0
    }
    case 'rollback': {
      const { planRollback: plan } = await api.request<{ planRollback: Plan }>(
        `mutation($id: ID!, $reason: String!) { planRollback(planId: $id, reason: $reason) { ${PLAN_FIELDS} } }`,
        { id: command.id, reason: command.reason },
      )
      json ? emit(plan) : out(`${colourDiff(plan.diff, conn.color)}${nextStep(plan)}`)
      return command.detailedExitCode && hasChanges(plan) ? 2 : 0
    }
    case 'show': {
      const { plan } = await api.request<{ plan: Plan | null }>(`query($id: ID!) { plan(id: $id) { ${PLAN_FIELDS} } }`, { id: command.id })
      if (!plan) throw new GraphQLRequestError(`no plan with id "${command.id}"`, 'NOT_FOUND')
      json ? emit(plan) : out(planText(plan, conn.color))
      return 0
    }
    case 'approve':
    case 'discard': {
      const field = command.name === 'approve' ? 'approvePlan' : 'discardPlan'
      const result = await api.request<Record<string, Plan>>(`mutation($id: ID!) { ${field}(id: $id) { ${PLAN_FIELDS} } }`, { id: command.id })
      const plan = result[field]!
      json ? emit(plan) : out(`Plan ${plan.id} is ${plan.status}${command.name === 'approve' ? ` (approved by ${plan.approvedBy}). Apply it with: nodeplan apply ${plan.id}` : ''}.\n`)
      return 0
    }
    case 'apply':
      return apply(api, command, conn, term)
    case 'history': {
      const { node, planId, actor, action, since, until } = command
      const { auditEvents } = await api.request<{ auditEvents: Connection<any> }>(
        `query($filter: AuditFilter, $first: Int, $after: String) { auditEvents(filter: $filter, first: $first, after: $after) {
          totalCount pageInfo { hasNextPage endCursor } edges { node { id at actor action planId node detail } } } }`,
        { filter: { node, planId, actor, action, since: since?.toISOString() ?? null, until: until?.toISOString() ?? null, cluster }, first: command.limit, after: command.after },
      )
      const events = auditEvents.edges.map((e) => e.node)
      if (json) emit(events)
      else out((events.length > 0 ? historyTable(events) : 'No audit events match.\n') + morePages(auditEvents, events.length))
      return 0
    }
    case 'verify': {
      const { verifyAuditTrail } = await api.request<{ verifyAuditTrail: { ok: boolean; checked: number; firstBrokenId: string | null; firstBrokenAt: string | null; message: string | null } }>(
        '{ verifyAuditTrail { ok checked firstBrokenId firstBrokenAt message } }',
      )
      json ? emit(verifyAuditTrail) : out(verifyText(verifyAuditTrail, conn.color))
      return verifyAuditTrail.ok ? 0 : 1
    }
    case 'join-command': {
      const { createJoinCommand } = await api.request<{ createJoinCommand: { command: string; tokenId: string; expiresAt: string } }>(
        `mutation($ttl: Int, $d: String, $cluster: String) { createJoinCommand(ttlHours: $ttl, description: $d, cluster: $cluster) { command tokenId expiresAt } }`,
        { ttl: command.ttlHours ?? 24, d: command.description, cluster },
      )
      json
        ? emit(createJoinCommand)
        : out(`${createJoinCommand.command}\n\n# token ${createJoinCommand.tokenId} expires at ${createJoinCommand.expiresAt}; it is shown only this once.\n`)
      return 0
    }
  }
}

/** Plans by status; --awaiting-me keeps those the caller may approve now, over every PENDING page. */
async function plans(api: GraphQLClient, command: Extract<Command, { name: 'plans' }>, conn: ServerConnection, term: Terminal): Promise<number> {
  const query = `query($status: [PlanStatus!], $node: String, $first: Int, $after: String, $cluster: String) { plans(status: $status, node: $node, first: $first, after: $after, cluster: $cluster) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id kind status createdBy createdAt approvedBy nodes stale needsApproval awaitingMyApproval } } } }`
  const statuses = command.awaitingMe ? ['PENDING'] : command.statuses
  const found: any[] = []
  let after = command.after
  let page: Connection<any>
  for (;;) {
    ;({ plans: page } = await api.request<{ plans: Connection<any> }>(query, {
      status: statuses.length > 0 ? statuses : null,
      node: command.node,
      cluster: conn.cluster,
      first: command.awaitingMe ? 200 : command.limit,
      after,
    }))
    const items = page.edges.map((e) => e.node)
    found.push(...(command.awaitingMe ? items.filter((p) => p.awaitingMyApproval) : items))
    if (!command.awaitingMe || !page.pageInfo.hasNextPage || found.length >= command.limit) break
    after = page.pageInfo.endCursor
  }
  const shown = found.slice(0, command.limit)
  if (conn.output === 'json') {
    term.stdout.write(`${JSON.stringify(shown, null, 2)}\n`)
    return 0
  }
  const none = command.awaitingMe ? 'No plans await your approval.\n' : 'No plans match.\n'
  term.stdout.write(shown.length > 0 ? plansTable(shown) : none)
  if (!command.awaitingMe) term.stdout.write(morePages(page, shown.length))
  return 0
}

/** How long the live progress may lag behind the apply's answer before the CLI reads the plan instead. */
const PROGRESS_GRACE_MS = 5_000
/** How often the CLI reads a plan whose apply it lost the connection to. */
const PLAN_POLL_MS = 1_000
const FINAL = ['APPLIED', 'FAILED', 'DISCARDED']
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref())

/**
 * applyPlan; when the connection breaks mid-apply (the replica died, a balancer cut it), the plan
 * is read until it is final: another replica finishes it once the apply lease expires.
 */
async function applyOrFollow(api: GraphQLClient, id: string, term: Terminal): Promise<Plan> {
  try {
    return (await api.request<{ applyPlan: Plan }>(`mutation($id: ID!) { applyPlan(id: $id) { ${PLAN_FIELDS} } }`, { id })).applyPlan
  } catch (err) {
    if (!(err instanceof GraphQLRequestError) || err.code !== 'UNREACHABLE') throw err
    const read = async () => (await api.request<{ plan: Plan }>(`query($id: ID!) { plan(id: $id) { ${PLAN_FIELDS} } }`, { id })).plan
    let plan = await read().catch(() => null)
    // Not started: the request never arrived; say so as it was.
    if (!plan || (plan.status !== 'APPLYING' && !FINAL.includes(plan.status as string))) throw err
    term.stderr.write(`nodeplan: lost the connection during the apply (${err.message}); reading plan ${id} until it ends.\n`)
    while (!FINAL.includes(plan.status as string)) {
      await sleep(PLAN_POLL_MS)
      plan = (await read().catch(() => null)) ?? plan
    }
    return plan
  }
}

async function apply(api: GraphQLClient, command: Extract<Command, { name: 'apply' }>, conn: ServerConnection, term: Terminal): Promise<number> {
  const json = conn.output === 'json'
  const out = (text: string) => (json ? undefined : term.stdout.write(text))
  const { plan } = await api.request<{ plan: Plan | null }>(`query($id: ID!) { plan(id: $id) { ${PLAN_FIELDS} } }`, { id: command.id })
  if (!plan) throw new GraphQLRequestError(`no plan with id "${command.id}"`, 'NOT_FOUND')
  out(planText(plan, conn.color))

  if (!command.autoApprove) {
    if (!term.stdin.isTTY) {
      term.stderr.write('Error: stdin is not a terminal, so nobody can answer "yes"; pass --auto-approve to apply without asking.\n')
      return 1
    }
    out(`\n${paint('Do you want to perform these actions?', 'bold', conn.color)}\n  nodeplan will perform the actions described above.\n  Only 'yes' will be accepted to approve.\n\n`)
    const rl = createInterface({ input: term.stdin, output: term.stdout })
    const answer = await rl.question(`  ${paint('Enter a value:', 'bold', conn.color)} `).catch(() => '')
    rl.close()
    if (answer.trim() !== 'yes') {
      term.stderr.write('\nError: Apply cancelled.\n')
      return 1
    }
    out('\n')
  }

  const printed = new Set<number>()
  const show = (event: ProgressEvent) => {
    if (printed.has(event.index)) return
    // A retry is told as it happens; the change's outcome still follows.
    if (event.retrying == null) printed.add(event.index)
    out(progressLine(terminalSafe(event), conn.color))
  }
  const follower = followProgress(conn.url, conn.token, plan.id, show)
  let applied: Plan
  try {
    applied = await applyOrFollow(api, plan.id, term)
    // The plan is final: the subscription completes as soon as its replica reads that. One that does
    // not (a replica gone, a balancer holding the socket) is not waited for.
    const settled = await Promise.race([follower.done.then(() => true), sleep(PROGRESS_GRACE_MS).then(() => false)])
    if (!settled) term.stderr.write(`nodeplan: live progress stalled; the changes below are read from plan ${plan.id}.\n`)
  } finally {
    await follower.stop()
  }
  // Whatever the subscription did not deliver (it failed, stalled, or the socket was refused), from the final plan.
  const changes = applied.changes as unknown as ProgressEvent['change'][]
  changes.forEach((change, index) => {
    if (change.action !== 'NO_OP' && (change.applied || change.error)) show({ planId: plan.id, index, change })
  })
  if (json) {
    term.stdout.write(`${safeJson(applied)}\n`)
  } else {
    const ok = changes.filter((c) => c.applied).length
    const failed = changes.filter((c) => c.error).length
    out(
      applied.status === 'APPLIED'
        ? `\n${paint('Apply complete!', 'green', conn.color)} Changes: ${ok} applied, ${failed} failed. Plan ${applied.id} is APPLIED.\n`
        : `\n${paint('Apply failed.', 'red', conn.color)} Changes: ${ok} applied, ${failed} failed. Plan ${applied.id} is ${applied.status}; see nodeplan show ${applied.id}.\n`,
    )
  }
  return applied.status === 'APPLIED' ? 0 : 1
}
