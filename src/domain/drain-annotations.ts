// "Who drained this node", on the node itself: while nodeplan's drain taint is on a node, these
// annotations name the plan, who applied it, why and since when, so `kubectl describe node`
// answers without nodeplan. They come and go in the same patch as the taint.
import { DRAIN_TAINT } from './cluster.js'
import type { Change } from './plan.js'

export const DRAIN_ANNOTATIONS = {
  plan: 'nodeplan.io/plan',
  reason: 'nodeplan.io/reason',
  actor: 'nodeplan.io/actor',
  since: 'nodeplan.io/since',
} as const

export const DRAIN_ANNOTATION_KEYS: readonly string[] = Object.values(DRAIN_ANNOTATIONS)

export function drainAnnotations(facts: { planId: string; reason: string; actor: string; since: Date }): Record<string, string> {
  return {
    [DRAIN_ANNOTATIONS.plan]: facts.planId,
    [DRAIN_ANNOTATIONS.reason]: facts.reason,
    [DRAIN_ANNOTATIONS.actor]: facts.actor,
    [DRAIN_ANNOTATIONS.since]: facts.since.toISOString(),
  }
}

/** 'set' when the change puts the drain taint on, 'remove' when it takes it off, else null. */
export function drainAnnotationEffect(change: Change): 'set' | 'remove' | null {
  if (change.resource !== 'TAINT' || change.action === 'NO_OP') return null
  if (change.target.key !== DRAIN_TAINT.key || change.target.effect !== DRAIN_TAINT.effect) return null
  return change.after === null ? 'remove' : 'set'
}
