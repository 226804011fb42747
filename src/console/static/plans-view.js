// Plans, newest first: open ones by default, awaiting approval said as such; more on demand.
import { gql } from './api.js'
import { h, nameLine } from './dom.js'
import { count, when } from './format.js'

const QUERY = `query($status: [PlanStatus!], $after: String) { plans(first: 50, status: $status, after: $after) {
  totalCount pageInfo { endCursor hasNextPage } edges { node { id kind status nodes reason createdBy createdAt needsApproval awaitingMyApproval } } } }`
const SHOW = { open: ['PENDING', 'APPROVED', 'APPLYING'], all: null, APPLIED: ['APPLIED'], FAILED: ['FAILED'], DISCARDED: ['DISCARDED'] }
let shown = 'open'

export async function plansPage(ctx) {
  const select = h('select', { id: 'plans-status' },
    Object.keys(SHOW).map((k) => h('option', { value: k }, k === 'open' ? 'open (pending, approved, applying)' : k === 'all' ? 'all' : k.toLowerCase())))
  select.value = shown
  const title = h('h1', { id: 'plans-title' })
  const table = h('table', { id: 'plans' }, h('tr', {}, ['Plan', 'Kind', 'Status', 'Nodes', 'Reason', 'Created by', 'Created'].map((t) => h('th', {}, t))))
  const more = h('div', { class: 'pager' })
  const load = async (after) => {
    const { plans } = await gql(QUERY, { status: SHOW[shown], after })
    title.textContent = `Plans: ${count(plans.totalCount, shown === 'all' ? 'plan' : `${shown === 'open' ? 'open' : shown.toLowerCase()} plan`)}`
    table.append(...plans.edges.map((e) => row(e.node)))
    if (plans.totalCount === 0) table.append(h('tr', {}, h('td', { colspan: 7, class: 'note' }, 'None.')))
    more.replaceChildren(plans.pageInfo.hasNextPage ? h('button', { type: 'button', id: 'plans-more', onclick: () => load(plans.pageInfo.endCursor) }, 'Show 50 more') : '')
  }
  select.addEventListener('change', () => { shown = select.value; plansPage(ctx).catch(ctx.fail) })
  ctx.show(h('div', { class: 'title-row' }, title, h('label', {}, 'Show ', select)), table, more)
  await load(null)
}

function row(p) {
  const awaiting = p.status === 'PENDING' && p.needsApproval
  return h('tr', { 'data-plan': p.id },
    h('td', {}, h('a', { href: `#/plan/${encodeURIComponent(p.id)}` }, p.id)),
    h('td', {}, p.kind),
    h('td', {}, h('span', { class: `status ${p.status}` }, p.status),
      awaiting ? h('span', { class: 'status AWAITING' }, p.awaitingMyApproval ? 'awaiting you' : 'awaiting approval') : null),
    h('td', { title: p.nodes.join(', ') }, nameLine(p.nodes)),
    h('td', {}, p.reason), h('td', {}, p.createdBy), h('td', { class: 'time' }, when(p.createdAt)),
  )
}
