// Workloads that finish: a pod annotated with its run time goes Succeeded once it has run that
// long on the simulated clock, as a training Job's pod does, and from then on holds no GPUs.
import type { SimClock } from './clock.js'
import { parseLabelSelector } from './selectors.js'
import { badRequest } from './status.js'
import { keyOf, type KubeObject, type ResourceStore } from './store.js'

/** Seconds of run time, counted from the pod's status.startTime; settable on create like any annotation. */
export const RUN_SECONDS_ANNOTATION = 'sim.nodeplan.io/run-seconds'

export interface PodFilter {
  node?: string
  namespace?: string
  name?: string
  /** A label selector, e.g. `workload-kind=training`. */
  labelSelector?: string
}

export interface FinishingPod {
  namespace: string
  name: string
  node: string | null
  /** When it goes Succeeded; null while it waits for a node (it runs `seconds` once placed). */
  finishesAt: string | null
}

/** When a running pod's run time is up (epoch ms), or null when it has none. */
export function finishesAt(pod: KubeObject): number | null {
  const value = pod.metadata.annotations?.[RUN_SECONDS_ANNOTATION]
  const seconds = value === undefined ? NaN : Number(value)
  if (!(seconds >= 0) || pod.status?.phase !== 'Running' || !pod.status.startTime) return null
  return Date.parse(pod.status.startTime) + Math.round(seconds * 1000)
}

/**
 * The run time a resubmitted pod inherits from the one it replaces: what was left (it resumes from
 * its checkpoint), or all of it if the old one never ran.
 */
export function remainingRunSeconds(pod: KubeObject, nowMs: number): string | undefined {
  const value = pod.metadata.annotations?.[RUN_SECONDS_ANNOTATION]
  if (value === undefined) return undefined
  const at = finishesAt(pod)
  return at === null ? value : String(Math.max(0, (at - nowMs) / 1000))
}

export class WorkloadCompletion {
  /** Pods whose run time is up, by key: the settle loop completes them. */
  private readonly due = new Set<string>()
  private readonly timers = new Set<string>()

  constructor(
    private readonly pods: ResourceStore,
    private readonly clock: SimClock,
    private readonly wake: () => void,
  ) {}

  /** Sees every stored pod: one with a run time gets a timer for it. */
  observe(pod: KubeObject): void {
    const at = finishesAt(pod)
    if (at === null) return
    const key = keyOf(pod.metadata.namespace, pod.metadata.name)
    if (at <= this.clock.nowMillis()) {
      this.due.add(key)
      return
    }
    const timer = `${pod.metadata.uid}@${at}`
    if (this.timers.has(timer)) return
    this.timers.add(timer)
    this.clock.at(at, () => {
      this.timers.delete(timer)
      this.due.add(key)
      this.wake()
    })
  }

  hasWork(): boolean {
    return this.due.size > 0
  }

  /** Completes one pod whose run time is up (if it still is: the annotation may have changed). */
  step(): void {
    const key = this.due.values().next().value!
    this.due.delete(key)
    const [namespace, name] = key.split('/') as [string, string]
    const pod = this.pods.get(namespace, name)
    if (!pod) return
    const at = finishesAt(pod)
    if (at === null || at > this.clock.nowMillis()) return
    this.pods.update({ ...pod, status: succeededStatus(pod, this.clock.timestamp()) })
  }

  /**
   * Gives the pods the filter selects (not yet finished) `seconds` more to run: a running pod
   * finishes `seconds` from now, a pending one `seconds` after it starts.
   */
  finishAfter(seconds: number, filter: PodFilter): FinishingPod[] {
    if (typeof seconds !== 'number' || !(seconds >= 0) || !Number.isFinite(seconds)) throw badRequest(`seconds must be a number >= 0, got ${JSON.stringify(seconds)}`)
    if (!filter.node && !filter.namespace && !filter.name && !filter.labelSelector) {
      throw badRequest('say which pods: node, namespace, name or labelSelector')
    }
    if (filter.name && !filter.namespace) throw badRequest('name needs a namespace')
    const selector = filter.labelSelector ? parseLabelSelector(filter.labelSelector) : null
    const candidates = filter.node ? this.pods.byIndex(filter.node) : this.pods.list(filter.namespace)
    const now = this.clock.nowMillis()
    const out: FinishingPod[] = []
    for (const pod of candidates) {
      const phase = pod.status?.phase
      if (phase === 'Succeeded' || phase === 'Failed') continue
      if (filter.namespace && pod.metadata.namespace !== filter.namespace) continue
      if (filter.name && pod.metadata.name !== filter.name) continue
      if (selector && !selector.matches(pod.metadata.labels)) continue
      const running = phase === 'Running' && pod.status.startTime
      const runSeconds = running ? (now - Date.parse(pod.status.startTime)) / 1000 + seconds : seconds
      const annotations = { ...pod.metadata.annotations, [RUN_SECONDS_ANNOTATION]: String(runSeconds) }
      out.push({
        namespace: pod.metadata.namespace!,
        name: pod.metadata.name,
        node: (pod.spec?.nodeName as string | undefined) ?? null,
        finishesAt: running ? this.clock.timestamp(seconds) : null,
      })
      this.pods.update({ ...pod, metadata: { ...pod.metadata, annotations } })
    }
    return out
  }
}

/** A pod whose containers all exited 0: Succeeded, not Ready (PodCompleted), its IPs kept. */
export function succeededStatus(pod: KubeObject, now: string): object {
  const status = pod.status ?? {}
  const started = status.startTime ?? now
  const completed = (type: string, ok: boolean) => ({
    type,
    status: ok ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: type === 'PodScheduled' || type === 'Initialized' ? started : now,
    ...(ok || type === 'PodReadyToStartContainers' ? {} : { reason: 'PodCompleted' }),
  })
  return {
    ...status,
    phase: 'Succeeded',
    conditions: [
      completed('PodReadyToStartContainers', false),
      { ...completed('Initialized', true), reason: 'PodCompleted' },
      completed('Ready', false),
      completed('ContainersReady', false),
      completed('PodScheduled', true),
    ],
    containerStatuses: ((pod.spec?.containers ?? []) as { name: string; image: string }[]).map((c) => ({
      name: c.name,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: started, finishedAt: now } },
      lastState: {},
      ready: false,
      restartCount: 0,
      image: c.image,
      imageID: '',
      started: false,
    })),
  }
}
