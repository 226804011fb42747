// The JSON Patch (RFC 6902) that makes one taint or label change on the node as just read,
// touching only that entry and guarded by `test` ops, so that a write based on a stale read
// fails (422) instead of erasing what another client wrote meanwhile. Pure.
import type { NodeState, Taint } from '../../domain/cluster.js'
import { formatTaint, sameTaint } from '../../domain/change.js'
import { DRAIN_ANNOTATION_KEYS, drainAnnotationEffect } from '../../domain/drain-annotations.js'
import type { Change, LabelChange, TaintChange } from '../../domain/plan.js'
import { toTaint } from './node-state.js'

/** A node as the API server returned it (raw JSON: taints keep fields such as timeAdded verbatim). */
export interface RawNode {
  metadata?: { name?: string; uid?: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
  spec?: { taints?: RawTaint[] }
}
export interface RawTaint {
  key: string
  value?: string
  effect: string
  timeAdded?: string
}

export type JsonPatchOp =
  | { op: 'test' | 'add' | 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string }

export type PatchDecision =
  | { kind: 'already' }
  | { kind: 'patch'; ops: JsonPatchOp[] }
  /** The live entry is neither the plan's before nor its after: somebody else changed it. */
  | { kind: 'conflict'; message: string }

/** RFC 6901: `~` → `~0`, `/` → `~1`. */
export const escapePointer = (token: string): string => token.replace(/~/g, '~0').replace(/\//g, '~1')

/**
 * `annotations`: what a change putting the drain taint on writes beside it (drain-annotations.ts);
 * a change taking it off removes nodeplan's keys that are there. Other annotations are never touched.
 */
export function nodePatch(change: Change, node: RawNode, annotations: Record<string, string> | null = null): PatchDecision {
  if (change.resource === 'LABEL') return labelPatch(change, node)
  if (change.resource !== 'TAINT') throw new Error(`${change.address}: a ${change.resource} change is not a patch`)
  const decision = taintPatch(change, node)
  if (decision.kind !== 'patch') return decision
  return { kind: 'patch', ops: [...decision.ops, ...annotationOps(change, node, annotations)] }
}

/** The drain annotations' ops: per key, on exactly nodeplan's keys (`/` escaped as `~1`). */
function annotationOps(change: Change, node: RawNode, annotations: Record<string, string> | null): JsonPatchOp[] {
  const effect = drainAnnotationEffect(change)
  const live = node.metadata?.annotations
  if (effect === 'set' && annotations) {
    // No annotations at all: the whole map is added, so a concurrent writer's first annotation must not be lost.
    if (live === undefined) return [{ op: 'test', path: '/metadata/resourceVersion', value: node.metadata?.resourceVersion }, { op: 'add', path: '/metadata/annotations', value: annotations }]
    return Object.entries(annotations).map(([key, value]) => ({ op: 'add', path: `/metadata/annotations/${escapePointer(key)}`, value }))
  }
  if (effect === 'remove' && live) {
    return DRAIN_ANNOTATION_KEYS.filter((key) => key in live).map((key) => ({ op: 'remove', path: `/metadata/annotations/${escapePointer(key)}` }))
  }
  return []
}

/**
 * The patch for a node known only as last seen (a cache's NodeState, without the raw fields of
 * its taints): guarded by that version's resourceVersion and uid instead of by the entries'
 * values. A node that changed since answers 422 and has to be read; so does one the known state
 * says needs no patch ('already', 'conflict'), as that state may be old.
 */
export function knownNodePatch(change: Change, known: NodeState, annotations: Record<string, string> | null = null): PatchDecision {
  const node: RawNode = {
    metadata: {
      name: known.name,
      uid: known.uid,
      resourceVersion: known.resourceVersion,
      // Empty and absent are the same in a NodeState: the patch then sets the whole field.
      ...(Object.keys(known.labels).length > 0 ? { labels: known.labels } : {}),
    },
    spec: known.taints.length > 0 ? { taints: known.taints } : {},
  }
  const decision = nodePatch(change, node)
  if (decision.kind !== 'patch') return decision
  return {
    kind: 'patch',
    ops: [
      { op: 'test', path: '/metadata/uid', value: known.uid },
      { op: 'test', path: '/metadata/resourceVersion', value: known.resourceVersion },
      ...decision.ops.filter((op) => op.op !== 'test'),
      ...knownAnnotationOps(change, annotations),
    ],
  }
}

/**
 * The drain annotations' ops without knowing the node's annotations (the cache keeps none). Every
 * registered node has some (kubelet and controller-manager write them), so keys are set one by one;
 * a key is removed by setting then removing it, which holds whether it was there or not. A node
 * without any annotations refuses the patch (422), and the writer reads it and patches exactly.
 */
function knownAnnotationOps(change: Change, annotations: Record<string, string> | null): JsonPatchOp[] {
  const effect = drainAnnotationEffect(change)
  if (effect === 'set' && annotations) {
    return Object.entries(annotations).map(([key, value]) => ({ op: 'add', path: `/metadata/annotations/${escapePointer(key)}`, value }))
  }
  if (effect === 'remove') {
    return DRAIN_ANNOTATION_KEYS.flatMap((key): JsonPatchOp[] => {
      const path = `/metadata/annotations/${escapePointer(key)}`
      return [{ op: 'add', path, value: '' }, { op: 'remove', path }]
    })
  }
  return []
}

function taintPatch(change: TaintChange, node: RawNode): PatchDecision {
  const { before, after, target: id } = change
  const raw = node.spec?.taints
  const list = raw ?? []
  const index = list.findIndex((t) => t.key === id.key && t.effect === id.effect)
  const live = index >= 0 ? toTaint(list[index]!) : undefined
  const testRv: JsonPatchOp = { op: 'test', path: '/metadata/resourceVersion', value: node.metadata?.resourceVersion }

  if (after === null) {
    if (!live) return { kind: 'already' }
    if (before && !sameTaint(live, before)) return conflict(`taint ${formatTaint(live)} is on the node, the plan removes ${formatTaint(before)}`)
    return { kind: 'patch', ops: [{ op: 'test', path: `/spec/taints/${index}`, value: list[index] }, { op: 'remove', path: `/spec/taints/${index}` }] }
  }
  if (live && sameTaint(live, after)) return { kind: 'already' }
  if (before === null) {
    if (live) return conflict(`taint ${formatTaint(live)} is already on the node, the plan adds ${formatTaint(after)}`)
    const value = taintJson(after)
    if (raw === undefined) return { kind: 'patch', ops: [testRv, { op: 'add', path: '/spec/taints', value: [value] }] }
    return { kind: 'patch', ops: [{ op: 'test', path: '/spec/taints', value: raw }, { op: 'add', path: '/spec/taints/-', value }] }
  }
  if (!live || !sameTaint(live, before)) {
    return conflict(`taint ${live ? formatTaint(live) : `${id.key}:${id.effect}`} ${live ? 'is on the node' : 'is not on the node'}, the plan changes ${formatTaint(before)}`)
  }
  return {
    kind: 'patch',
    ops: [{ op: 'test', path: `/spec/taints/${index}`, value: list[index] }, { op: 'replace', path: `/spec/taints/${index}`, value: taintJson(after) }],
  }
}

function labelPatch(change: LabelChange, node: RawNode): PatchDecision {
  const { before, after, target: { key } } = change
  const labels = node.metadata?.labels
  const live = labels?.[key]
  const path = `/metadata/labels/${escapePointer(key)}`
  const show = (v: string | null | undefined) => (v === null || v === undefined ? 'absent' : JSON.stringify(v))

  if (live === (after ?? undefined)) return { kind: 'already' }
  if (live !== (before ?? undefined)) return conflict(`label ${key} is ${show(live)}, the plan expected ${show(before)}`)
  if (after === null) return { kind: 'patch', ops: [{ op: 'test', path, value: live }, { op: 'remove', path }] }
  if (before !== null) return { kind: 'patch', ops: [{ op: 'test', path, value: live }, { op: 'replace', path, value: after }] }
  // Absence cannot be tested in JSON Patch, so adding a label is guarded by the resourceVersion.
  const testRv: JsonPatchOp = { op: 'test', path: '/metadata/resourceVersion', value: node.metadata?.resourceVersion }
  if (labels === undefined) return { kind: 'patch', ops: [testRv, { op: 'add', path: '/metadata/labels', value: { [key]: after } }] }
  return { kind: 'patch', ops: [testRv, { op: 'add', path, value: after }] }
}

function taintJson(t: Taint): RawTaint {
  return t.value ? { key: t.key, value: t.value, effect: t.effect } : { key: t.key, effect: t.effect }
}

const conflict = (message: string): PatchDecision => ({ kind: 'conflict', message })
