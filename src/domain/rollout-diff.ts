// A rollout as text, wave by wave, the way `terraform plan` shows a plan (see diff.ts): each wave's
// changes and impact, and the guard's figures while its nodes are out. Reads the model only.
import { formatTaint } from './change.js'
import { DRAIN_TAINT } from './cluster.js'
import { count } from './drain-impact.js'
import type { Rollout, RolloutWave, WaveGuard } from './rollout.js'
import { escapeUnsafe } from './unsafe-text.js'

export type RolloutDiffInput = Pick<Rollout, 'id' | 'reason' | 'waves' | 'warnings' | 'drainMode' | 'drainTimeoutSeconds' | 'maxUnavailable' | 'maxUnavailableInput' | 'minGpusInService' | 'poolLabel' | 'notBefore' | 'window' | 'completeOnReboot'>

export function renderRolloutDiff(rollout: RolloutDiffInput): string {
  const nodes = rollout.waves.reduce((n, w) => n + w.nodes.length, 0)
  const gpus = rollout.waves.reduce((n, w) => n + w.impact.gpus, 0)
  const lines = [
    `nodeplan ROLLOUT ${rollout.id} for ${count(nodes, 'node')} in ${count(rollout.waves.length, 'wave')}`,
    `Reason: ${escapeUnsafe(rollout.reason)}`,
    `Guard: at most ${rollout.maxUnavailable} ${rollout.maxUnavailable === 1 ? 'node' : 'nodes'} out at once (maxUnavailable ${rollout.maxUnavailableInput}), at least ${count(rollout.minGpusInService, 'GPU')} in service`,
    `Drain: ${drainText(rollout)}; maintenance done by completeMaintenance${rollout.completeOnReboot ? ' or a reboot (bootID changed, Ready again)' : ''}`,
  ]
  if (rollout.notBefore) lines.push(`Not before: ${rollout.notBefore.toISOString()}`)
  if (rollout.window) lines.push(`Window: "${rollout.window.cron}" (${rollout.window.timeZone}) for ${count(rollout.window.durationMinutes, 'minute')}`)
  lines.push('', 'Resource actions are indicated with the following symbols:', '  + create', '  - remove (a taint or label)', '', 'nodeplan will perform the following actions, wave by wave:', '')
  for (const wave of rollout.waves) lines.push(...waveLines(wave, rollout), '')
  for (const warning of rollout.warnings) lines.push(`Warning: ${warning}`, '')
  lines.push(`Rollout: ${count(nodes, 'node')} (${count(gpus, 'GPU')}) in ${count(rollout.waves.length, 'wave')}; each node drained, maintained, checked and returned to service.`)
  return `${lines.join('\n')}\n`
}

function drainText(rollout: RolloutDiffInput): string {
  const taint = formatTaint(DRAIN_TAINT)
  if (rollout.drainMode === 'IMMEDIATE') return `IMMEDIATE (${taint})`
  return `GRACEFUL (runai=drain:NoSchedule, then ${taint} once training workloads finish or after ${count(rollout.drainTimeoutSeconds, 'second')})`
}

function waveLines(wave: RolloutWave, rollout: RolloutDiffInput): string[] {
  const names = wave.nodes.map((n) => n.name)
  const lines = [`# wave ${wave.index + 1}: ${names.join(', ')} (${wave.status})`]
  for (const node of wave.nodes) {
    lines.push(`  ~ node "${node.name}" {${node.pool ? ` # pool ${node.pool}` : ''}`)
    if (rollout.drainMode === 'GRACEFUL') lines.push(`      + taint "runai:NoSchedule" = "runai=drain:NoSchedule"`)
    lines.push(`      + taint "runai:NoExecute" = "${formatTaint(DRAIN_TAINT)}"`, '      # maintenance, check (Ready, GPUs allocatable back), then:', `      - taint "runai:NoExecute"${rollout.drainMode === 'GRACEFUL' ? ' and "runai:NoSchedule"' : ''}`, '    }')
  }
  const impact = wave.impact
  const workload = (w: (typeof impact.automaticallyRescheduled)[number]) => `      ${w.namespace}/${w.name} (${w.kind}, ${count(w.gpus, 'GPU')})`
  lines.push(
    '  Impact:',
    `    GPUs out of service:       ${impact.gpus}`,
    `    Rescheduled automatically: ${count(impact.automaticallyRescheduled.length, 'workload')}`,
    ...impact.automaticallyRescheduled.map(workload),
    `    Manual relocation needed:  ${count(impact.manualRelocation.length, 'workload')}`,
    ...impact.manualRelocation.map(workload),
    ...guardLines(wave.guard),
  )
  for (const warning of wave.warnings) lines.push(`  Warning: ${warning}`)
  return lines
}

export function guardLines(guard: WaveGuard): string[] {
  const lines = [
    `  Guard${guard.satisfied ? '' : ' (HOLDS THIS WAVE BACK)'}:`,
    `    Nodes out:                 ${guard.nodesOut} of at most ${guard.maxUnavailable}`,
    `    GPUs in service:           ${guard.gpusInService} (at least ${guard.minGpusInService})`,
    ...guard.pools.map((p) => `    ${`GPUs in pool ${p.pool}:`.padEnd(27)}${p.gpusInService}${p.minGpusInService !== null ? ` (at least ${p.minGpusInService})` : ''}`),
    `    Ready system nodes:        ${guard.readySystemNodes}`,
  ]
  if (guard.reason) lines.push(`    Held back: ${guard.reason}`)
  return lines
}
