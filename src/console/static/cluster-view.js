// The cluster page: overview, and the node list (server-side filters through NodeFilter, natural
// sort and paging here) with a selection that the plan form plans for.
import { cluster, gql } from './api.js'
import { card, h } from './dom.js'
import { byName, count, RANK, roleList, ROLE_LABEL } from './format.js'
import { joinButton } from './join.js'
import { planForm } from './plan-form.js'

const PAGE_SIZE = 50
// Only what the table shows: the list stays small at 5,000 nodes.
const FIELDS = 'name ready draining roles gpus gpusInUse'
const LIST = `query($f: NodeFilter, $c: String) { nodes(filter: $f, cluster: $c) { ${FIELDS} } }`

// Kept while the tab is open, so coming back from a node or plan keeps the filters and selection.
const state = { q: '', role: '', ready: '', draining: '', label: '', page: 0, selected: new Set(), gpusOf: new Map() }

function filterOf() {
  const f = {}
  if (state.q.trim()) f.nameContains = state.q.trim()
  if (state.role) f.roles = [state.role]
  if (state.ready) f.ready = state.ready === 'ready'
  if (state.draining) f.draining = state.draining === 'yes'
  const labels = state.label.split(',').map((s) => s.trim()).filter(Boolean)
  if (labels.length) f.labels = labels.map((l) => (l.includes('=') ? { key: l.slice(0, l.indexOf('=')), value: l.slice(l.indexOf('=') + 1) } : { key: l, value: null }))
  return f
}

export async function clusterPage(ctx) {
  // One request: without filters the list is also what the overview counts.
  const filter = filterOf()
  const filtered = Object.keys(filter).length > 0
  const data = await gql(`query($f: NodeFilter, $c: String) { nodes(filter: $f, cluster: $c) { ${FIELDS} } systemNodes(cluster: $c) { ready nodes warning }${filtered ? ' all: nodes(cluster: $c) { ready draining roles gpus }' : ''} }`, { f: filter, c: cluster.get() })
  const all = data.all ?? data.nodes
  const systemNodes = data.systemNodes
  const body = h('div', { id: 'node-list' })
  const mayPlan = RANK[ctx.me.role] >= RANK.operator
  ctx.show(
    overview(all, systemNodes, ctx.me.role === 'admin' ? joinButton() : null),
    h('h2', {}, 'Nodes'),
    filters(() => load(body, ctx)),
    mayPlan ? selectionBar() : h('p', {}, 'Your role may only look.'),
    body,
  )
  ++loadSeq
  showRows(body, ctx, data.nodes)
}

function overview(nodes, systemNodes, join) {
  const inService = nodes.filter((n) => n.ready && !n.draining).reduce((s, n) => s + n.gpus, 0)
  const outOfService = nodes.filter((n) => !n.ready || n.draining).reduce((s, n) => s + n.gpus, 0)
  const byRole = {}
  for (const n of nodes) for (const r of n.roles.length ? n.roles : ['NONE']) {
    const row = (byRole[r] ??= { ready: 0, notReady: 0, draining: 0 })
    n.ready ? row.ready++ : row.notReady++
    if (n.draining) row.draining++
  }
  return [
    h('div', { class: 'title-row' }, h('h1', {}, cluster.get() ? `Cluster ${cluster.get()}` : 'Cluster'), join),
    systemNodes.warning ? h('div', { class: 'warning critical', id: 'system-warning' }, `⚠ ${systemNodes.warning}`) : null,
    h('div', { class: 'cards' },
      card(nodes.length, 'nodes', 'nodes'),
      card(nodes.filter((n) => !n.ready).length, 'NotReady', 'notready'),
      card(nodes.filter((n) => n.draining).length, 'draining', 'draining'),
      card(inService, 'GPUs in service', 'gpus-in'),
      card(outOfService, 'GPUs out of service', 'gpus-out'),
      card(systemNodes.ready, 'system nodes Ready', 'system-ready'),
      h('table', { id: 'by-role', class: 'compact' },
        h('tr', {}, h('th', {}, 'Role'), h('th', {}, 'Ready'), h('th', {}, 'NotReady'), h('th', {}, 'Draining')),
        Object.entries(byRole).map(([r, c]) => h('tr', {}, h('td', {}, ROLE_LABEL[r] ?? '<none>'), h('td', {}, c.ready.toLocaleString('en')), h('td', {}, c.notReady.toLocaleString('en')), h('td', {}, c.draining.toLocaleString('en'))))),
    ),
  ]
}

function filters(reload) {
  let timer = null
  const later = () => { clearTimeout(timer); timer = setTimeout(reload, 250) }
  const bind = (el, key, soon) => {
    el.value = state[key]
    el.addEventListener(soon ? 'input' : 'change', () => { state[key] = el.value; state.page = 0; soon ? later() : reload() })
    return el
  }
  const select = (id, key, options) => bind(h('select', { id }, options.map(([value, label]) => h('option', { value }, label))), key)
  return h('div', { class: 'filters', id: 'filters' },
    bind(h('input', { id: 'node-search', type: 'search', placeholder: 'search names', size: 18 }), 'q', true),
    select('filter-role', 'role', [['', 'any role'], ...Object.entries(ROLE_LABEL)]),
    select('filter-ready', 'ready', [['', 'Ready or not'], ['ready', 'Ready'], ['notready', 'NotReady']]),
    select('filter-draining', 'draining', [['', 'draining or not'], ['yes', 'draining'], ['no', 'not draining']]),
    bind(h('input', { id: 'filter-label', placeholder: 'label or pool: key=value', size: 28 }), 'label', true),
  )
}

let rows = []
let loadSeq = 0

async function load(body, ctx) {
  const seq = ++loadSeq
  let nodes
  try {
    nodes = (await gql(LIST, { f: filterOf(), c: cluster.get() })).nodes
  } catch (err) {
    return body.replaceChildren(h('div', { class: 'error' }, `${err.message} (${err.code})`))
  }
  if (seq === loadSeq) showRows(body, ctx, nodes)
}

function showRows(body, ctx, nodes) {
  rows = nodes.sort((a, b) => byName(a.name, b.name))
  for (const n of rows) state.gpusOf.set(n.name, n.gpus)
  state.page = Math.min(state.page, Math.max(0, Math.ceil(rows.length / PAGE_SIZE) - 1))
  render(body, RANK[ctx.me.role] >= RANK.operator)
}

function render(body, selectable) {
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE))
  const shown = rows.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE)
  const rerender = () => render(body, selectable)
  const pageBox = h('input', { type: 'checkbox', id: 'select-page', title: 'select this page',
    checked: shown.length > 0 && shown.every((n) => state.selected.has(n.name)),
    onchange: (e) => { for (const n of shown) e.target.checked ? state.selected.add(n.name) : state.selected.delete(n.name); rerender() } })
  const go = (page) => { state.page = page; rerender(); document.getElementById('filters')?.scrollIntoView({ block: 'nearest' }) }
  body.replaceChildren(
    h('div', { class: 'list-head' },
      h('span', { id: 'match-count' }, `${count(rows.length, 'node')} match`),
      selectable && rows.length ? h('button', { type: 'button', id: 'select-all', onclick: () => { for (const n of rows) state.selected.add(n.name); rerender() } },
        `Select all ${rows.length.toLocaleString('en')} matching`) : null),
    h('table', { id: 'nodes' },
      h('tr', {}, selectable ? h('th', { class: 'check' }, pageBox) : null, ['Name', 'Status', 'Roles', 'Draining', 'GPUs in use / total'].map((t) => h('th', {}, t))),
      shown.map((n) => h('tr', { 'data-node': n.name, class: state.selected.has(n.name) ? 'selected' : '' },
        selectable ? h('td', { class: 'check' }, h('input', { type: 'checkbox', 'data-select': n.name, checked: state.selected.has(n.name),
          onchange: (e) => { e.target.checked ? state.selected.add(n.name) : state.selected.delete(n.name); rerender() } })) : null,
        h('td', {}, h('a', { href: `#/node/${encodeURIComponent(n.name)}` }, n.name)),
        h('td', { class: n.ready ? 'ok' : 'bad' }, n.ready ? 'Ready' : 'NotReady'),
        h('td', {}, roleList(n.roles)),
        h('td', { class: n.draining ? 'bad' : '', 'data-col': 'draining' }, n.draining ? 'draining' : '-'),
        h('td', {}, `${n.gpusInUse}/${n.gpus}`),
      ))),
    h('div', { class: 'pager', id: 'pager' },
      h('button', { type: 'button', id: 'page-prev', disabled: state.page === 0, onclick: () => go(state.page - 1) }, '‹ Previous'),
      h('span', { id: 'page-info' }, `Page ${state.page + 1} of ${pages}`),
      h('button', { type: 'button', id: 'page-next', disabled: state.page >= pages - 1, onclick: () => go(state.page + 1) }, 'Next ›')),
  )
  updateSelection()
}

function selectionBar() {
  return h('div', { class: 'selection-bar', id: 'selection' },
    h('span', { id: 'selection-count' }),
    h('button', { type: 'button', id: 'select-none', onclick: () => { state.selected.clear(); document.querySelectorAll('[data-select], #select-page').forEach((b) => { b.checked = false }); document.querySelectorAll('tr.selected').forEach((r) => r.classList.remove('selected')); updateSelection() } }, 'Clear'),
    planForm(() => [...state.selected].sort(byName), { rollout: true }))
}

function updateSelection() {
  const label = document.getElementById('selection-count')
  if (!label) return
  const gpus = [...state.selected].reduce((s, n) => s + (state.gpusOf.get(n) ?? 0), 0)
  label.textContent = state.selected.size ? `${count(state.selected.size, 'node')} selected (${count(gpus, 'GPU')})` : 'No nodes selected'
}
