// DOM builders for the console's pages. Text always goes in as text nodes, never as HTML.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value)
    else el.setAttribute(key, value === true ? '' : String(value))
  }
  for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) el.append(child instanceof Node ? child : String(child))
  return el
}

const ROLE = { SYSTEM: 'system', GPU_WORKER: 'gpu-worker', CPU_WORKER: 'cpu-worker' }
const roles = (list) => (list.length ? list.map((r) => ROLE[r] ?? r).join(', ') : '<none>')

const card = (n, label, id) => h('div', { class: 'card', 'data-metric': id }, h('div', { class: 'n' }, n), h('div', { class: 'l' }, label))

export function overview(nodes, systemNodes) {
  const byRole = {}
  for (const n of nodes) for (const r of n.roles.length ? n.roles : ['NONE']) {
    const row = (byRole[r] ??= { ready: 0, notReady: 0, draining: 0 })
    n.ready ? row.ready++ : row.notReady++
    if (n.draining) row.draining++
  }
  const inService = nodes.filter((n) => n.ready && !n.draining).reduce((s, n) => s + n.gpus, 0)
  const outOfService = nodes.filter((n) => !n.ready || n.draining).reduce((s, n) => s + n.gpus, 0)
  return [
    h('h1', {}, 'Cluster'),
    systemNodes.warning ? h('div', { class: 'warning', id: 'system-warning' }, `⚠ ${systemNodes.warning}`) : null,
    h('div', { class: 'cards' },
      card(nodes.length, 'nodes', 'nodes'),
      card(nodes.filter((n) => !n.ready).length, 'NotReady', 'notready'),
      card(nodes.filter((n) => n.draining).length, 'draining', 'draining'),
      card(inService, 'GPUs in service', 'gpus-in'),
      card(outOfService, 'GPUs out of service', 'gpus-out'),
      card(`${systemNodes.ready}`, 'system nodes Ready', 'system-ready'),
    ),
    h('h2', {}, 'Nodes by role'),
    h('table', { id: 'by-role' },
      h('tr', {}, h('th', {}, 'Role'), h('th', {}, 'Ready'), h('th', {}, 'NotReady'), h('th', {}, 'Draining')),
      Object.entries(byRole).map(([r, c]) => h('tr', {}, h('td', {}, ROLE[r] ?? '<none>'), h('td', {}, c.ready), h('td', {}, c.notReady), h('td', {}, c.draining))),
    ),
  ]
}

export function nodesTable(nodes) {
  return h('table', { id: 'nodes' },
    h('tr', {}, ['Name', 'Status', 'Roles', 'Draining', 'GPUs (in use/total)', 'Workloads'].map((t) => h('th', {}, t))),
    nodes.map((n) =>
      h('tr', { 'data-node': n.name },
        h('td', {}, h('a', { href: `#/node/${encodeURIComponent(n.name)}` }, n.name)),
        h('td', { class: n.ready ? 'ok' : 'bad' }, n.ready ? 'Ready' : 'NotReady'),
        h('td', {}, roles(n.roles)),
        h('td', { class: n.draining ? 'bad' : '', 'data-col': 'draining' }, n.draining ? 'draining' : '-'),
        h('td', {}, `${n.gpusInUse}/${n.gpus}`),
        h('td', {}, n.workloads.length),
      ),
    ),
  )
}

const DIFF_CLASS = { '+': 'add', '-': 'del', '~': 'upd' }

/** The server's diff with + - ~ coloured, as terraform plan prints it on a terminal. */
export function diffBlock(text) {
  const pre = h('pre', { class: 'diff', id: 'diff' })
  for (const line of text.split('\n')) {
    const m = /^(\s+)([+~-])( .*)$/.exec(line)
    if (m) pre.append(m[1], h('span', { class: DIFF_CLASS[m[2]] }, m[2]), m[3], '\n')
    else if (line.startsWith('Warning:')) pre.append(h('span', { class: 'upd' }, 'Warning:'), line.slice(8), '\n')
    else pre.append(line, '\n')
  }
  return pre
}

const workloadItem = (w) => h('li', {}, `${w.namespace}/${w.name} (${w.kind.toLowerCase()}${w.gpus ? `, ${w.gpus} GPUs` : ''})`)

export function planPage(plan, actions) {
  const impact = plan.impact
  return [
    h('h1', {}, `Plan ${plan.id} `, h('span', { class: `status ${plan.status}`, id: 'plan-status' }, plan.status)),
    h('p', {}, `${plan.kind} of ${plan.nodes.join(', ')} — ${plan.reason}. Created by ${plan.createdBy}`,
      plan.approvedBy ? `, approved by ${plan.approvedBy}` : '', plan.appliedBy ? `, applied by ${plan.appliedBy}` : '', '.'),
    plan.stale ? h('div', { class: 'error' }, 'Stale: the cluster changed since this plan was made. Discard it and plan again.') : null,
    plan.warnings.map((w) => h('div', { class: 'warning plan-warning' }, `⚠ ${w}`)),
    h('div', { id: 'actions' }, actions),
    h('h2', {}, 'Changes'),
    diffBlock(plan.diff),
    h('h2', {}, 'Impact'),
    h('div', { class: 'cards' },
      card(impact.nodes, 'nodes'), card(impact.gpus, 'GPUs out of service'), card(impact.readySystemNodesAfter, 'Ready system nodes after')),
    h('h2', {}, 'Rescheduled automatically'),
    impact.automaticallyRescheduled.length ? h('ul', { id: 'auto' }, impact.automaticallyRescheduled.map(workloadItem)) : h('p', {}, 'None.'),
    h('h2', {}, 'A person must resubmit'),
    impact.manualRelocation.length ? h('ul', { id: 'manual' }, impact.manualRelocation.map(workloadItem)) : h('p', {}, 'None.'),
    h('h2', {}, 'Progress'),
    h('ul', { class: 'progress', id: 'progress' },
      plan.changes.filter((c) => c.applied || c.error).map((c) => progressItem(c))),
  ]
}

export function progressItem(change) {
  return h('li', { 'data-address': change.address },
    change.applied ? h('span', { class: 'ok' }, '✓ applied ') : h('span', { class: 'bad' }, '✗ failed '), change.address, change.error ? `: ${change.error}` : '')
}

export function plansTable(plans) {
  return h('table', { id: 'plans' },
    h('tr', {}, ['Plan', 'Kind', 'Status', 'Nodes', 'Reason', 'Created by', 'Created'].map((t) => h('th', {}, t))),
    plans.map((p) => h('tr', {},
      h('td', {}, h('a', { href: `#/plan/${encodeURIComponent(p.id)}` }, p.id)),
      h('td', {}, p.kind), h('td', {}, h('span', { class: `status ${p.status}` }, p.status)),
      h('td', {}, p.nodes.join(', ')), h('td', {}, p.reason), h('td', {}, p.createdBy), h('td', {}, new Date(p.createdAt).toLocaleString()),
    )),
  )
}

export function timeline(name, node, events) {
  return [
    h('h1', {}, `Node ${name}`),
    node ? h('p', {}, `${node.ready ? 'Ready' : 'NotReady'}${node.draining ? ', draining' : ''}; roles: ${roles(node.roles)}; GPUs ${node.gpusInUse}/${node.gpus}`) : h('p', {}, 'Not in the cluster now.'),
    h('h2', {}, 'Audit timeline'),
    h('table', { id: 'timeline' },
      h('tr', {}, ['When', 'Who', 'What', 'Plan', 'Detail'].map((t) => h('th', {}, t))),
      events.map((e) => h('tr', {},
        h('td', {}, new Date(e.at).toLocaleString()), h('td', {}, e.actor), h('td', {}, e.action),
        h('td', {}, e.planId ? h('a', { href: `#/plan/${encodeURIComponent(e.planId)}` }, e.planId) : '-'),
        h('td', {}, e.detail ? JSON.stringify(e.detail) : ''),
      )),
    ),
  ]
}
