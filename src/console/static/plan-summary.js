// What a plan does, said once: the summary cards, the warnings (those that matter first, the
// rest grouped), the workloads by project, and the diff without the parts said above.
import { card, foldedList, h } from './dom.js'
import { byName, count } from './format.js'

const DRAIN_TAINT = '/taint/runai:NoExecute'

/**
 * GPUs the plan takes out and returns, and the capacity after it, from its impact and the
 * cluster's nodes now. Once a plan is over (applied, failed, discarded), "after" is simply now.
 */
export function capacity(plan, nodes) {
  const live = new Map(nodes.map((n) => [n.name, n]))
  const inService = nodes.filter((n) => n.ready && !n.draining).reduce((s, n) => s + n.gpus, 0)
  const total = nodes.reduce((s, n) => s + n.gpus, 0)
  let back = 0
  let backNow = 0
  for (const c of plan.changes) {
    if (c.action !== 'DELETE' || !c.address.endsWith(DRAIN_TAINT)) continue
    const node = live.get(c.node)
    back += node?.gpus ?? 0
    if (node?.draining && node.ready) backNow += node.gpus
  }
  const open = ['PENDING', 'APPROVED', 'APPLYING'].includes(plan.status)
  return { open, out: plan.impact.gpus, back, inService, after: open ? inService - plan.impact.gpus + backNow : inService, total }
}

export function summary(plan, cap) {
  const manual = plan.impact.manualRelocation
  const interactive = manual.filter((w) => w.kind === 'INTERACTIVE')
  const builds = manual.filter((w) => w.kind !== 'INTERACTIVE')
  const done = plan.status === 'APPLIED' ? 'done' : cap.open ? 'open' : 'not applied'
  const said = { open: ['out of service', 'return to service'], done: ['taken out of service', 'returned to service'], 'not applied': ['planned out of service (not applied)', 'planned to return (not applied)'] }[done]
  return h('section', { id: 'summary' },
    h('div', { class: 'cards' },
      cap.back > 0 && cap.out === 0
        ? card(count(cap.back, 'GPU'), said[1], 'gpus-back')
        : card(count(cap.out, 'GPU'), said[0], 'gpus-out'),
      card(`${cap.after.toLocaleString('en')} / ${cap.total.toLocaleString('en')}`, cap.open ? `GPUs in service after (now ${cap.inService.toLocaleString('en')})` : 'GPUs in service now', 'capacity-after'),
      card(interactive.length, `interactive ${interactive.length === 1 ? 'session' : 'sessions'} killed`, 'interactive-killed'),
      builds.length ? card(builds.length, `${builds.length === 1 ? 'build' : 'builds'} killed`, 'builds-killed') : null,
      card(plan.impact.automaticallyRescheduled.length, 'rescheduled automatically', 'rescheduled'),
      card(plan.impact.readySystemNodesAfter, 'Ready system nodes after', 'system-after'),
    ),
    byProject(plan.impact),
  )
}

function byProject(impact) {
  const rows = new Map()
  const add = (w, key) => {
    const p = w.project ?? `(namespace ${w.namespace})`
    const row = rows.get(p) ?? { gpus: 0, rescheduled: 0, killed: 0, interactive: 0 }
    row.gpus += w.gpus
    row[key]++
    if (w.kind === 'INTERACTIVE') row.interactive++
    rows.set(p, row)
  }
  impact.automaticallyRescheduled.forEach((w) => add(w, 'rescheduled'))
  impact.manualRelocation.forEach((w) => add(w, 'killed'))
  if (rows.size === 0) return h('p', { id: 'by-project' }, 'No workload is evicted.')
  return h('table', { id: 'by-project', class: 'compact' },
    h('tr', {}, ['Project', 'GPUs in use evicted', 'Rescheduled', 'Killed', 'of them interactive'].map((t) => h('th', {}, t))),
    [...rows].sort(([a], [b]) => byName(a, b)).map(([p, r]) => h('tr', { 'data-project': p },
      h('td', {}, p), h('td', {}, r.gpus), h('td', {}, r.rescheduled), h('td', { class: r.killed ? 'bad' : '' }, r.killed), h('td', { class: r.interactive ? 'bad' : '' }, r.interactive))))
}

const CRITICAL = [/will be killed/, /training workloads need/, /Ready Run:ai system node remains/, /stops being a Run:ai system node/]
const GROUPS = [
  [/^PodDisruptionBudget /, (n) => `${count(n, 'PodDisruptionBudget warning')}: the drain taint evicts without consulting them`],
  [/^node \S+ is NotReady/, (n) => `${count(n, 'node is', 'nodes are')} NotReady`],
  [/stays cordoned/, (n) => `${count(n, 'node stays', 'nodes stay')} cordoned`],
]

/** Critical warnings first, each once; long families of the same warning folded into one line. */
export function warnings(list) {
  const critical = []
  const plain = []
  const groups = GROUPS.map(() => [])
  for (const w of list) {
    if (CRITICAL.some((re) => re.test(w))) critical.push(w.replace(/\): .*$/s, ')').concat(/will be killed/.test(w) ? ' — listed under “Killed” below.' : ''))
    else {
      const g = GROUPS.findIndex(([re]) => re.test(w))
      g >= 0 ? groups[g].push(w) : plain.push(w)
    }
  }
  // A family of one is just a warning; families of several fold into one line, after the rest.
  for (const items of groups) if (items.length === 1) plain.push(items[0])
  return h('section', { id: 'warnings' },
    critical.map((w) => h('div', { class: 'warning critical plan-warning' }, `⚠ ${w}`)),
    plain.map((w) => h('div', { class: 'warning plan-warning' }, `⚠ ${w}`)),
    groups.map((items, i) => items.length < 2 ? null
      : h('details', { class: 'warning plan-warning grouped' }, h('summary', {}, `⚠ ${GROUPS[i][1](items.length)}`), h('ul', {}, items.map((w) => h('li', {}, w))))),
  )
}

const workloadLine = (w) => `${w.project ? `${w.project}: ` : ''}${w.namespace}/${w.name} (${w.kind.toLowerCase()}${w.gpus ? `, ${count(w.gpus, 'GPU')}` : ''})`

export function workloads(impact) {
  return [
    h('h2', {}, `Killed: a person must resubmit (${impact.manualRelocation.length})`),
    impact.manualRelocation.length ? foldedList(impact.manualRelocation.map(workloadLine).sort(byName), 10, { id: 'manual' }) : h('p', {}, 'None.'),
    h('h2', {}, `Rescheduled automatically (${impact.automaticallyRescheduled.length})`),
    impact.automaticallyRescheduled.length ? foldedList(impact.automaticallyRescheduled.map(workloadLine).sort(byName), 5, { id: 'auto' }) : h('p', {}, 'None.'),
  ]
}

const DIFF_CLASS = { '+': 'add', '-': 'del', '~': 'upd' }

/**
 * The server's diff, coloured as on a terminal, without its header, impact and warnings (the
 * page says those once above); folded when long.
 */
export function changes(diff) {
  const lines = diff.replace(/\n$/, '').split('\n')
  const start = lines.indexOf('nodeplan will perform the following actions:')
  const end = lines.indexOf('Impact:')
  const body = start >= 0 ? lines.slice(start + 2, end >= 0 ? end : undefined) : []
  while (body.length && body[body.length - 1] === '') body.pop()
  const total = lines[lines.length - 1]
  const pre = h('pre', { class: 'diff', id: 'diff' })
  for (const line of body) {
    const m = /^(\s+)([+~-])( .*)$/.exec(line)
    if (m) pre.append(m[1], h('span', { class: DIFF_CLASS[m[2]] }, m[2]), m[3], '\n')
    else pre.append(line, '\n')
  }
  return h('details', { class: 'changes', open: body.length <= 40 }, h('summary', { id: 'diff-total' }, total), pre)
}
