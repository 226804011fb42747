// nodeplan nodes | plan | show | approve | apply | discard | rollback | history | join-command:
// parse → validate (args.ts) → run against a nodeplan server over GraphQL.
import { createInterface } from 'node:readline/promises'
import { parseOperatorArgs, type Command, type Connection } from './args.js'
import { GraphQLClient, GraphQLRequestError } from './graphql-client.js'
import { followProgress, type ProgressEvent } from './progress-client.js'
import { colourDiff, hasChanges, historyTable, nextStep, nodesTable, paint, planText, progressLine, type PlanView } from './render.js'

const PLAN_FIELDS = `id kind status reason createdBy createdAt approvedBy appliedBy appliedAt nodes stale warnings diff
  changes { address node resource action before after applied error }
  impact { nodes gpus readySystemNodesAfter automaticallyRescheduled { namespace name kind gpus } manualRelocation { namespace name kind gpus } }`

const MUTATION: Record<string, string> = {
  drain: 'planDrain',
  undrain: 'planUndrain',
  decommission: 'planDecommission',
  rejoin: 'planRejoin',
}

type Plan = PlanView & Record<string, unknown>

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
      term.stderr.write(`Error: ${err.message} (${err.code})\n`)
      return 1
    }
    throw err
  }
}

async function run(command: Command, conn: Connection, term: Terminal): Promise<number> {
  const api = new GraphQLClient(conn.url, conn.token)
  const json = conn.output === 'json'
  const out = (text: string) => term.stdout.write(text)
  const emit = (value: unknown) => out(`${JSON.stringify(value, null, 2)}\n`)

  switch (command.name) {
    case 'nodes': {
      // The table only counts workloads; JSON gets them whole.
      const workloads = json ? 'workloads { namespace name kind relocation project gpus pods }' : 'workloads { name }'
      const { nodes } = await api.request<{ nodes: any[] }>(
        `{ nodes { name ready unschedulable notReadySince roles draining gpus gpusInUse taints { key value effect } ${workloads} } }`,
      )
      json ? emit(nodes) : out(nodesTable(nodes))
      return 0
    }
    case 'plan': {
      const plan =
        command.kind === 'relabel'
          ? (await api.request<{ planRelabel: Plan }>(`mutation($input: PlanRelabelInput!) { planRelabel(input: $input) { ${PLAN_FIELDS} } }`, {
              input: { node: command.nodes[0], roles: command.roles, reason: command.reason },
            })).planRelabel
          : (await api.request<Record<string, Plan>>(`mutation($input: PlanNodesInput!) { ${MUTATION[command.kind]}(input: $input) { ${PLAN_FIELDS} } }`, {
              input: { nodes: command.nodes, reason: command.reason },
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
      const { auditEvents } = await api.request<{ auditEvents: { edges: { node: any }[] } }>(
        `query($filter: AuditFilter, $first: Int) { auditEvents(filter: $filter, first: $first) { edges { node { id at actor action planId node detail } } } }`,
        { filter: { node: command.node, planId: command.planId }, first: command.limit },
      )
      const events = auditEvents.edges.map((e) => e.node)
      json ? emit(events) : out(events.length > 0 ? historyTable(events) : 'No audit events match.\n')
      return 0
    }
    case 'join-command': {
      const { createJoinCommand } = await api.request<{ createJoinCommand: { command: string; tokenId: string; expiresAt: string } }>(
        `mutation($ttl: Int, $d: String) { createJoinCommand(ttlHours: $ttl, description: $d) { command tokenId expiresAt } }`,
        { ttl: command.ttlHours ?? 24, d: command.description },
      )
      json
        ? emit(createJoinCommand)
        : out(`${createJoinCommand.command}\n\n# token ${createJoinCommand.tokenId} expires at ${createJoinCommand.expiresAt}; it is shown only this once.\n`)
      return 0
    }
  }
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

async function apply(api: GraphQLClient, command: Extract<Command, { name: 'apply' }>, conn: Connection, term: Terminal): Promise<number> {
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
    printed.add(event.index)
    out(progressLine(event, conn.color))
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
    term.stdout.write(`${JSON.stringify(applied, null, 2)}\n`)
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
