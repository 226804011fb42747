// The chosen cluster's rollouts, newest first: those not over by default, where each stands and
// what it waits for.
import { cluster, gql } from './api.js'
import { h } from './dom.js'
import { count, RANK, when } from './format.js'
import { rolloutForm } from './rollout-form.js'

const QUERY = `query($status: [RolloutStatus!], $after: String, $c: String) { rollouts(first: 50, status: $status, after: $after, cluster: $c) {
  totalCount pageInfo { endCursor hasNextPage }
  edges { node { id status reason createdBy createdAt needsApproval awaitingMyApproval currentWave waitingFor waves { index nodes { name } } } } } }`
export const OPEN_ROLLOUT = ['PENDING', 'APPROVED', 'SCHEDULED', 'RUNNING', 'PAUSED']
const SHOW = { open: OPEN_ROLLOUT, all: null, COMPLETED: ['COMPLETED'], FAILED: ['FAILED'], ABORTED: ['ABORTED'], DISCARDED: ['DISCARDED'] }
let shown = 'open'

/** Waves count from 1 as listed; `currentWave` names one by its index. */
export const wavePosition = (r) => {
  if (r.currentWave === null || r.currentWave === undefined || !OPEN_ROLLOUT.includes(r.status)) return null
  const at = r.waves.findIndex((w) => w.index === r.currentWave)
  return at < 0 ? null : at + 1
}

export async function rolloutsPage(ctx) {
  const select = h('select', { id: 'rollouts-status' },
    Object.keys(SHOW).map((k) => h('option', { value: k }, k === 'open' ? 'not over (pending … paused)' : k === 'all' ? 'all' : k.toLowerCase())))
  select.value = shown
  const title = h('h1', { id: 'rollouts-title' })
  const table = h('table', { id: 'rollouts' }, h('tr', {}, ['Rollout', 'Status', 'Wave', 'Nodes', 'Waiting for', 'Reason', 'Created by', 'Created'].map((t) => h('th', {}, t))))
  const more = h('div', { class: 'pager' })
  const load = async (after) => {
    const { rollouts } = await gql(QUERY, { status: SHOW[shown], after, c: cluster.get() })
    title.textContent = `Rollouts: ${count(rollouts.totalCount, shown === 'all' ? 'rollout' : `${shown === 'open' ? 'open' : shown.toLowerCase()} rollout`)}`
    table.append(...rollouts.edges.map((e) => row(e.node)))
    if (rollouts.totalCount === 0) table.append(h('tr', {}, h('td', { colspan: 8, class: 'note' }, 'None. Plan one below, or with nodeplan plan rollout (see nodeplan plan rollout --help).')))
    more.replaceChildren(rollouts.pageInfo.hasNextPage ? h('button', { type: 'button', id: 'rollouts-more', onclick: () => load(rollouts.pageInfo.endCursor) }, 'Show 50 more') : '')
  }
  select.addEventListener('change', () => { shown = select.value; rolloutsPage(ctx).catch(ctx.fail) })
  ctx.show(h('div', { class: 'title-row' }, title, h('label', {}, 'Show ', select)), table, more,
    RANK[ctx.me.role] >= RANK.operator ? [h('h2', {}, 'Plan a rollout'), rolloutForm()] : null)
  await load(null)
}

function row(r) {
  const at = wavePosition(r)
  const awaiting = r.status === 'PENDING' && r.needsApproval
  return h('tr', { 'data-rollout': r.id },
    h('td', {}, h('a', { href: `#/rollout/${encodeURIComponent(r.id)}` }, r.id)),
    h('td', {}, h('span', { class: `status ${r.status}` }, r.status),
      awaiting ? h('span', { class: 'status AWAITING' }, r.awaitingMyApproval ? 'awaiting you' : 'awaiting approval') : null),
    h('td', {}, `${at ?? '–'} of ${r.waves.length}`),
    h('td', {}, r.waves.reduce((n, w) => n + w.nodes.length, 0)),
    h('td', { class: 'detail' }, r.waitingFor ?? ''),
    h('td', {}, r.reason), h('td', {}, r.createdBy), h('td', { class: 'time' }, when(r.createdAt)),
  )
}
