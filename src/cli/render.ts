// Text for the terminal: tables, colours, plans, progress lines. Pure functions of data.

const ANSI = { green: '\x1b[32m', red: '\x1b[31m', yellow: '\x1b[33m', bold: '\x1b[1m', reset: '\x1b[0m' }
type Colour = keyof typeof ANSI

export function paint(text: string, colour: Colour, on: boolean): string {
  return on ? `${ANSI[colour]}${text}${ANSI.reset}` : text
}

/** Columns padded to their widest cell, separated by three spaces, as kubectl prints them. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('   ').trimEnd()
  return [line(header), ...rows.map(line)].join('\n') + '\n'
}

const SYMBOL_COLOUR: Record<string, Colour> = { '+': 'green', '-': 'red', '~': 'yellow' }

/** The server's diff text with its + - ~ symbols coloured, as terraform plan shows them. */
export function colourDiff(diff: string, on: boolean): string {
  if (!on) return diff
  return diff
    .split('\n')
    .map((line) => {
      const m = /^(\s+)([+~-])( .*)$/.exec(line)
      if (m) return `${m[1]}${paint(m[2]!, SYMBOL_COLOUR[m[2]!]!, true)}${m[3]}`
      if (line.startsWith('Warning:')) return `${paint('Warning:', 'yellow', true)}${line.slice('Warning:'.length)}`
      return line
    })
    .join('\n')
}

export interface NodeRow {
  name: string
  ready: boolean
  unschedulable: boolean
  roles: string[]
  draining: boolean
  gpus: number
  gpusInUse: number
  workloads: unknown[]
}

const ROLE_NAMES: Record<string, string> = { SYSTEM: 'system', GPU_WORKER: 'gpu-worker', CPU_WORKER: 'cpu-worker' }

export function nodesTable(nodes: (NodeRow & { cluster?: string })[]): string {
  return clusterTable(NODE_COLUMNS, nodesRows(nodes), nodes.map((n) => n.cluster))
}

/** With rows of several clusters, a CLUSTER column comes first. */
export function clusterTable(headers: string[], rows: string[][], clusters: (string | undefined)[]): string {
  return new Set(clusters).size > 1 ? table(['CLUSTER', ...headers], rows.map((row, i) => [clusters[i] ?? '', ...row])) : table(headers, rows)
}

const NODE_COLUMNS = ['NAME', 'STATUS', 'ROLES', 'DRAINING', 'GPUS', 'WORKLOADS']

export interface ClusterRow {
  name: string
  reachable: boolean
  lastSyncedAt: string | null
  kubernetesVersion: string | null
  nodes: number
  notReady: number
  draining: number
  gpusInService: number
  gpusOutOfService: number
  plansAwaitingApproval: number
}

export function clustersTable(clusters: ClusterRow[]): string {
  return table(
    ['NAME', 'REACHABLE', 'NODES', 'NOTREADY', 'DRAINING', 'GPUS IN/OUT', 'AWAITING-APPROVAL', 'VERSION'],
    clusters.map((c) => [
      c.name,
      c.reachable ? 'yes' : `no (last heard ${c.lastSyncedAt ?? 'never'})`,
      String(c.nodes),
      String(c.notReady),
      String(c.draining),
      `${c.gpusInService}/${c.gpusOutOfService}`,
      String(c.plansAwaitingApproval),
      c.kubernetesVersion ?? '-',
    ]),
  )
}

function nodesRows(nodes: NodeRow[]): string[][] {
  return nodes.map((n) => [
      n.name,
      (n.ready ? 'Ready' : 'NotReady') + (n.unschedulable ? ',SchedulingDisabled' : ''),
      n.roles.length > 0 ? n.roles.map((r) => ROLE_NAMES[r] ?? r.toLowerCase()).join(',') : '<none>',
      n.draining ? 'yes' : 'no',
      `${Number.isInteger(n.gpusInUse) ? n.gpusInUse : n.gpusInUse.toFixed(1)}/${n.gpus}`,
      String(n.workloads.length),
    ])
}

export interface PlanView {
  id: string
  kind: string
  status: string
  createdBy: string
  approvedBy: string | null
  appliedBy: string | null
  stale: boolean
  /** Policy makes a second person approve plans of this kind (absent from servers older than this CLI). */
  needsApproval?: boolean
  /** The rollout this plan is a wave of, if any. */
  rolloutId?: string | null
  diff: string
  changes: { action: string }[]
}

export const hasChanges = (plan: Pick<PlanView, 'changes'>) => plan.changes.some((c) => c.action !== 'NO_OP')

/** A plan as `nodeplan show` prints it: the diff, then who and where it stands. */
export function planText(plan: PlanView, colour: boolean): string {
  const who = [`created by ${plan.createdBy}`, plan.approvedBy && `approved by ${plan.approvedBy}`, plan.appliedBy && `applied by ${plan.appliedBy}`].filter(Boolean).join(', ')
  const stale = plan.stale ? `\n${paint('Stale:', 'red', colour)} the cluster changed since this plan was made; discard it (nodeplan discard ${plan.id}) and plan again.` : ''
  const awaiting =
    plan.needsApproval && plan.status === 'PENDING' ? `\nAwaiting approval: someone other than ${plan.createdBy} runs nodeplan approve ${plan.id}.` : ''
  const rollout = plan.rolloutId ? `\nA wave of rollout ${plan.rolloutId}: nodeplan rollout status ${plan.rolloutId}` : ''
  return `${colourDiff(plan.diff, colour)}\nPlan ${paint(plan.id, 'bold', colour)}: ${plan.kind}, ${plan.status} (${who}).${awaiting}${stale}${rollout}\n`
}

/** What to run next after planning, as terraform plan suggests terraform apply; says whether approval comes first. */
export function nextStep(plan: PlanView): string {
  if (!hasChanges(plan)) return plan.status === 'NO_CHANGES' ? `\nNothing to apply: the plan is kept as ${plan.id} (NO_CHANGES) for the record.\n` : ''
  const saved = `\nSaved the plan as ${plan.id}.`
  if (plan.needsApproval === false) return `${saved} It needs no approval. To perform exactly these actions, run:\n    nodeplan apply ${plan.id}\n`
  if (plan.needsApproval === true) {
    return `${saved} It needs approval before it can be applied: someone other than ${plan.createdBy}, with the approver role, runs\n    nodeplan approve ${plan.id}\nthen, to perform exactly these actions:\n    nodeplan apply ${plan.id}\n`
  }
  return `${saved} To perform exactly these actions, run:\n    nodeplan apply ${plan.id}\n(plans that policy says need approval are approved first: nodeplan approve ${plan.id}, by someone else)\n`
}

export function progressLine(
  event: { change: { address: string; applied: boolean; error: string | null }; retrying?: string | null; attempt?: number | null; retryingUntil?: string | null },
  colour: boolean,
): string {
  if (event.retrying != null && !event.change.applied && event.change.error === null) {
    // The writer's attempts are bounded by a deadline, not a count: say when it gives up.
    const until = event.retryingUntil ? `, giving up at ${event.retryingUntil}` : ''
    return `${event.change.address}: ${paint('retrying', 'yellow', colour)} (attempt ${event.attempt ?? '?'}${until}): ${event.retrying}\n`
  }
  return event.change.applied
    ? `${event.change.address}: ${paint('applied', 'green', colour)}\n`
    : `${event.change.address}: ${paint('failed', 'red', colour)}: ${event.change.error ?? 'unknown error'}\n`
}

export interface AuditRow {
  at: string
  actor: string
  action: string
  planId: string | null
  node: string | null
  detail: Record<string, unknown> | null
}

export function historyTable(events: AuditRow[]): string {
  return table(
    ['TIME', 'ACTOR', 'ACTION', 'PLAN', 'NODE', 'DETAIL'],
    events.map((e) => [e.at, e.actor, e.action, e.planId ?? '-', e.node ?? '-', detailText(e.detail)]),
  )
}

/**
 * An event's detail in full, as key=value pairs: a string with spaces in double quotes (its
 * backslashes as they are: terminalSafe's escapes must read as sent), lists of names joined by
 * commas, anything else as JSON.
 */
export function detailText(detail: Record<string, unknown> | null): string {
  if (!detail) return ''
  const value = (v: unknown): string =>
    typeof v === 'string' ? (v === '' || /[\s"]/.test(v) ? `"${v.replace(/"/g, '\\"')}"` : v)
    : Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') ? v.join(',')
    : JSON.stringify(v)
  return Object.entries(detail)
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ')
}

export interface PlanRow {
  id: string
  kind: string
  status: string
  createdBy: string
  createdAt: string
  approvedBy: string | null
  nodes: string[]
  stale: boolean
  needsApproval: boolean
  awaitingMyApproval: boolean
}

/** Long node lists are cut to the first few and a count: the plan itself has them all. */
const nodeList = (nodes: string[]): string => (nodes.length <= 3 ? nodes.join(',') : `${nodes.slice(0, 3).join(',')} +${nodes.length - 3} more`)

export function plansTable(plans: PlanRow[]): string {
  const approval = (p: PlanRow): string =>
    p.approvedBy ? `approved by ${p.approvedBy}`
    : !p.needsApproval ? 'not needed'
    : p.status !== 'PENDING' ? '-'
    : p.awaitingMyApproval ? 'awaiting you'
    : 'awaiting approval'
  return table(
    ['ID', 'KIND', 'STATUS', 'NODES', 'CREATED', 'BY', 'APPROVAL'],
    plans.map((p) => [p.id, p.kind, p.status + (p.stale ? ' (stale)' : ''), nodeList(p.nodes), p.createdAt, p.createdBy, approval(p)]),
  )
}

/** The line after a page that has more: how many there are and the --after that continues. */
export function morePages(page: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null } }, shown: number): string {
  if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return ''
  return `\nShowing ${shown} of ${page.totalCount}. For the next page, run the same command with --after ${page.pageInfo.endCursor}\n`
}

export function verifyText(result: { ok: boolean; checked: number; message: string | null }, colour: boolean): string {
  return result.ok
    ? `${paint('Audit trail intact:', 'green', colour)} ${result.checked} events checked, every link of the hash chain holds.\n`
    : `${paint('Audit trail broken:', 'red', colour)} ${result.message ?? 'a link does not hold'}\n`
}
