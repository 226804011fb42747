import type { NodeState } from '../domain/cluster.js'
import type { ConditionSignal } from '../domain/health-signal.js'
import type { Logger } from '../logger.js'
import { SYSTEM_PRINCIPAL } from './system-principal.js'
import type { Policy } from './policy.js'
import type { ClusterCache, NodeEvent } from './ports.js'
import type { SignalService } from './signal.service.js'

/** The source of signals read from Node conditions; the condition type is the code. */
export const CONDITION_SOURCE = 'condition'

const faultOf = (node: NodeState, signal: ConditionSignal) => node.conditions?.find((c) => c.type === signal.type && c.status === signal.status)

/**
 * Node conditions as health signals: a condition the policy names turning to its fault status is
 * reported, its return is reported cleared, through the same path as reportNodeHealth. Every
 * replica's informer sees every change: `isLeader` lets only one replica report (the database
 * would join repeats into one signal anyway, but each would be counted and audited).
 */
export class ConditionSignals {
  private unsubscribe: (() => void) | null = null
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly cache: ClusterCache,
    private readonly signals: SignalService,
    private readonly policy: Policy,
    private readonly log: Logger,
    private readonly isLeader: () => boolean = () => true,
  ) {}

  /** Start after the cache's first list: faults already present then are reported unless already active. */
  start(): void {
    const watched = this.policy.signals.conditions
    if (this.unsubscribe || watched.length === 0) return
    this.unsubscribe = this.cache.onNodeEvent((event) => this.onNodeEvent(event))
    this.serially(async () => {
      if (!this.isLeader()) return
      const active = new Set((await this.signals.active(CONDITION_SOURCE)).map((s) => `${s.node}/${s.code}`))
      for (const node of this.cache.nodeList()) {
        for (const signal of watched) {
          if (faultOf(node, signal) && !active.has(`${node.name}/${signal.type}`)) await this.report(node, signal, false)
        }
      }
    })
  }

  async stop(): Promise<void> {
    this.unsubscribe?.()
    this.unsubscribe = null
    await this.queue
  }

  /** Resolves once every event queued so far has been handled. */
  async idle(): Promise<void> {
    await this.queue
  }

  private onNodeEvent({ type, node, previous }: NodeEvent): void {
    if (type === 'DELETED') return
    for (const signal of this.policy.signals.conditions) {
      const now = Boolean(faultOf(node, signal))
      const was = Boolean(previous && faultOf(previous, signal))
      if (now !== was) this.serially(() => (this.isLeader() ? this.report(node, signal, !now, previous) : Promise.resolve()))
    }
  }

  private async report(node: NodeState, signal: ConditionSignal, cleared: boolean, previous: NodeState | null = null): Promise<void> {
    const condition = faultOf(cleared ? previous! : node, signal) ?? node.conditions?.find((c) => c.type === signal.type)
    const at = node.conditions?.find((c) => c.type === signal.type)?.lastTransitionTime
    await this.signals.handle(
      {
        node: node.name,
        source: CONDITION_SOURCE,
        code: signal.type,
        severity: signal.severity,
        message: `${signal.type}=${cleared ? 'cleared' : signal.status}${condition?.reason ? ` (${condition.reason})` : ''}${condition?.message ? `: ${condition.message}` : ''}`,
        at: at ? new Date(at) : new Date(),
        cleared,
      },
      SYSTEM_PRINCIPAL.subject,
    )
  }

  private serially(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch((err: unknown) => this.log.error('a Node condition signal failed', { error: err }))
  }
}
