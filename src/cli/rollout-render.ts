// Rollouts for the terminal: the status page, the list, the live lines. Pure functions of data.
import { clusterTable, paint, table } from './render.js'

export interface RolloutNodeView {
  name: string
  pool: string | null
  stage: string
  gpus: number
  maintenanceDoneBy: string | null
  error: string | null
}

export interface WaveGuardView {
  nodesOut: number
  maxUnavailable: number
  gpusInService: number
  minGpusInService: number
  readySystemNodes: number
  pools: { pool: string; gpusInService: number; minGpusInService: number | null }[]
  satisfied: boolean
  reason: string | null
}

export interface RolloutWaveView {
  index: number
  status: string
  nodes: RolloutNodeView[]
  impact: { gpus: number; automaticallyRescheduled: unknown[]; manualRelocation: unknown[] }
  guard: WaveGuardView
  startedAt: string | null
  finishedAt: string | null
}

export interface RolloutView {
  id: string
  status: string
  reason: string
  createdBy: string
  createdAt: string
  approvedBy: string | null
  needsApproval: boolean
  startedAt: string | null
  finishedAt: string | null
  drainMode: string
  drainTimeoutSeconds: number
  maxUnavailable: number
  minGpusInService: number
  poolLabel: string
  notBefore: string | null
  window: { cron: string; durationMinutes: number; timeZone: string; nextOpensAt: string | null; open: boolean } | null
  waves: RolloutWaveView[]
  currentWave: number | null
  waitingFor: string | null
  error: string | null
  leftDrained: string[]
  forecast: { drainSeconds: number; maintenanceSeconds: number; samples: number; remainingSeconds: number; endsAt: string | null }
  warnings: string[]
}

export const FINAL_ROLLOUT = ['COMPLETED', 'FAILED', 'ABORTED', 'DISCARDED']

const STATUS_COLOUR: Record<string, 'green' | 'red' | 'yellow' | undefined> = { COMPLETED: 'green', DONE: 'green', FAILED: 'red', ABORTED: 'red', PAUSED: 'yellow' }
const coloured = (status: string, colour: boolean) => (STATUS_COLOUR[status] ? paint(status, STATUS_COLOUR[status]!, colour) : status)

/** Waves are numbered from 1 as listed; `currentWave` names a wave by its index. Null when none is current. */
export function wavePosition(r: { status: string; currentWave: number | null; waves: { index: number }[] }): number | null {
  if (r.currentWave == null || FINAL_ROLLOUT.includes(r.status)) return null
  const at = r.waves.findIndex((w) => w.index === r.currentWave)
  return at < 0 ? null : at + 1
}

/** 90 → "1m 30s", 7260 → "2h 1m". */
export function duration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds))
  const d = Math.floor(s / 86_400)
  const h = Math.floor((s % 86_400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  const parts = d ? [`${d}d`, h && `${h}h`] : h ? [`${h}h`, m && `${m}m`] : m ? [`${m}m`, s % 60 && `${s % 60}s`] : [`${s}s`]
  return parts.filter(Boolean).join(' ')
}

/** One wave's guard figures in a line: "2/4 out, 312 GPUs in service (floor 256), 3 Ready system nodes; pool a100 96 (floor 64)". */
export function guardLine(g: WaveGuardView): string {
  const pools = g.pools.map((p) => `${p.pool} ${p.gpusInService}${p.minGpusInService != null ? ` (floor ${p.minGpusInService})` : ''}`)
  const main = `${g.nodesOut}/${g.maxUnavailable} out, ${g.gpusInService} GPUs in service (floor ${g.minGpusInService}), ${g.readySystemNodes} Ready system node${g.readySystemNodes === 1 ? '' : 's'}`
  return pools.length > 0 ? `${main}; pools: ${pools.join(', ')}` : main
}

function headline(r: RolloutView, colour: boolean): string {
  const total = r.waves.length
  const at = wavePosition(r)
  const wave = at !== null ? ` (wave ${at} of ${total})` : ` (${total} wave${total === 1 ? '' : 's'})`
  const nodes = r.waves.reduce((n, w) => n + w.nodes.length, 0)
  const who = [
    `created by ${r.createdBy} at ${r.createdAt}`,
    r.approvedBy && `approved by ${r.approvedBy}`,
    r.startedAt && `started at ${r.startedAt}`,
    r.finishedAt && `finished at ${r.finishedAt}`,
  ].filter(Boolean)
  return `Rollout ${paint(r.id, 'bold', colour)}: ${coloured(r.status, colour)}${wave}, ${nodes} node${nodes === 1 ? '' : 's'} — "${r.reason}"\n  ${who.join(', ')}.\n`
}

function settings(r: RolloutView): string {
  const drain = r.drainMode === 'GRACEFUL' ? `graceful (waits up to ${duration(r.drainTimeoutSeconds)} for training workloads)` : 'immediate (runai=drain:NoExecute)'
  const lines = [`  Guard: at most ${r.maxUnavailable} out of service at once, at least ${r.minGpusInService} GPUs in service; pools by ${r.poolLabel}.`, `  Drain: ${drain}.`]
  if (r.notBefore) lines.push(`  Not before: ${r.notBefore}.`)
  if (r.window) {
    const state = r.window.open ? 'open now' : r.window.nextOpensAt ? `next opens at ${r.window.nextOpensAt}` : 'closed'
    lines.push(`  Window: "${r.window.cron}" (${r.window.timeZone}) for ${duration(r.window.durationMinutes * 60)}; ${state}.`)
  }
  return `${lines.join('\n')}\n`
}

export function forecastLine(f: RolloutView['forecast'], status: string): string {
  if (FINAL_ROLLOUT.includes(status)) return ''
  const basis = f.samples > 0 ? `measured from ${f.samples} node${f.samples === 1 ? '' : 's'}` : 'defaults: no rollout measured yet'
  const ends = f.endsAt ? `; expected to end at ${f.endsAt}` : ''
  return `Forecast: ${duration(f.remainingSeconds)} of work left (per node: drain ${duration(f.drainSeconds)}, maintenance ${duration(f.maintenanceSeconds)}; ${basis})${ends}.\n`
}

function waveBlock(w: RolloutWaveView, position: number, colour: boolean): string {
  const when = [w.startedAt && `started ${w.startedAt}`, w.finishedAt && `finished ${w.finishedAt}`].filter(Boolean).join(', ')
  const guard = `${w.guard.satisfied ? 'guard' : paint('guard holds it back', 'red', colour)}: ${guardLine(w.guard)}${w.guard.reason ? ` — ${w.guard.reason}` : ''}`
  const killed = w.impact.manualRelocation.length
  const impact = `impact: ${w.impact.gpus} GPUs out, ${w.impact.automaticallyRescheduled.length} rescheduled, ${killed} killed`
  const rows = w.nodes.map((n) => [n.name, n.pool ?? '-', String(n.gpus), coloured(n.stage, colour), n.maintenanceDoneBy ?? '-', n.error ?? ''])
  const nodes = table(['NODE', 'POOL', 'GPUS', 'STAGE', 'DONE-BY', 'ERROR'], rows)
    .split('\n')
    .map((l) => (l ? `    ${l}` : l))
    .join('\n')
  return `Wave ${position}: ${coloured(w.status, colour)}${when ? ` (${when})` : ''}\n  ${guard}\n  ${impact}\n${nodes}`
}

/** What the person can do next, by status. */
export function rolloutNextStep(r: RolloutView): string {
  switch (r.status) {
    case 'PENDING':
      return r.needsApproval
        ? `Awaiting approval: someone other than ${r.createdBy}, with the approver role, runs\n    nodeplan rollout approve ${r.id}\nthen, to start it:\n    nodeplan rollout start ${r.id}\n`
        : `To start it (it then waits for its time and window by itself), run:\n    nodeplan rollout start ${r.id}\n`
    case 'APPROVED':
      return `To start it, run:\n    nodeplan rollout start ${r.id}\n`
    case 'PAUSED':
      return `Resume with: nodeplan rollout resume ${r.id}\n${maintenanceHint(r)}`
    case 'RUNNING':
    case 'SCHEDULED':
      return maintenanceHint(r)
    default:
      return ''
  }
}

/** The nodes handed over for maintenance now, and how to say each is done. */
function maintenanceHint(r: RolloutView): string {
  const nodes = r.waves.flatMap((w) => w.nodes).filter((n) => n.stage === 'IN_MAINTENANCE').map((n) => n.name)
  if (nodes.length === 0) return ''
  return `In maintenance: ${nodes.join(', ')}. When a node's maintenance is done, run:\n    nodeplan rollout complete ${r.id} ${nodes[0]}\n`
}

/** `nodeplan rollout status`: who and where, the settings, what it waits for, every wave, the forecast. */
export function rolloutText(r: RolloutView, colour: boolean): string {
  const parts = [headline(r, colour), settings(r)]
  if (r.waitingFor) parts.push(`${paint('Waiting for:', 'yellow', colour)} ${r.waitingFor}\n`)
  if (r.error) parts.push(`${paint('Error:', 'red', colour)} ${r.error}\n`)
  if (r.leftDrained.length > 0) parts.push(`${paint('Left drained:', 'red', colour)} ${r.leftDrained.join(', ')}\n`)
  for (const w of r.warnings) parts.push(`${paint('Warning:', 'yellow', colour)} ${w}\n`)
  parts.push('\n', r.waves.map((w, i) => waveBlock(w, i + 1, colour)).join('\n'), '\n')
  const forecast = forecastLine(r.forecast, r.status)
  if (forecast) parts.push(forecast)
  const next = rolloutNextStep(r)
  if (next) parts.push(`\n${next}`)
  return parts.join('')
}

/** After an abort or a failure: the nodes left drained and how to bring them back. */
export function leftDrainedText(r: RolloutView): string {
  if (r.leftDrained.length === 0) return 'No node was left drained.\n'
  const names = r.leftDrained.join(' ')
  return `Left drained: ${r.leftDrained.join(', ')}. They stay out of service until undrained:\n    nodeplan plan undrain ${names} --reason "after rollout ${r.id}"\n`
}

export interface RolloutRow {
  id: string
  cluster?: string
  status: string
  reason: string
  createdBy: string
  createdAt: string
  currentWave: number | null
  waitingFor: string | null
  waves: { index: number; nodes: unknown[] }[]
}

export function rolloutsTable(rows: RolloutRow[]): string {
  return clusterTable(
    ['ID', 'STATUS', 'WAVE', 'NODES', 'WAITING-FOR', 'CREATED', 'BY'],
    rows.map((r) => [
      r.id,
      r.status,
      `${wavePosition(r) ?? '-'}/${r.waves.length}`,
      String(r.waves.reduce((n, w) => n + w.nodes.length, 0)),
      r.waitingFor ?? '-',
      r.createdAt,
      r.createdBy,
    ]),
    rows.map((r) => r.cluster),
  )
}

/** What changed between two readings of a rollout, one line each, for --watch. */
export function rolloutChanges(before: RolloutView | null, after: RolloutView, colour: boolean): string[] {
  const lines: string[] = []
  if (!before || before.status !== after.status) lines.push(`rollout ${after.id}: ${coloured(after.status, colour)}${after.error ? `: ${after.error}` : ''}`)
  const oldWaves = new Map((before?.waves ?? []).map((w) => [w.index, w]))
  for (const [i, wave] of after.waves.entries()) {
    const old = oldWaves.get(wave.index)
    if (before && old?.status !== wave.status) lines.push(`wave ${i + 1}: ${coloured(wave.status, colour)}`)
    const oldNodes = new Map((old?.nodes ?? []).map((n) => [n.name, n]))
    for (const node of wave.nodes) {
      const was = oldNodes.get(node.name)
      if (!before || was?.stage === node.stage) continue
      const by = node.stage === 'CHECKING' && node.maintenanceDoneBy ? ` (maintenance done by ${node.maintenanceDoneBy})` : ''
      lines.push(`wave ${i + 1} ${node.name}: ${coloured(node.stage, colour)}${by}${node.error ? `: ${node.error}` : ''}`)
    }
  }
  if (after.waitingFor && after.waitingFor !== before?.waitingFor) lines.push(`waiting for: ${after.waitingFor}`)
  return lines
}
