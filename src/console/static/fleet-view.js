// The fleet: every cluster the token may see, with its GPUs in and out of service, draining and
// NotReady nodes and plans waiting for approval; and the switcher that picks the cluster the other
// pages show and plan for.
import { cluster, gql } from './api.js'
import { card, h } from './dom.js'

const QUERY = '{ clusters { name reachable lastSyncedAt kubernetesVersion nodes notReady draining gpusInService gpusOutOfService plansAwaitingApproval warnings } }'

export async function fleetPage(ctx) {
  const { clusters } = await gql(QUERY)
  const sum = (key) => clusters.reduce((s, c) => s + c[key], 0)
  const open = (name) => () => { cluster.set(name); location.hash = '#/' }
  ctx.show(
    h('h1', {}, 'Fleet'),
    h('div', { class: 'cards', id: 'fleet-totals' },
      card(clusters.length, 'clusters', 'clusters'),
      card(clusters.filter((c) => !c.reachable).length, 'unreachable', 'unreachable'),
      card(sum('gpusInService'), 'GPUs in service', 'gpus-in'),
      card(sum('gpusOutOfService'), 'GPUs out of service', 'gpus-out'),
      card(sum('draining'), 'draining', 'draining'),
      card(sum('notReady'), 'NotReady', 'notready'),
      card(sum('plansAwaitingApproval'), 'plans awaiting approval', 'awaiting')),
    h('table', { id: 'fleet' },
      h('tr', {}, ['Cluster', 'State', 'Nodes', 'NotReady', 'Draining', 'GPUs in service', 'GPUs out of service', 'Awaiting approval', 'Version'].map((t) => h('th', {}, t))),
      clusters.map((c) => [
        h('tr', { 'data-cluster': c.name, class: c.reachable ? '' : 'unreachable' },
          h('td', {}, h('a', { href: '#/', onclick: (e) => { e.preventDefault(); open(c.name)() } }, c.name)),
          h('td', { class: 'state' }, c.reachable ? 'reachable' : `unreachable since ${c.lastSyncedAt ? new Date(c.lastSyncedAt).toLocaleString() : 'start'}`),
          [c.nodes, c.notReady, c.draining, c.gpusInService, c.gpusOutOfService, c.plansAwaitingApproval].map((n) => h('td', {}, n.toLocaleString('en'))),
          h('td', {}, c.kubernetesVersion ?? '–')),
        c.warnings.length ? h('tr', { class: 'warnings' }, h('td', { colspan: 9, class: 'detail' }, c.warnings.map((w) => h('div', {}, `⚠ ${w}`)))) : null,
      ])),
  )
}

/** A select of the clusters in the header; changing it shows the cluster page of the new one. */
export function clusterSwitcher(names) {
  if (!names.includes(cluster.get())) cluster.set(names[0])
  const select = h('select', { id: 'cluster-switcher', title: 'cluster' }, names.map((n) => h('option', { value: n }, n)))
  select.value = cluster.get()
  select.addEventListener('change', () => {
    cluster.set(select.value)
    location.hash === '#/' || location.hash === '' ? window.dispatchEvent(new HashChangeEvent('hashchange')) : (location.hash = '#/')
  })
  return select
}
