// One node: state, taints, labels, workloads, the plans touching it and its audit timeline.
import { cluster, gql } from './api.js'
import { card, h, nameLine } from './dom.js'
import { count, RANK, roleList, when } from './format.js'
import { planForm } from './plan-form.js'

const QUERY = `query($name: String!, $c: String) {
  node(name: $name, cluster: $c) { name ready notReadySince unschedulable draining roles gpus gpusInUse
    labels { key value } taints { key value effect }
    workloads { namespace name kind gpus pods project relocation }
    plans(first: 20) { id kind status createdAt createdBy reason needsApproval nodes } }
  auditEvents(filter: { node: $name, cluster: $c }, first: 100) { totalCount edges { node { at actor action planId detail } } } }`
const OPEN = ['PENDING', 'APPROVED', 'APPLYING']
const EFFECT = { NO_EXECUTE: 'NoExecute', NO_SCHEDULE: 'NoSchedule', PREFER_NO_SCHEDULE: 'PreferNoSchedule' }

export async function nodePage(ctx, name) {
  const { node, auditEvents } = await gql(QUERY, { name, c: cluster.get() })
  const events = auditEvents.edges.map((e) => e.node)
  if (!node) {
    return ctx.show(h('h1', {}, `Node ${name}`), h('p', { class: 'note' }, 'Not in the cluster now (decommissioned, or never joined). Its history:'), timeline(events, auditEvents.totalCount))
  }
  const open = node.plans.filter((p) => OPEN.includes(p.status))
  const state = [node.ready ? 'Ready' : `NotReady${node.notReadySince ? ` since ${when(node.notReadySince)}` : ''}`, node.draining ? 'draining' : null, node.unschedulable ? 'cordoned' : null].filter(Boolean).join(', ')
  ctx.show(
    h('h1', {}, `Node ${node.name}`),
    h('div', { class: 'cards' },
      card(state, 'state', 'state'), card(roleList(node.roles), 'roles', 'roles'),
      card(`${node.gpusInUse} / ${node.gpus}`, 'GPUs in use / total', 'gpus'), card(node.workloads.length, node.workloads.length === 1 ? 'workload' : 'workloads', 'workload-count')),
    open.length ? h('div', { class: 'warning', id: 'open-plans-warning' }, `${count(open.length, 'open plan touches', 'open plans touch')} this node: `, open.map((p, i) => [i ? ', ' : '', h('a', { href: `#/plan/${encodeURIComponent(p.id)}` }, `${p.kind} ${p.id}`)])) : null,
    RANK[ctx.me.role] >= RANK.operator ? [h('h2', {}, 'Plan a change of this node'), planForm(() => [node.name], { currentRoles: node.roles })] : null,
    h('div', { class: 'columns' },
      h('div', {}, h('h2', {}, 'Taints'), node.taints.length
        ? h('table', { id: 'taints', class: 'compact' }, h('tr', {}, h('th', {}, 'Key'), h('th', {}, 'Value'), h('th', {}, 'Effect')),
          node.taints.map((t) => h('tr', {}, h('td', {}, t.key), h('td', {}, t.value ?? ''), h('td', {}, EFFECT[t.effect] ?? t.effect))))
        : h('p', { id: 'taints' }, 'None.')),
      h('div', {}, h('h2', {}, 'Labels'), h('table', { id: 'labels', class: 'compact' }, h('tr', {}, h('th', {}, 'Key'), h('th', {}, 'Value')),
        node.labels.map((l) => h('tr', {}, h('td', {}, l.key), h('td', {}, l.value)))))),
    h('h2', {}, `Workloads (${node.workloads.length})`),
    node.workloads.length
      ? h('table', { id: 'workloads' }, h('tr', {}, ['Workload', 'Project', 'Kind', 'Pods', 'GPUs', 'On a drain'].map((t) => h('th', {}, t))),
        node.workloads.map((w) => h('tr', {}, h('td', {}, `${w.namespace}/${w.name}`), h('td', {}, w.project ?? '-'), h('td', {}, w.kind.toLowerCase()), h('td', {}, w.pods), h('td', {}, w.gpus),
          h('td', { class: w.relocation === 'MANUAL' ? 'bad' : '' }, { AUTOMATIC: 'rescheduled', MANUAL: 'killed: resubmit by hand', NOT_AFFECTED: 'stays' }[w.relocation]))))
      : h('p', { id: 'workloads' }, 'None.'),
    h('h2', {}, 'Plans touching it'),
    node.plans.length
      ? h('table', { id: 'node-plans' }, h('tr', {}, ['Plan', 'Kind', 'Status', 'Nodes', 'Reason', 'Created'].map((t) => h('th', {}, t))),
        node.plans.map((p) => h('tr', { class: OPEN.includes(p.status) ? 'open' : '' }, h('td', {}, h('a', { href: `#/plan/${encodeURIComponent(p.id)}` }, p.id)), h('td', {}, p.kind),
          h('td', {}, h('span', { class: `status ${p.status}` }, p.status), p.status === 'PENDING' && p.needsApproval ? h('span', { class: 'status AWAITING' }, 'awaiting approval') : null),
          h('td', {}, nameLine(p.nodes)), h('td', {}, p.reason), h('td', { class: 'time' }, `${when(p.createdAt)} by ${p.createdBy}`))))
      : h('p', { id: 'node-plans' }, 'None.'),
    h('h2', {}, 'Timeline'),
    timeline(events, auditEvents.totalCount),
  )
}

/** A value of an audit event's detail as a person reads it: a taint as kubectl spells it, long lists shortened. */
function valueText(v) {
  if (v === null || v === undefined) return 'none'
  if (Array.isArray(v)) return v.length ? nameLine(v.map(valueText), 5) : 'none'
  if (typeof v !== 'object') return String(v)
  if ('key' in v && 'effect' in v) return `${v.key}${v.value ? `=${v.value}` : ''}:${v.effect}`
  return Object.entries(v).map(([k, x]) => `${k}=${valueText(x)}`).join(', ')
}

/** An audit event's detail as short "key: value" text. */
const detailText = (detail) => (detail && typeof detail === 'object' ? Object.entries(detail).map(([k, v]) => `${k}: ${valueText(v)}`).join('; ') : valueText(detail))

/** Audit events, newest first; `planHref` says where an event's planId links (a plan, or a rollout). */
export function timeline(events, total, planHref = (id) => `#/plan/${encodeURIComponent(id)}`) {
  if (!events.length) return h('p', { id: 'timeline' }, 'No events.')
  return h('div', {},
    h('table', { id: 'timeline' },
      h('tr', {}, ['When', 'Who', 'What', 'Plan', 'Detail'].map((t) => h('th', {}, t))),
      events.map((e) => h('tr', {},
        h('td', { class: 'time' }, when(e.at)), h('td', {}, e.actor), h('td', {}, e.action),
        h('td', {}, e.planId ? h('a', { href: planHref(e.planId) }, e.planId) : '-'),
        h('td', { class: 'detail' }, detailText(e.detail))))),
    total > events.length ? h('p', { class: 'note' }, `The newest ${events.length} of ${count(total, 'event')}.`) : null)
}
