// What a rollout is made of, said for a person: the summary cards, the forecast, each wave with
// its guard figures, its impact and its nodes' stages.
import { card, h } from './dom.js'
import { count, when } from './format.js'

export const FINAL_ROLLOUT = ['COMPLETED', 'FAILED', 'ABORTED', 'DISCARDED']

/** 90 → "1 min 30 s", 7260 → "2 h 1 min". */
export function duration(total) {
  const s = Math.max(0, Math.round(total))
  const d = Math.floor(s / 86400)
  const hrs = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  const parts = d ? [`${d} d`, hrs && `${hrs} h`] : hrs ? [`${hrs} h`, m && `${m} min`] : m ? [`${m} min`, s % 60 && `${s % 60} s`] : [`${s} s`]
  return parts.filter(Boolean).join(' ')
}

export function rolloutCards(r) {
  const nodes = r.waves.flatMap((w) => w.nodes)
  const done = nodes.filter((n) => n.stage === 'DONE').length
  const out = nodes.filter((n) => ['DRAINING', 'IN_MAINTENANCE', 'CHECKING', 'FAILED'].includes(n.stage)).length
  const wavesDone = r.waves.filter((w) => w.status === 'DONE').length
  return h('div', { class: 'cards', id: 'rollout-cards' },
    card(`${wavesDone} / ${r.waves.length}`, 'waves done', 'waves-done'),
    card(`${done} / ${nodes.length}`, 'nodes done', 'nodes-done'),
    card(out, out === 1 ? 'node out of service now' : 'nodes out of service now', 'nodes-out'),
    card(r.maxUnavailable, 'at most out at once', 'max-unavailable'),
    card(count(r.minGpusInService, 'GPU'), 'kept in service at least', 'min-gpus'),
    FINAL_ROLLOUT.includes(r.status) ? null : card(duration(r.forecast.remainingSeconds), 'of work left (forecast)', 'remaining'),
  )
}

/** How the rollout drains, when it may run, and what the forecast is based on. */
export function settings(r) {
  const drain = r.drainMode === 'GRACEFUL'
    ? `Graceful drain: new work kept off first, then up to ${duration(r.drainTimeoutSeconds)} for training workloads to finish, then the runai=drain:NoExecute taint.`
    : 'Immediate drain: the runai=drain:NoExecute taint, as the Run:ai procedure says.'
  const lines = [drain]
  if (r.notBefore) lines.push(`No wave starts before ${when(r.notBefore)}.`)
  if (r.window) {
    const state = r.window.open ? 'open now' : r.window.nextOpensAt ? `next opens ${when(r.window.nextOpensAt)}` : 'closed'
    lines.push(`Window: “${r.window.cron}” (${r.window.timeZone}) for ${duration(r.window.durationMinutes * 60)} — ${state}. A wave never starts outside it; at its end the rollout pauses and resumes in the next one.`)
  }
  const f = r.forecast
  if (!FINAL_ROLLOUT.includes(r.status)) {
    const basis = f.samples ? `measured from ${count(f.samples, 'node')} of past rollouts` : 'default figures: no rollout measured yet'
    lines.push(`Forecast: ${duration(f.remainingSeconds)} of work left (per node: drain ${duration(f.drainSeconds)}, maintenance ${duration(f.maintenanceSeconds)}; ${basis})${f.endsAt ? `; expected to end ${when(f.endsAt)}` : ''}.`)
  }
  return h('ul', { id: 'rollout-settings', class: 'plain' }, lines.map((l) => h('li', {}, l)))
}

/** The guard's figures for one wave, each against its limit. */
function guard(g) {
  const pools = g.pools.map((p) => `${p.pool}: ${p.gpusInService}${p.minGpusInService != null ? ` (floor ${p.minGpusInService})` : ''}`)
  return h('div', { class: `guard${g.satisfied ? '' : ' held'}`, 'data-guard': g.satisfied ? 'ok' : 'held' },
    g.satisfied ? null : h('strong', {}, `The guard holds this wave back${g.reason ? `: ${g.reason}` : '.'} `),
    h('span', {}, `${g.nodesOut} of at most ${g.maxUnavailable} out · ${count(g.gpusInService, 'GPU')} in service (floor ${g.minGpusInService}) · ${count(g.readySystemNodes, 'Ready system node')}`),
    pools.length ? h('span', {}, ` · pools ${pools.join(', ')}`) : null)
}

const STAGE_NOTE = {
  WAITING: 'its wave has not started',
  DRAINING: 'drain taint applied',
  IN_MAINTENANCE: 'handed over for maintenance',
  CHECKING: 'back: checking Ready and GPUs',
  DONE: 'undrained, back in service',
  FAILED: 'left drained',
  SKIPPED: 'not touched',
}

/**
 * The waves, each with its guard, impact and nodes; `completeButton(node)` gives the button a
 * node in maintenance gets (or null when the caller may not use it).
 */
export function waves(r, completeButton) {
  return h('div', { id: 'waves' }, r.waves.map((w, i) => {
    const current = w.index === r.currentWave && !FINAL_ROLLOUT.includes(r.status)
    const killed = w.impact.manualRelocation.length
    const times = [w.startedAt && `started ${when(w.startedAt)}`, w.finishedAt && `finished ${when(w.finishedAt)}`].filter(Boolean).join(', ')
    return h('section', { class: `wave${current ? ' current' : ''}`, 'data-wave': i + 1 },
      h('h3', {}, `Wave ${i + 1} `, h('span', { class: `status ${w.status}`, 'data-wave-status': w.status }, w.status),
        h('span', { class: 'note' }, [current ? 'current' : '', times].filter(Boolean).join(' · '))),
      guard(w.guard),
      h('p', { class: 'impact' }, `${count(w.impact.gpus, 'GPU')} out of service; ${count(w.impact.automaticallyRescheduled.length, 'workload')} rescheduled automatically; `,
        h('span', { class: killed ? 'bad' : '' }, `${count(killed, 'workload')} killed`), killed ? ` (${w.impact.manualRelocation.map((x) => `${x.namespace}/${x.name}`).join(', ')})` : ''),
      h('table', { class: 'compact wave-nodes' },
        h('tr', {}, ['Node', 'Pool', 'GPUs', 'Stage', 'Maintenance done', ''].map((t) => h('th', {}, t))),
        w.nodes.map((n) => h('tr', { 'data-node': n.name },
          h('td', {}, h('a', { href: `#/node/${encodeURIComponent(n.name)}` }, n.name)),
          h('td', {}, n.pool ?? '-'), h('td', {}, n.gpus),
          h('td', {}, h('span', { class: `status ${n.stage}`, 'data-stage': n.stage }, n.stage), h('span', { class: 'note' }, ` ${STAGE_NOTE[n.stage] ?? ''}`),
            n.error ? h('div', { class: 'bad' }, n.error) : null),
          h('td', { class: 'time' }, n.maintenanceDoneAt ? `${when(n.maintenanceDoneAt)} by ${n.maintenanceDoneBy ?? '?'}` : ''),
          h('td', {}, n.stage === 'IN_MAINTENANCE' ? completeButton(n) : null)))),
      w.plans.length ? h('p', { class: 'note' }, 'Plans: ', w.plans.map((p, j) => [j ? ', ' : '', h('a', { href: `#/plan/${encodeURIComponent(p.id)}` }, `${p.kind} ${p.id}`), ` (${p.status})`])) : null,
    )
  }))
}

const DIFF_CLASS = { '+': 'add', '-': 'del', '~': 'upd' }

/** The rollout's diff as the server wrote it, symbols coloured, folded: the waves above say it already. */
export function rolloutDiff(diff, open = false) {
  const lines = diff.replace(/\n$/, '').split('\n')
  const pre = h('pre', { class: 'diff', id: 'diff' })
  for (const line of lines) {
    const m = /^(\s+)([+~-])( .*)$/.exec(line)
    if (m) pre.append(m[1], h('span', { class: DIFF_CLASS[m[2]] }, m[2]), m[3], '\n')
    else pre.append(line, '\n')
  }
  return h('details', { class: 'changes', open }, h('summary', { id: 'diff-total' }, lines[lines.length - 1]), pre)
}
