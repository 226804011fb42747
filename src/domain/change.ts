// Building changes: one factory per resource, checking before/after against the action; the
// address is derived from the target, for display.
import type { Taint } from './cluster.js'
import type { ChangeAction, ChangeReason, LabelChange, NodeChange, NodeValue, TaintChange } from './plan.js'

/** `key:Effect`, the identity of a taint on a node (a node has at most one taint per key and effect). */
export const taintId = (taint: Pick<Taint, 'key' | 'effect'>): string => `${taint.key}:${taint.effect}`

type Targeted = Pick<TaintChange, 'resource' | 'target'> | Pick<LabelChange, 'resource' | 'target'> | Pick<NodeChange, 'resource' | 'target'>

/** The address people read: node/<node>, node/<node>/taint/<key>:<Effect>, node/<node>/label/<key>. */
export function addressOf(change: Targeted): string {
  switch (change.resource) {
    case 'NODE':
      return `node/${change.target.node}`
    case 'TAINT':
      return `node/${change.target.node}/taint/${taintId(change.target)}`
    case 'LABEL':
      return `node/${change.target.node}/label/${change.target.key}`
  }
}

/** The taint as `kubectl taint` spells it: `key=value:Effect`, or `key:Effect` without a value. */
export const formatTaint = (taint: Taint): string =>
  taint.value ? `${taint.key}=${taint.value}:${taint.effect}` : `${taint.key}:${taint.effect}`

export const sameTaint = (a: Taint, b: Taint): boolean =>
  a.key === b.key && a.effect === b.effect && (a.value ?? '') === (b.value ?? '')

export function findTaint(taints: readonly Taint[], id: Pick<Taint, 'key' | 'effect'>): Taint | undefined {
  return taints.find((t) => t.key === id.key && t.effect === id.effect)
}

/** The action that takes `before` to `after`; NO_OP when they are equal. */
export function actionFor<T>(before: T | null, after: T | null, equal: (a: T, b: T) => boolean): ChangeAction {
  if (before === null) return after === null ? 'NO_OP' : 'CREATE'
  if (after === null) return 'DELETE'
  return equal(before, after) ? 'NO_OP' : 'UPDATE'
}

function checked<T>(action: ChangeAction, before: T | null, after: T | null, address: string): void {
  const ok =
    action === 'CREATE' ? before === null && after !== null
    : action === 'DELETE' ? before !== null && after === null
    : action === 'UPDATE' ? before !== null && after !== null
    : true
  if (!ok) throw new Error(`${action} ${address}: before ${JSON.stringify(before)}, after ${JSON.stringify(after)} do not fit the action`)
}

/** A NO_OP is either already done or deliberately left alone. */
const noOpReason = (action: ChangeAction, reason: ChangeReason): ChangeReason =>
  action === 'NO_OP' && reason !== 'CHANGED_SINCE' ? 'ALREADY_DONE' : reason

/** A taint change; the action follows from before and after. NO_OP keeps the live value on both sides. */
export function taintChange(
  node: string,
  before: Taint | null,
  after: Taint | null,
  reason: ChangeReason,
  id: Pick<Taint, 'key' | 'effect'> | null = before ?? after,
): TaintChange {
  if (!id) throw new Error(`taint change on ${node} names no taint`)
  const target = { node, key: id.key, effect: id.effect }
  for (const side of [before, after]) {
    if (side && (side.key !== id.key || side.effect !== id.effect)) throw new Error(`taint change on ${node}: ${formatTaint(side)} and ${taintId(id)} are different taints`)
  }
  const action = actionFor(before, after, sameTaint)
  const address = addressOf({ resource: 'TAINT', target })
  checked(action, before, after, address)
  return { resource: 'TAINT', target, address, node, action, before, after, reason: noOpReason(action, reason) }
}

/** A label change; `key` is the label key, values are label value strings. */
export function labelChange(node: string, key: string, before: string | null, after: string | null, reason: ChangeReason): LabelChange {
  const target = { node, key }
  const action = actionFor(before, after, (a, b) => a === b)
  const address = addressOf({ resource: 'LABEL', target })
  checked(action, before, after, address)
  return { resource: 'LABEL', target, address, node, action, before, after, reason: noOpReason(action, reason) }
}

export function nodeDeletion(node: string, before: NodeValue, reason: ChangeReason): NodeChange {
  const target = { node }
  return { resource: 'NODE', target, address: addressOf({ resource: 'NODE', target }), node, action: 'DELETE', before, after: null, reason }
}
