// PodDisruptionBudgets: the disruption controller keeps each budget's status, and the eviction
// subresource refuses an eviction the budget does not allow.
import { selectorMatches } from './selectors.js'
import type { Controller } from './settle-loop.js'
import type { SimContext } from './sim-context.js'
import { ApiError, tooManyRequests } from './status.js'
import type { KubeObject } from './store.js'

export interface PdbStatus {
  expectedPods: number
  currentHealthy: number
  desiredHealthy: number
  disruptionsAllowed: number
}

export class PdbController implements Controller {
  /** Namespaces whose budgets may need a new status (a pod or budget in them changed). */
  private readonly namespaces = new Set<string>()

  constructor(private readonly ctx: SimContext) {}

  touch(namespace: string): void {
    this.namespaces.add(namespace)
  }

  hasWork(): boolean {
    return this.namespaces.size > 0
  }

  step(): void {
    const namespaces = [...this.namespaces]
    this.namespaces.clear()
    for (const ns of namespaces) this.refresh(ns)
  }

  /** The pods/eviction subresource: deletes the pod unless its budget allows no disruption. */
  evict(namespace: string, name: string): void {
    const { pods, pdbs } = this.ctx
    const pod = pods.mustGet(namespace, name)
    const covering = pdbs.list(namespace).filter((pdb) => selectorMatches(pdb.spec?.selector, pod.metadata.labels))
    if (covering.length > 1) {
      throw new ApiError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.')
    }
    const pdb = covering[0]
    if (pdb && pod.status?.phase === 'Running') {
      const status = this.status(pdb)
      if (status.disruptionsAllowed <= 0) {
        throw tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", {
          causes: [
            {
              reason: 'DisruptionBudget',
              message: `The disruption budget ${pdb.metadata.name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`,
            },
          ],
        })
      }
    }
    pods.delete(namespace, name)
  }

  status(pdb: KubeObject): PdbStatus {
    const matching = this.ctx.pods
      .list(pdb.metadata.namespace)
      .filter((p) => selectorMatches(pdb.spec?.selector, p.metadata.labels) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
    const expectedPods = matching.length
    const currentHealthy = matching.filter((p) => p.status?.phase === 'Running').length
    const resolve = (v: unknown, roundUp: boolean): number => {
      if (typeof v === 'string' && v.endsWith('%')) {
        const x = (Number(v.slice(0, -1)) / 100) * expectedPods
        return roundUp ? Math.ceil(x) : Math.floor(x)
      }
      return Number(v ?? 0)
    }
    const desiredHealthy =
      pdb.spec?.minAvailable !== undefined
        ? resolve(pdb.spec.minAvailable, true)
        : Math.max(0, expectedPods - resolve(pdb.spec?.maxUnavailable, true))
    return { expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy) }
  }

  private refresh(namespace: string): void {
    for (const pdb of this.ctx.pdbs.list(namespace)) {
      const s = this.status(pdb)
      const status = {
        observedGeneration: 1,
        disruptionsAllowed: s.disruptionsAllowed,
        currentHealthy: s.currentHealthy,
        desiredHealthy: s.desiredHealthy,
        expectedPods: s.expectedPods,
        conditions: [
          {
            type: 'DisruptionAllowed',
            status: s.disruptionsAllowed > 0 ? 'True' : 'False',
            reason: s.disruptionsAllowed > 0 ? 'SufficientPods' : 'InsufficientPods',
            message: '',
            observedGeneration: 1,
            lastTransitionTime: pdb.metadata.creationTimestamp,
          },
        ],
      }
      const current = pdb.status ?? {}
      if (
        current.disruptionsAllowed !== status.disruptionsAllowed ||
        current.currentHealthy !== status.currentHealthy ||
        current.desiredHealthy !== status.desiredHealthy ||
        current.expectedPods !== status.expectedPods
      ) {
        this.ctx.pdbs.update({ ...pdb, status })
      }
    }
  }
}
