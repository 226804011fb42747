// Taints, tolerations and the fit rules shared by the taint manager and the scheduler.
import { GPU_RESOURCE } from './node-object.js'
import type { KubeObject } from './store.js'

export interface Taint {
  key: string
  value?: string
  effect: string
  timeAdded?: string
}

export interface Toleration {
  key?: string
  operator?: string
  value?: string
  effect?: string
  tolerationSeconds?: number
}

export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false
  if (toleration.key === undefined || toleration.key === '') return toleration.operator === 'Exists'
  if (toleration.key !== taint.key) return false
  if (toleration.operator === 'Exists') return true
  return (toleration.value ?? '') === (taint.value ?? '')
}

export const taintsOf = (node: KubeObject): Taint[] => (node.spec?.taints as Taint[] | undefined) ?? []
export const tolerationsOf = (pod: KubeObject): Toleration[] => (pod.spec?.tolerations as Toleration[] | undefined) ?? []

export type EvictionDecision = { evict: 'now' } | { evict: 'at'; at: number } | { evict: 'never' }

/**
 * The taint manager's rule for one pod: evicted at once by a NoExecute taint it does not
 * tolerate; by one it tolerates for tolerationSeconds, once that long has passed since the
 * taint was added; never while it tolerates every NoExecute taint without a limit.
 */
export function evictionDecision(pod: KubeObject, taints: Taint[], taintObservedAt: (taint: Taint) => number): EvictionDecision {
  let deadline = Infinity
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue
    const matching = tolerationsOf(pod).filter((t) => tolerates(t, taint))
    if (matching.length === 0) return { evict: 'now' }
    const limits = matching.map((t) => t.tolerationSeconds)
    if (limits.some((s) => s === undefined || s === null)) continue
    const seconds = Math.max(0, Math.min(...(limits as number[])))
    deadline = Math.min(deadline, taintObservedAt(taint) + seconds * 1000)
  }
  return deadline === Infinity ? { evict: 'never' } : { evict: 'at', at: deadline }
}

export function podGpus(pod: KubeObject): number {
  let total = 0
  for (const c of (pod.spec?.containers ?? []) as { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[]) {
    total += Number(c.resources?.requests?.[GPU_RESOURCE] ?? c.resources?.limits?.[GPU_RESOURCE] ?? 0)
  }
  return total
}

/** Terminal or not yet bound pods hold no GPUs. */
export function holdsResources(pod: KubeObject): boolean {
  const phase = pod.status?.phase
  return Boolean(pod.spec?.nodeName) && phase !== 'Succeeded' && phase !== 'Failed'
}
