// Building changes: addresses and the one factory that checks before/after against the action.
import type { Taint } from './cluster.js'
import type { Change, ChangeAction, ChangeReason, NodeValue } from './plan.js'

export const nodeAddress = (node: string): string => `node/${node}`
/** `key:Effect`, the identity of a taint on a node (a node has at most one taint per key and effect). */
export const taintId = (taint: Pick<Taint, 'key' | 'effect'>): string => `${taint.key}:${taint.effect}`
export const taintAddress = (node: string, taint: Pick<Taint, 'key' | 'effect'>): string => `node/${node}/taint/${taintId(taint)}`
export const labelAddress = (node: string, key: string): string => `node/${node}/label/${key}`

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
): Change {
  if (!id) throw new Error(`taint change on ${node} names no taint`)
  const action = actionFor(before, after, sameTaint)
  const address = taintAddress(node, id)
  checked(action, before, after, address)
  return { address, node, resource: 'TAINT', action, before, after, reason: noOpReason(action, reason) }
}

/** A label change; `key` is the label key, values are label value strings. */
export function labelChange(node: string, key: string, before: string | null, after: string | null, reason: ChangeReason): Change {
  const action = actionFor(before, after, (a, b) => a === b)
  const address = labelAddress(node, key)
  checked(action, before, after, address)
  return { address, node, resource: 'LABEL', action, before, after, reason: noOpReason(action, reason) }
}

export function nodeDeletion(node: string, before: NodeValue, reason: ChangeReason): Change {
  return { address: nodeAddress(node), node, resource: 'NODE', action: 'DELETE', before, after: null, reason }
}

/** A change deliberately left out: the live value stays as it is (both sides hold it). */
export function unchanged(change: Pick<Change, 'address' | 'node' | 'resource'>, live: Change['before'], reason: ChangeReason): Change {
  return { address: change.address, node: change.node, resource: change.resource, action: 'NO_OP', before: live, after: live, reason }
}

/** The label key a LABEL change names, or the key:Effect a TAINT change names. */
export function subjectOf(change: Pick<Change, 'address' | 'node' | 'resource'>): string {
  const prefix = change.resource === 'TAINT' ? `node/${change.node}/taint/` : `node/${change.node}/label/`
  return change.address.slice(prefix.length)
}
