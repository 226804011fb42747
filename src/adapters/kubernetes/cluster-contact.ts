// Whether a cluster's API server answers, and since when it has not: GET /version now and then
// (and on demand), and every watch event as proof of life. A fleet shows each cluster's state from
// this, and refuses changes to a cluster that does not answer, without waiting on it.
import type { ClusterContact, ClusterContactStatus } from '../../app/fleet.js'
import type { ClusterCache, Clock } from '../../app/ports.js'
import type { KubernetesApi } from './kubernetes-api.js'

export interface ClusterContactOptions {
  clock: Pick<Clock, 'now'>
  /** How long one check waits for the answer. */
  timeoutMs?: number
  log?: { warn(msg: string, fields?: Record<string, unknown>): void; info(msg: string, fields?: Record<string, unknown>): void }
  cluster: string
}

export class KubernetesClusterContact implements ClusterContact {
  private answered = false
  private lastContactAt: Date | null = null
  private kubernetesVersion: string | null = null
  private timer: NodeJS.Timeout | null = null
  private checking: Promise<ClusterContactStatus> | null = null
  private readonly unsubscribe: () => void

  constructor(
    private readonly api: KubernetesApi,
    private readonly cache: ClusterCache,
    private readonly o: ClusterContactOptions,
  ) {
    // A watch event is the API server talking: no need to wait for the next check to know it answers.
    this.unsubscribe = cache.onNodeEvent(() => {
      if (this.answered) this.lastContactAt = this.o.clock.now()
    })
  }

  status(): ClusterContactStatus {
    return { reachable: this.answered && this.cache.synced(), lastContactAt: this.lastContactAt, kubernetesVersion: this.kubernetesVersion }
  }

  check(): Promise<ClusterContactStatus> {
    // One check at a time: callers during a slow one share its answer.
    this.checking ??= this.ask().finally(() => (this.checking = null))
    return this.checking
  }

  /** Checks every `intervalMs` (0: only when check() is called). */
  start(intervalMs: number): void {
    if (intervalMs > 0 && !this.timer) {
      this.timer = setInterval(() => void this.check(), intervalMs)
      this.timer.unref()
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    this.unsubscribe()
  }

  private async ask(): Promise<ClusterContactStatus> {
    const was = this.answered
    let error: unknown
    // One lost answer is not an outage: a cluster that answered is asked once more before it is
    // called unreachable (and its changes refused).
    for (let attempt = 0; attempt < (was ? 2 : 1); attempt++) {
      try {
        const version = await this.version()
        this.answered = true
        this.lastContactAt = this.o.clock.now()
        this.kubernetesVersion = version.gitVersion ?? this.kubernetesVersion
        if (!was) this.o.log?.info(`cluster "${this.o.cluster}" answers`, { cluster: this.o.cluster, version: this.kubernetesVersion })
        return this.status()
      } catch (err) {
        error = err
      }
    }
    this.answered = false
    if (was) this.o.log?.warn(`cluster "${this.o.cluster}" is unreachable: changes to it are refused until it answers`, { cluster: this.o.cluster, error: (error as Error).message })
    return this.status()
  }

  private async version(): Promise<{ gitVersion?: string }> {
    const timeoutMs = this.o.timeoutMs ?? 2000
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer to GET /version within ${timeoutMs} ms`)), timeoutMs)
    })
    try {
      return await Promise.race([this.api.getJson<{ gitVersion?: string }>('/version'), timeout])
    } finally {
      clearTimeout(timer)
    }
  }
}
