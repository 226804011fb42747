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

export function nodesTable(nodes: NodeRow[]): string {
  return table(
    ['NAME', 'STATUS', 'ROLES', 'DRAINING', 'GPUS', 'WORKLOADS'],
    nodes.map((n) => [
      n.name,
      (n.ready ? 'Ready' : 'NotReady') + (n.unschedulable ? ',SchedulingDisabled' : ''),
      n.roles.length > 0 ? n.roles.map((r) => ROLE_NAMES[r] ?? r.toLowerCase()).join(',') : '<none>',
      n.draining ? 'yes' : 'no',
      `${Number.isInteger(n.gpusInUse) ? n.gpusInUse : n.gpusInUse.toFixed(1)}/${n.gpus}`,
      String(n.workloads.length),
    ]),
  )
}

export interface PlanView {
  id: string
  kind: string
  status: string
  createdBy: string
  approvedBy: string | null
  appliedBy: string | null
  stale: boolean
  diff: string
  changes: { action: string }[]
}

export const hasChanges = (plan: Pick<PlanView, 'changes'>) => plan.changes.some((c) => c.action !== 'NO_OP')

/** A plan as `nodeplan show` prints it: the diff, then who and where it stands. */
export function planText(plan: PlanView, colour: boolean): string {
  const who = [`created by ${plan.createdBy}`, plan.approvedBy && `approved by ${plan.approvedBy}`, plan.appliedBy && `applied by ${plan.appliedBy}`].filter(Boolean).join(', ')
  const stale = plan.stale ? `\n${paint('Stale:', 'red', colour)} the cluster changed since this plan was made; discard it and plan again.` : ''
  return `${colourDiff(plan.diff, colour)}\nPlan ${paint(plan.id, 'bold', colour)}: ${plan.kind}, ${plan.status} (${who}).${stale}\n`
}

/** What to run next after planning, as terraform plan suggests terraform apply. */
export function nextStep(plan: PlanView): string {
  if (!hasChanges(plan)) return ''
  return `\nSaved the plan as ${plan.id}. To perform exactly these actions, run:\n    nodeplan apply ${plan.id}\n(plans that policy says need approval are approved first: nodeplan approve ${plan.id}, by someone else)\n`
}

export function progressLine(event: { change: { address: string; applied: boolean; error: string | null } }, colour: boolean): string {
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
    events.map((e) => [e.at, e.actor, e.action, e.planId ?? '-', e.node ?? '-', summary(e.detail)]),
  )
}

function summary(detail: Record<string, unknown> | null): string {
  if (!detail) return ''
  const text = Object.entries(detail)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ')
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}
