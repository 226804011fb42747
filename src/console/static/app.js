// The console: hash routes (#/, #/plans, #/plan/ID, #/node/NAME) rendered from GraphQL.
import { ApiError, followPlan, gql, token } from './api.js'
import { h, nodesTable, overview, planPage, plansTable, progressItem, timeline } from './views.js'

const RANK = { viewer: 0, operator: 1, approver: 2, admin: 3 }
const main = document.getElementById('main')
let me = null
let stopFollowing = null

const PLAN = `id kind status reason createdBy createdAt approvedBy appliedBy nodes stale warnings diff
  changes { address node action applied error }
  impact { nodes gpus readySystemNodesAfter automaticallyRescheduled { namespace name kind gpus } manualRelocation { namespace name kind gpus } }`
const NODES = `nodes { name ready draining roles gpus gpusInUse workloads { name } }`

function show(...children) {
  main.replaceChildren(...children.flat(Infinity).filter(Boolean))
}

function loginForm(message) {
  const input = h('input', { type: 'password', id: 'token', placeholder: 'bearer token', size: 40, autocomplete: 'off' })
  show(
    h('h1', {}, 'Sign in'),
    message ? h('div', { class: 'error' }, message) : null,
    h('form', { class: 'inline', id: 'login', onsubmit: (e) => { e.preventDefault(); token.set(input.value.trim()); route() } },
      input, h('button', { class: 'primary', type: 'submit' }, 'Use this token')),
    h('p', {}, 'The token is kept for this browser tab only (sessionStorage).'),
  )
}

async function whoami() {
  me = (await gql('{ me { subject role approverRole } }')).me
  document.getElementById('who').replaceChildren(`${me.subject} (${me.role}) `,
    h('button', { id: 'sign-out', onclick: () => { token.clear(); me = null; route() } }, 'Sign out'))
}

async function clusterPage() {
  const { nodes, systemNodes } = await gql(`{ ${NODES} systemNodes { ready nodes warning } }`)
  const planForm = RANK[me.role] >= RANK.operator ? newPlanForm() : null
  show(overview(nodes, systemNodes), h('h2', {}, 'Plan a change'), planForm ?? h('p', {}, 'Your role may only look.'), h('h2', {}, 'Nodes'), nodesTable(nodes))
}

function newPlanForm() {
  const kind = h('select', { id: 'plan-kind' }, ['drain', 'undrain', 'decommission', 'rejoin'].map((k) => h('option', { value: k }, k)))
  const nodes = h('input', { id: 'plan-nodes', placeholder: 'nodes, comma separated', size: 30 })
  const reason = h('input', { id: 'plan-reason', placeholder: 'reason (ticket, incident)', size: 30 })
  const error = h('div')
  return h('form', { class: 'inline', id: 'new-plan', onsubmit: async (e) => {
    e.preventDefault()
    const field = { drain: 'planDrain', undrain: 'planUndrain', decommission: 'planDecommission', rejoin: 'planRejoin' }[kind.value]
    try {
      const data = await gql(`mutation($input: PlanNodesInput!) { ${field}(input: $input) { id } }`, {
        input: { nodes: nodes.value.split(',').map((s) => s.trim()).filter(Boolean), reason: reason.value },
      })
      location.hash = `#/plan/${encodeURIComponent(data[field].id)}`
    } catch (err) {
      error.replaceChildren(h('div', { class: 'error' }, `${err.message} (${err.code})`))
    }
  } }, kind, nodes, reason, h('button', { class: 'primary', type: 'submit' }, 'Plan'), error)
}

async function planView(id) {
  const { plan } = await gql(`query($id: ID!) { plan(id: $id) { ${PLAN} } }`, { id })
  if (!plan) return show(h('div', { class: 'error' }, `No plan with id ${id}.`))
  const may = (role) => RANK[me.role] >= RANK[role]
  const open = plan.status === 'PENDING' || plan.status === 'APPROVED'
  const message = h('div', { id: 'action-message' })
  const act = (label, field, cls) => h('button', { class: cls, id: `${field}-button`, onclick: async () => {
    message.replaceChildren()
    if (field === 'applyPlan') follow(plan.id)
    try {
      await gql(`mutation($id: ID!) { ${field}(id: $id) { id status } }`, { id: plan.id })
      await planView(plan.id)
    } catch (err) {
      message.replaceChildren(h('div', { class: 'error' }, `${err.message} (${err.code})`))
    }
  } }, label)
  const actions = [
    plan.status === 'PENDING' && may(me.approverRole ?? 'approver') && plan.createdBy !== me.subject ? act('Approve', 'approvePlan', 'primary') : null,
    open && may('operator') ? act('Apply', 'applyPlan', 'primary') : null,
    open && may('operator') ? act('Discard', 'discardPlan', 'danger') : null,
    message,
  ]
  show(planPage(plan, actions))
  if (plan.status === 'APPLYING') follow(plan.id)
}

const FINAL = ['APPLIED', 'FAILED', 'DISCARDED']

function follow(id) {
  stopFollowing?.()
  const showing = () => location.hash === `#/plan/${encodeURIComponent(id)}`
  // The live feed is read from the stored plan by whichever replica holds the socket; should it go
  // quiet (that replica gone), the page reads the plan itself and shows it once it has ended.
  let quiet = 0
  const poll = setInterval(async () => {
    if (++quiet < 3) return
    const data = await gql(`query($id: ID!) { plan(id: $id) { status } }`, { id }).catch(() => null)
    if (data?.plan && FINAL.includes(data.plan.status)) {
      stopFollowing?.()
      if (showing()) planView(id)
    }
  }, 2000)
  const stop = followPlan(id, (event) => {
    quiet = 0
    const list = document.getElementById('progress')
    if (!list || list.querySelector(`[data-address="${CSS.escape(event.change.address)}"]`)) return
    list.append(progressItem(event.change))
  }, () => clearInterval(poll))
  stopFollowing = () => {
    clearInterval(poll)
    stop()
  }
}

async function plansPage() {
  const { plans } = await gql(`{ plans(first: 50) { totalCount edges { node { id kind status nodes reason createdBy createdAt } } } }`)
  show(h('h1', {}, `Plans (${plans.totalCount})`), plansTable(plans.edges.map((e) => e.node)))
}

async function nodePage(name) {
  const { node, auditEvents } = await gql(
    `query($name: String!) { node(name: $name) { name ready draining roles gpus gpusInUse } auditEvents(filter: { node: $name }, first: 100) { edges { node { at actor action planId detail } } } }`,
    { name },
  )
  show(timeline(name, node, auditEvents.edges.map((e) => e.node)))
}

async function route() {
  stopFollowing?.()
  stopFollowing = null
  const [, page, arg] = location.hash.split('/')
  try {
    if (!me) await whoami()
    if (page === 'plan' && arg) await planView(decodeURIComponent(arg))
    else if (page === 'plans') await plansPage()
    else if (page === 'node' && arg) await nodePage(decodeURIComponent(arg))
    else await clusterPage()
  } catch (err) {
    if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') {
      const rejected = token.get() !== null
      token.clear()
      me = null
      return loginForm(rejected ? err.message : null)
    }
    show(h('div', { class: 'error' }, `${err.message}${err.code ? ` (${err.code})` : ''}`))
  }
}

window.addEventListener('hashchange', route)
route()
