// A plan as text, the way `terraform plan` shows one. Reads the model only; symbols live here.
import { DRAIN_TAINT, type Taint } from './cluster.js'
import { formatTaint, taintId } from './change.js'
import { DRAIN_ANNOTATION_KEYS, drainAnnotationEffect } from './drain-annotations.js'
import type { Change, ChangeAction, ChangeProgress, PlanDraft, Workload } from './plan.js'
import { escapeUnsafe } from './unsafe-text.js'

export type DiffInput = Pick<PlanDraft, 'kind' | 'nodes' | 'impact' | 'warnings' | 'reason'> & {
  changes: readonly (Change & Partial<ChangeProgress>)[]
}

const SYMBOL: Record<ChangeAction, string> = { CREATE: '+', UPDATE: '~', DELETE: '-', NO_OP: ' ' }

/**
 * What the summary counts. Removing a taint or a label is not destroying anything in an
 * operator's eyes (an undrain removes the drain taint): only a node deletion is "destroy".
 */
type Tally = 'add' | 'change' | 'remove' | 'destroy'
const tallyOf = (change: Change): Tally | null =>
  change.action === 'CREATE' ? 'add'
  : change.action === 'UPDATE' ? 'change'
  : change.action === 'DELETE' ? (change.resource === 'NODE' ? 'destroy' : 'remove')
  : null
const LEGEND: [Tally, string, string][] = [
  ['add', '+', 'create'],
  ['change', '~', 'update in-place'],
  ['remove', '-', 'remove (a taint or label)'],
  ['destroy', '-', 'destroy'],
]

const removesDrain = (change: Change): boolean =>
  change.resource === 'TAINT' && change.action === 'DELETE' && taintId(change.target) === taintId(DRAIN_TAINT)

/** Plain text: the CLI colours its symbols for a terminal (cli/render.ts colourDiff). */
export function renderDiff(plan: DiffInput): string {
  const lines: string[] = [`nodeplan ${plan.kind} plan for ${count(plan.nodes.length, 'node')}: ${plan.nodes.join(', ')}`, `Reason: ${escapeUnsafe(plan.reason)}`, '']
  const counts: Record<Tally, number> = { add: 0, change: 0, remove: 0, destroy: 0 }
  for (const change of plan.changes) {
    const tally = tallyOf(change)
    if (tally) counts[tally]++
  }
  const changing = counts.add + counts.change + counts.remove + counts.destroy

  if (changing > 0) {
    lines.push('Resource actions are indicated with the following symbols:')
    for (const [tally, symbol, meaning] of LEGEND) if (counts[tally] > 0) lines.push(`  ${symbol} ${meaning}`)
    lines.push('', 'nodeplan will perform the following actions:', '')
    for (const node of plan.nodes) {
      const own = plan.changes.filter((c) => c.node === node)
      if (own.length === 0) continue
      const destroyed = own.some((c) => c.resource === 'NODE' && c.action === 'DELETE')
      const updated = own.some((c) => c.action !== 'NO_OP')
      const [symbol, what] =
        destroyed ? ['-', 'will be destroyed']
        : own.some(removesDrain) ? ['~', 'returns to service (drain taint removed)']
        : updated ? ['~', 'will be updated in-place']
        : [' ', 'has no changes']
      lines.push(`  # node/${node} ${what}`, `  ${symbol} node "${node}" {`)
      for (const change of own) lines.push(...changeLines(change))
      lines.push('    }', '')
    }
    lines.push('Impact:', ...impactLines(plan.impact), '')
  }
  for (const warning of plan.warnings) lines.push(`Warning: ${warning}`, '')
  lines.push(changing > 0 ? summaryLine(counts, plan.impact) : 'No changes. Your cluster matches the plan.')
  return `${lines.join('\n')}\n`
}

function changeLines(change: Change & Partial<ChangeProgress>): string[] {
  const symbol = SYMBOL[change.action]
  const lead = `      ${symbol} `
  const note = change.action === 'NO_OP' ? (change.reason === 'CHANGED_SINCE' ? ' # changed since; left alone' : ' # already done') : ''
  const failed = change.error ? [`          # failed: ${change.error}`] : []
  if (change.resource === 'NODE') {
    const labels = Object.entries(change.before?.labels ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    return [
      `${lead}node "${change.node}"${change.action === 'DELETE' ? ' -> null' : ''}`,
      ...(labels.length > 0 ? [`          # kept for rejoin: ${labels.join(', ')}`] : []),
      ...failed,
    ]
  }
  const [name, before, after] =
    change.resource === 'TAINT'
      ? [`taint "${taintId(change.target)}"`, taintValue(change.before), taintValue(change.after)]
      : [`label "${change.target.key}"`, labelValue(change.before), labelValue(change.after)]
  const shown = change.action === 'CREATE' || change.action === 'NO_OP' ? after : `${before} -> ${after}`
  return [`${lead}${name} = ${shown}${note}`, ...annotationNote(change), ...failed]
}

/** The annotations a drain taint brings or takes away (their values are known at apply). */
function annotationNote(change: Change): string[] {
  const effect = drainAnnotationEffect(change)
  if (effect === 'set') return [`          # with annotations ${DRAIN_ANNOTATION_KEYS.join(', ')} (plan, who, why, since when)`]
  if (effect === 'remove') return [`          # removing annotations ${DRAIN_ANNOTATION_KEYS.join(', ')}`]
  return []
}

const taintValue = (v: Taint | null): string => (v === null ? 'null' : JSON.stringify(formatTaint(v)))
const labelValue = (v: string | null): string => (v === null ? 'null' : JSON.stringify(v))

/** "Plan: 0 to add, 0 to change, 4 to remove, 0 to destroy. 4 nodes (32 GPUs) return to service." */
function summaryLine(counts: Record<Tally, number>, impact: DiffInput['impact']): string {
  const remove = counts.remove > 0 ? ` ${counts.remove} to remove,` : ''
  const line = `Plan: ${counts.add} to add, ${counts.change} to change,${remove} ${counts.destroy} to destroy.`
  const back = impact.nodesReturningToService
  if (back === 0) return line
  return `${line} ${count(back, 'node')} (${count(impact.gpusReturningToService, 'GPU')}) ${back === 1 ? 'returns' : 'return'} to service.`
}

function impactLines(impact: DiffInput['impact']): string[] {
  const workload = (w: Workload): string =>
    `    ${w.namespace}/${w.name} (${w.kind}, project ${w.project ?? 'none'}, ${count(w.gpus, 'GPU')}, ${count(w.pods, 'pod')})`
  const back = impact.nodesReturningToService
  const returning = back > 0 ? [`  Nodes back in service:     ${back}`, `  GPUs back in service:      ${impact.gpusReturningToService}`] : []
  // An undrain takes nothing out: its impact is what comes back.
  if (back > 0 && impact.nodes === 0) return [...returning, `  Ready system nodes after:  ${impact.readySystemNodesAfter}`]
  return [
    ...returning,
    `  Nodes out of service:      ${impact.nodes}`,
    `  GPUs out of service:       ${impact.gpus}`,
    `  Rescheduled automatically: ${count(impact.automaticallyRescheduled.length, 'workload')}`,
    ...impact.automaticallyRescheduled.map(workload),
    `  Manual relocation needed:  ${count(impact.manualRelocation.length, 'workload')}`,
    ...impact.manualRelocation.map(workload),
    `  Ready system nodes after:  ${impact.readySystemNodesAfter}`,
  ]
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`
