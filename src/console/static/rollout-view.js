// A rollout: where it stands and what it waits for, the buttons the caller's role may use, the
// waves with their guard figures and nodes, the forecast, the timeline of its audit events. Live
// over the rolloutProgress subscription; should that end or stall, the page reads the rollout
// every few seconds instead and says so.
import { gql, subscribe } from './api.js'
import { confirmAction } from './dialog.js'
import { h } from './dom.js'
import { count, RANK, when } from './format.js'
import { timeline } from './node-view.js'
import { FINAL_ROLLOUT, rolloutCards, rolloutDiff, settings, waves } from './rollout-waves.js'

const WORKLOAD = 'namespace name kind gpus project'
export const ROLLOUT = `id cluster status reason createdBy createdAt approvedBy needsApproval awaitingMyApproval startedAt finishedAt
  drainMode drainTimeoutSeconds maxUnavailable minGpusInService poolLabel notBefore
  window { cron durationMinutes timeZone nextOpensAt open }
  waves { index status startedAt finishedAt
    nodes { name pool stage gpus drainedAt maintenanceDoneAt maintenanceDoneBy returnedAt error }
    impact { gpus automaticallyRescheduled { ${WORKLOAD} } manualRelocation { ${WORKLOAD} } }
    guard { nodesOut maxUnavailable gpusInService minGpusInService readySystemNodes pools { pool gpusInService minGpusInService } satisfied reason }
    plans { id kind status } }
  currentWave diff waitingFor error leftDrained warnings
  forecast { drainSeconds maintenanceSeconds samples remainingSeconds endsAt }`
const POLL_MS = 2000
const EVENTS = 'totalCount edges { node { id at actor action planId node detail } }'

export async function rolloutPage(ctx, id) {
  const { rollout } = await gql(`query($id: ID!) { rollout(id: $id) { ${ROLLOUT} } }`, { id })
  if (!rollout) return ctx.show(h('div', { class: 'error' }, `No rollout with id ${id}.`))
  const page = { ctx, r: rollout, message: h('div', { id: 'action-message' }), live: h('p', { class: 'note', id: 'live-note' }), events: h('div', { id: 'rollout-timeline' }) }
  // A live update redraws the page: the diff stays open if it was.
  page.render = (diffOpen = document.querySelector('details.changes')?.open ?? false) => ctx.show(
    h('h1', {}, `Rollout ${page.r.id}`),
    h('p', { id: 'rollout-meta' }, meta(page.r)),
    bar(page),
    rolloutCards(page.r),
    settings(page.r),
    page.r.warnings.map((w) => h('div', { class: 'warning plan-warning' }, `⚠ ${w}`)),
    h('h2', {}, `Waves (${page.r.waves.length})`),
    waves(page.r, (node) => may(ctx, 'operator') ? button('Maintenance done…', `complete-${node.name}`, 'primary', () => complete(page, node.name)) : null),
    h('h2', {}, 'Timeline'),
    page.events,
    h('h2', {}, 'The rollout as planned'),
    rolloutDiff(page.r.diff, diffOpen),
  )
  page.update = (r) => {
    page.r = r
    page.render()
    loadEvents(page).catch(() => {})
  }
  page.update(rollout)
  if (!FINAL_ROLLOUT.includes(rollout.status)) follow(page)
}

const may = (ctx, role) => RANK[ctx.me.role] >= RANK[role]

function meta(r) {
  return [
    `“${r.reason}”. Created by ${r.createdBy} at ${when(r.createdAt)}`,
    r.approvedBy ? `; approved by ${r.approvedBy}` : '',
    r.startedAt ? `; started ${when(r.startedAt)}` : '',
    r.finishedAt ? `; finished ${when(r.finishedAt)}` : '',
    '.',
  ]
}

function bar(page) {
  const { r } = page
  const awaiting = r.status === 'PENDING' && r.needsApproval
  return h('div', { class: 'plan-bar', id: 'rollout-bar' },
    h('div', { class: 'bar-row' },
      h('span', { class: `status ${r.status}`, id: 'rollout-status' }, r.status),
      awaiting ? h('span', { class: 'status AWAITING', id: 'awaiting-approval' }, r.awaitingMyApproval ? 'Awaiting your approval' : 'Awaiting approval') : null,
      h('span', { id: 'actions' }, actions(page))),
    r.waitingFor ? h('p', { id: 'waiting-for' }, h('strong', {}, 'Waiting for: '), r.waitingFor) : null,
    r.error ? h('div', { class: 'error', id: 'rollout-error' }, r.error) : null,
    r.leftDrained.length ? h('div', { class: 'warning critical', id: 'left-drained' },
      `Left drained: ${r.leftDrained.join(', ')}. They stay out of service until someone undrains them (plan an undrain of these nodes).`) : null,
    page.live,
    page.message,
  )
}

const button = (label, id, cls, onclick) => h('button', { type: 'button', id: `${id}-button`, class: cls, onclick }, label)

function actions(page) {
  const { ctx, r } = page
  if (!may(ctx, 'operator')) return []
  const list = []
  const startable = r.status === 'APPROVED' || (r.status === 'PENDING' && !r.needsApproval)
  if (r.awaitingMyApproval) list.push(button('Approve…', 'approve', 'primary', () => approve(page)))
  if (startable) list.push(button('Start…', 'start', 'primary', () => start(page)))
  if (['RUNNING', 'SCHEDULED'].includes(r.status)) list.push(button('Pause…', 'pause', '', () => simple(page, 'pauseRollout', 'Pause this rollout?', 'It stops before its next step; nodes in maintenance stay there. Resume continues it.', 'Pause')))
  if (r.status === 'PAUSED') list.push(button('Resume…', 'resume', 'primary', () => simple(page, 'resumeRollout', 'Resume this rollout?', 'It continues where it stopped, inside its window.', 'Resume')))
  if (['RUNNING', 'SCHEDULED', 'PAUSED'].includes(r.status)) list.push(button('Abort…', 'abort', 'danger', () => abort(page)))
  if (['PENDING', 'APPROVED'].includes(r.status)) list.push(button('Discard…', 'discard', 'danger', () => simple(page, 'discardRollout', 'Discard this rollout?', 'It stays in the history but can no longer be approved or started.', 'Discard', true)))
  return list
}

const nodeCount = (r) => r.waves.reduce((n, w) => n + w.nodes.length, 0)

/** Runs one of the rollout's mutations; `params` and `args` as GraphQL spells them; the page shows the answer. */
async function run(page, field, variables, params = '$id: ID!', args = 'id: $id') {
  page.message.replaceChildren()
  try {
    const result = await gql(`mutation(${params}) { ${field}(${args}) { ${ROLLOUT} } }`, variables)
    if (page.ctx.alive) page.update(result[field])
  } catch (err) {
    page.message.replaceChildren(h('div', { class: 'error' }, `${err.message} (${err.code})`))
  }
}

async function approve(page) {
  const n = nodeCount(page.r)
  const ok = await confirmAction({ title: 'Approve this rollout?', lines: [`${count(n, 'node')} in ${count(page.r.waves.length, 'wave')}, at most ${page.r.maxUnavailable} out of service at once.`, 'Once approved, an operator may start it.'],
    typed: String(n), typedLabel: `Type the number of nodes, ${n}, to confirm `, confirm: 'Approve' })
  if (ok) await run(page, 'approveRollout', { id: page.r.id })
}

async function start(page) {
  const n = nodeCount(page.r)
  const ok = await confirmAction({ title: 'Start this rollout?', lines: [`It drains ${count(n, 'node')} wave by wave (${count(page.r.waves.length, 'wave')}), each under the capacity guard, waiting for its time and window by itself.`],
    typed: String(n), typedLabel: `Type the number of nodes, ${n}, to confirm `, confirm: 'Start' })
  if (ok) await run(page, 'startRollout', { id: page.r.id })
}

async function simple(page, mutation, title, line, confirm, danger = false) {
  if (await confirmAction({ title, lines: [line], confirm, danger })) await run(page, mutation, { id: page.r.id })
}

async function abort(page) {
  const out = page.r.waves.flatMap((w) => w.nodes).filter((x) => ['DRAINING', 'IN_MAINTENANCE', 'CHECKING', 'FAILED'].includes(x.stage)).map((x) => x.name)
  const ok = await confirmAction({ title: 'Abort this rollout?', lines: ['It stops for good: no further wave starts.',
    out.length ? `Drained nodes stay drained: ${out.join(', ')}.` : 'No node is drained by it now.'], reason: '', confirm: 'Abort', danger: true })
  if (ok) await run(page, 'abortRollout', { id: page.r.id, reason: ok.reason }, '$id: ID!, $reason: String!', 'id: $id, reason: $reason')
}

async function complete(page, node) {
  const ok = await confirmAction({ title: `Is the maintenance of ${node} done?`, lines: ['nodeplan then checks the node (Ready, its GPUs allocatable again) and undrains it.'], confirm: 'Maintenance done' })
  if (ok) await run(page, 'completeMaintenance', { id: page.r.id, node }, '$id: ID!, $node: String!', 'rolloutId: $id, node: $node')
}

/**
 * The rollout's audit events, newest first: each carries its id as planId. Its waves' plans have
 * their own pages (linked from each wave) for their changes.
 */
async function loadEvents(page) {
  const { auditEvents } = await gql(`query($id: ID!) { auditEvents(filter: { planId: $id }, first: 200) { ${EVENTS} } }`, { id: page.r.id })
  const events = auditEvents.edges.map((e) => e.node)
  page.events.replaceChildren(timeline(events, auditEvents.totalCount, (id) => (id === page.r.id ? `#/rollout/${encodeURIComponent(id)}` : `#/plan/${encodeURIComponent(id)}`)))
}

/** What a reading shows a person: when two readings differ in it, the page must change. */
const signature = (r) => JSON.stringify([r.status, r.waitingFor, r.error, r.currentWave, r.waves.map((w) => [w.status, w.nodes.map((n) => n.stage)])])

/**
 * rolloutProgress updates the page. It is also read every POLL_MS: a reading that differs from
 * what is shown, twice with nothing delivered between, means the subscription stalled; then the
 * readings update the page, as they do when the subscription ends before the rollout.
 */
function follow(page) {
  let polling = false
  let deliveries = 0
  let suspect = null
  const takeOver = (why) => {
    if (polling) return
    polling = true
    stop()
    page.live.textContent = `${why}: this page reads the rollout every ${POLL_MS / 1000} s instead.`
  }
  const stop = subscribe(`subscription($id: ID!) { rolloutProgress(id: $id) { ${ROLLOUT} } }`, { id: page.r.id },
    (data) => {
      if (polling || !page.ctx.alive) return
      deliveries++
      page.update(data.rolloutProgress)
    },
    () => { if (!FINAL_ROLLOUT.includes(page.r.status)) takeOver('Live updates ended') })
  const timer = setInterval(async () => {
    if (FINAL_ROLLOUT.includes(page.r.status)) return clearInterval(timer)
    try {
      const { rollout } = await gql(`query($id: ID!) { rollout(id: $id) { ${ROLLOUT} } }`, { id: page.r.id })
      if (!rollout || !page.ctx.alive) return
      const differs = signature(rollout) !== signature(page.r)
      if (polling) return differs && page.update(rollout)
      if (!differs) suspect = null
      else if (suspect === null || suspect !== deliveries) suspect = deliveries
      else {
        takeOver('Live updates stalled')
        page.update(rollout)
      }
    } catch { /* the next reading tries again */ }
  }, POLL_MS)
  page.ctx.onLeave(() => { polling = true; stop(); clearInterval(timer) })
}
