// A plan: one summary first, then what needs attention, then the details folded. The bar at the
// top (status, buttons, progress) stays in view; the page follows the plan's status by polling,
// and an apply's progress over the planProgress subscription (polling too, should that stall).
import { followPlan, gql } from './api.js'
import { confirmAction } from './dialog.js'
import { foldedList, h, nameLine } from './dom.js'
import { byName, count, RANK, when } from './format.js'
import { createPlan } from './plan-form.js'
import { capacity, changes, summary, warnings, workloads } from './plan-summary.js'

const WORKLOAD = 'namespace name kind gpus project'
const PLAN = `id kind status reason createdBy createdAt approvedBy appliedBy appliedAt nodes stale needsApproval awaitingMyApproval warnings diff rolloutId
  rollbackOf { id }
  changes { address node action applied error }
  impact { nodes gpus readySystemNodesAfter automaticallyRescheduled { ${WORKLOAD} } manualRelocation { ${WORKLOAD} } }`
const WATCH = 'query($id: ID!) { plan(id: $id) { status stale changes { address action applied error } } }'
const POLL_MS = 2000
const OPEN = ['PENDING', 'APPROVED']

export async function planPage(ctx, id, notice = null) {
  const { plan, nodes } = await gql(`query($id: ID!) { plan(id: $id) { ${PLAN} } nodes { name ready draining gpus } }`, { id })
  if (!plan) return ctx.show(h('div', { class: 'error' }, `No plan with id ${id}.`))
  const cap = capacity(plan, nodes)
  const bar = h('div', { class: 'plan-bar', id: 'plan-bar' })
  const page = { ctx, plan, cap, bar, message: h('div', { id: 'action-message' }, notice) }
  page.refresh = (message = null) => {
    if (page.gone) return
    page.gone = true
    ctx.leave()
    return planPage(ctx, id, message).catch((err) => ctx.fail(err))
  }
  ctx.show(
    h('h1', {}, `Plan ${plan.id}`),
    h('p', { id: 'plan-meta' }, meta(plan)),
    bar,
    summary(plan, cap),
    warnings(plan.warnings),
    h('h2', {}, `Nodes (${plan.nodes.length})`),
    foldedList([...plan.nodes].sort(byName).map((n) => h('a', { href: `#/node/${encodeURIComponent(n)}` }, n)), 12, { id: 'plan-node-list', class: 'names' }),
    h('h2', {}, 'Changes'),
    changes(plan.diff),
    workloads(plan.impact),
  )
  if (plan.status === 'APPLYING') applying(page)
  else renderBar(page)
  if (plan.status === 'APPLYING' || OPEN.includes(plan.status)) watch(page)
}

function meta(plan) {
  return [
    `${plan.kind} of ${count(plan.nodes.length, 'node')} — “${plan.reason}”. Created by ${plan.createdBy} at ${when(plan.createdAt)}`,
    plan.approvedBy ? `; approved by ${plan.approvedBy}` : '',
    plan.appliedBy ? `; applied by ${plan.appliedBy}${plan.appliedAt ? ` at ${when(plan.appliedAt)}` : ''}` : '',
    '.',
    plan.rollbackOf ? [' Rolls back ', h('a', { href: `#/plan/${encodeURIComponent(plan.rollbackOf.id)}` }, plan.rollbackOf.id), '.'] : '',
    plan.rolloutId ? [' A wave of rollout ', h('a', { href: `#/rollout/${encodeURIComponent(plan.rolloutId)}`, id: 'plan-rollout' }, plan.rolloutId), '.'] : '',
  ]
}

const badge = (status) => h('span', { class: `status ${status}`, id: 'plan-status' }, status)

function renderBar(page) {
  const { plan, bar, message } = page
  const awaiting = plan.status === 'PENDING' && plan.needsApproval
  bar.replaceChildren(...[
    h('div', { class: 'bar-row' },
      badge(plan.status),
      awaiting ? h('span', { class: 'status AWAITING', id: 'awaiting-approval' }, 'Awaiting approval') : null,
      plan.stale ? h('span', { class: 'status STALE', id: 'stale' }, 'Stale') : null,
      h('span', { id: 'actions' }, actions(page)),
    ),
    note(page),
    ['APPLIED', 'FAILED'].includes(plan.status) || plan.changes.some((c) => c.error) ? progress(plan.changes.filter((c) => c.action !== 'NO_OP')) : null,
    message,
  ].filter(Boolean))
}

/** What the people looking at this plan should know about its state and their part in it. */
function note({ ctx, plan }) {
  const me = ctx.me
  const text =
    plan.stale && OPEN.includes(plan.status) ? 'The cluster changed since this plan was made: it can no longer be applied. Re-plan it.'
    : plan.status === 'PENDING' && plan.needsApproval
      ? plan.createdBy === me.subject
        ? 'Awaiting approval: the policy requires an approver other than you to approve this plan before it can be applied. This page updates when they do.'
        : plan.awaitingMyApproval ? `Awaiting your approval (${plan.createdBy} made this plan).` : 'Awaiting approval by an approver. This page updates when they approve.'
    : plan.status === 'APPLIED' && plan.kind === 'DECOMMISSION' ? 'To bring a node back: an admin creates a join command (Cluster page), you run it on the machine, and once it has joined, Plan rejoin restores its roles and labels.'
    : plan.status === 'NO_CHANGES' ? 'This plan changes nothing: the cluster already is as it asks. There is nothing to approve or apply.'
    : plan.status === 'FAILED' ? 'Some changes failed; those applied stay applied. Retry the failed ones, or roll back what was applied.'
    : null
  return text ? h('p', { class: 'note', id: 'plan-note' }, text) : null
}

function actions(page) {
  const { ctx, plan } = page
  const may = (role) => RANK[ctx.me.role] >= RANK[role]
  if (!may('operator')) return []
  const open = OPEN.includes(plan.status)
  const list = []
  if (open && !plan.stale) {
    if (plan.awaitingMyApproval) list.push(button('Approve…', 'approve', 'primary', () => approve(page)))
    if (plan.status === 'APPROVED' || !plan.needsApproval) list.push(button('Apply…', 'apply', plan.kind === 'DECOMMISSION' ? 'danger' : 'primary', () => apply(page)))
  }
  const failedNodes = [...new Set(plan.changes.filter((c) => c.action !== 'NO_OP' && !c.applied).map((c) => c.node))]
  if (plan.status === 'FAILED' && failedNodes.length && plan.kind !== 'RELABEL') {
    list.push(button(`Retry ${count(failedNodes.length, 'failed node')}…`, 'retry', 'primary', () => replan(page, plan.kind, failedNodes, `retry of ${plan.id}: ${plan.reason}`)))
  }
  if ((plan.stale && open) || plan.status === 'DISCARDED') {
    if (plan.kind !== 'RELABEL') list.push(button('Re-plan…', 'replan', 'primary', () => replan(page, plan.kind, plan.nodes, plan.reason)))
  }
  if (plan.status === 'APPLIED' && plan.kind === 'DRAIN') list.push(button('Undrain these nodes…', 'undrain', '', () => replan(page, 'UNDRAIN', plan.nodes, `undo ${plan.id}: ${plan.reason}`)))
  if (plan.status === 'APPLIED' && plan.kind === 'DECOMMISSION') list.push(button('Plan rejoin…', 'rejoin', '', () => replan(page, 'REJOIN', plan.nodes, `rejoin after ${plan.id}`)))
  if (['APPLIED', 'FAILED'].includes(plan.status) && !['ROLLBACK', 'DECOMMISSION'].includes(plan.kind)) {
    list.push(button('Roll back…', 'rollback', '', () => replan(page, 'ROLLBACK', plan.nodes, `roll back ${plan.id}: ${plan.reason}`)))
  }
  if (open) list.push(button('Discard…', 'discard', 'danger', () => discard(page)))
  return list
}

const button = (label, id, cls, onclick) => h('button', { type: 'button', id: `${id}-button`, class: cls, onclick }, label)

/** The sentence a confirmation shows: what this plan does. */
function effect({ plan, cap }) {
  const killed = plan.impact.manualRelocation.filter((w) => w.kind === 'INTERACTIVE').length
  const parts = [`${plan.kind} of ${count(plan.nodes.length, 'node')}`]
  if (cap.out) parts.push(`${count(cap.out, 'GPU')} out of service`)
  if (cap.back) parts.push(`${count(cap.back, 'GPU')} back in service`)
  parts.push(`${count(killed, 'interactive session')} killed`)
  if (plan.kind === 'DECOMMISSION') parts.push(`the Node ${plan.nodes.length === 1 ? 'object is' : 'objects are'} deleted from the cluster`)
  return `${parts.join('; ')}.`
}

/** What a person types to confirm: the node's name for a decommission of one node, else the node count. */
function typedFor(plan) {
  return plan.kind === 'DECOMMISSION' && plan.nodes.length === 1 ? plan.nodes[0] : String(plan.nodes.length)
}
const typedLabel = (plan) => (plan.kind === 'DECOMMISSION' && plan.nodes.length === 1 ? `Type the node's name, ${plan.nodes[0]}, to confirm ` : `Type the number of nodes, ${plan.nodes.length}, to confirm `)

async function run(page, field) {
  page.message.replaceChildren()
  let notice = null
  try {
    await gql(`mutation($id: ID!) { ${field}(id: $id) { id status } }`, { id: page.plan.id })
  } catch (err) {
    notice = h('div', { class: 'error' }, `${err.message} (${err.code})`)
  }
  await page.refresh(notice)
}

async function approve(page) {
  const ok = await confirmAction({ title: `Approve this ${page.plan.kind} plan?`, lines: [effect(page), 'Once approved, an operator may apply it.'],
    typed: typedFor(page.plan), typedLabel: typedLabel(page.plan), confirm: 'Approve' })
  if (ok) await run(page, 'approvePlan')
}

async function discard(page) {
  const ok = await confirmAction({ title: 'Discard this plan?', lines: ['It stays in the history but can no longer be approved or applied.'], confirm: 'Discard', danger: true })
  if (ok) await run(page, 'discardPlan')
}

async function apply(page) {
  const { plan } = page
  const ok = await confirmAction({ title: `Apply ${plan.kind} to the cluster?`, lines: [effect(page)],
    typed: typedFor(plan), typedLabel: typedLabel(plan), confirm: plan.kind === 'DECOMMISSION' ? 'Decommission' : 'Apply', danger: plan.kind === 'DECOMMISSION' })
  if (!ok) return
  page.ctx.leave()
  applying(page)
  watch(page)
  await run(page, 'applyPlan')
}

async function replan(page, kind, nodes, reason) {
  const rollback = kind === 'ROLLBACK'
  const ok = await confirmAction({
    title: rollback ? 'Plan a rollback?' : `Plan ${kind.toLowerCase()} of ${count(nodes.length, 'node')}?`,
    lines: [rollback ? 'A new plan undoes what was applied, where nobody changed it since.' : `A new plan for ${nameLine(nodes, 5)}.`, 'You review it before anything happens.'],
    reason, confirm: 'Plan',
  })
  if (!ok) return
  try {
    // A rollback plan that failed or went stale is planned again from the plan it undoes.
    const target = page.plan.kind === 'ROLLBACK' ? page.plan.rollbackOf.id : page.plan.id
    const id = rollback
      ? (await gql('mutation($id: ID!, $reason: String!) { planRollback(planId: $id, reason: $reason) { id } }', { id: target, reason: ok.reason })).planRollback.id
      : await createPlan(kind.toLowerCase(), nodes, ok.reason)
    location.hash = `#/plan/${encodeURIComponent(id)}`
  } catch (err) {
    page.message.replaceChildren(h('div', { class: 'error' }, `${err.message} (${err.code})`))
  }
}

/** The progress bar with applied/failed counts, from the changes as reported so far. */
function progress(changes) {
  const applied = changes.filter((c) => c.applied).length
  const failed = changes.filter((c) => !c.applied && c.error).length
  const failures = changes.filter((c) => !c.applied && c.error)
  return h('div', { id: 'progress' },
    h('progress', { id: 'progress-bar', max: changes.length || 1, value: applied + failed }),
    h('span', { id: 'progress-count' }, `${applied + failed} of ${count(changes.length, 'change')}: `,
      h('span', { class: 'ok', id: 'applied-count' }, `${applied} applied`), ', ',
      h('span', { class: failed ? 'bad' : '', id: 'failed-count' }, `${failed} failed`)),
    failures.length ? h('details', { id: 'failures', open: failures.length <= 5 }, h('summary', {}, `${count(failures.length, 'failed change')}`),
      h('ul', {}, failures.map((c) => h('li', { 'data-address': c.address }, h('span', { class: 'bad' }, '✗ '), `${c.address}: ${c.error}`)))) : null,
  )
}

/** While applying: the badge says so, no buttons, and the bar fills from the subscription (and the poll). */
function applying(page) {
  const work = new Map(page.plan.changes.filter((c) => c.action !== 'NO_OP').map((c) => [c.address, { ...c }]))
  const draw = () => page.bar.replaceChildren(
    h('div', { class: 'bar-row' }, badge('APPLYING'), h('span', { class: 'note' }, 'Applying: changes land one by one. This page follows them.')),
    progress([...work.values()]),
    page.message,
  )
  page.report = (change) => {
    const known = work.get(change.address)
    if (!known || known.applied || (known.error && !change.applied && change.error === known.error)) return
    work.set(change.address, { ...known, applied: change.applied, error: change.error })
    draw()
  }
  draw()
  const stop = followPlan(page.plan.id, (event) => page.report(event.change))
  page.ctx.onLeave(stop)
}

/** Polls the plan: an approval elsewhere, a change of status, or progress the subscription missed. */
function watch(page) {
  const timer = setInterval(async () => {
    try {
      const { plan } = await gql(WATCH, { id: page.plan.id })
      if (!plan) return
      if (plan.status === 'APPLYING') plan.changes.forEach((c) => page.report?.(c))
      // While this page applies, only the end of the apply matters (the status may not say APPLYING yet).
      const moved = page.report ? ['APPLIED', 'FAILED'].includes(plan.status) : plan.status !== page.plan.status || plan.stale !== page.plan.stale
      if (moved) await page.refresh()
    } catch { /* the next poll tries again */ }
  }, POLL_MS)
  page.ctx.onLeave(() => clearInterval(timer))
}
