// One replica per cluster runs the node lifecycle: the holder of a Kubernetes Lease, as
// controllers elect theirs (client-go's leaderelection). A replica takes the Lease when nobody
// holds it or when its record has not changed for a whole lease duration as this replica observed
// it (so clocks of different machines are never compared), and renews it while it leads. Writes
// are compare-and-set on the Lease's resourceVersion: of two replicas taking it at once, one wins.

/** The Lease as nodeplan reads and writes it. */
export interface LeaderRecord {
  holder: string | null
  durationSeconds: number
  acquiredAt: Date | null
  renewedAt: Date | null
  transitions: number
}

export interface LeaderLeaseStore {
  /** The Lease and its version; null when it does not exist. */
  read(): Promise<{ record: LeaderRecord; version: string } | null>
  /** Creates the Lease; false when it already exists. */
  create(record: LeaderRecord): Promise<boolean>
  /** Replaces the Lease if it is still at `version`; false on a conflict. */
  update(record: LeaderRecord, version: string): Promise<boolean>
}

export interface LeaderElectionOptions {
  /** This replica (the pod's name). */
  identity: string
  /** How long a Lease unrenewed stays its holder's. */
  leaseSeconds: number
  /** How often the Lease is renewed by its holder, and tried by the others. */
  retrySeconds: number
}

export interface LeaderEvents {
  startedLeading(): void
  stoppedLeading(): void
  /** Each attempt to renew or take the Lease: renewed, acquired, held-by-other, conflict or error. */
  attempt?(result: 'renewed' | 'acquired' | 'held' | 'conflict' | 'error', error?: unknown): void
}

export class LeaderElection {
  private timer: NodeJS.Timeout | null = null
  private ticking: Promise<void> = Promise.resolve()
  private leading = false
  /** When this replica last renewed (its monotonic time): it leads only until a lease duration after it. */
  private renewedAt = 0
  /** The record last seen and when it was first seen so (monotonic ms). */
  private observed: { key: string; at: number } | null = null

  constructor(
    private readonly store: LeaderLeaseStore,
    private readonly options: LeaderElectionOptions,
    private readonly events: LeaderEvents,
    /** Monotonic milliseconds; performance.now by default. */
    private readonly monotonic: () => number = () => performance.now(),
    /** Wall time written into the Lease (for people reading it). */
    private readonly wall: () => Date = () => new Date(),
  ) {}

  /** Starts trying every retrySeconds; resolves after the first attempt. */
  start(): Promise<void> {
    if (this.timer) return this.ticking
    this.timer = setInterval(() => void this.tick(), this.options.retrySeconds * 1000)
    this.timer.unref()
    return this.tick()
  }

  /** Leads now: renewed within a lease duration (a replica cut off from the API server stops leading). */
  isLeader(): boolean {
    return this.leading && this.monotonic() - this.renewedAt < this.options.leaseSeconds * 1000
  }

  /** Stops trying; a leader gives the Lease up at once, so another replica need not wait for it to expire. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.ticking
    if (!this.leading) return
    this.lose()
    const current = await this.store.read().catch(() => null)
    if (current?.record.holder === this.options.identity) {
      await this.store.update({ ...current.record, holder: null }, current.version).catch(() => false)
    }
  }

  /** One attempt to take or renew the Lease; tests call it directly. */
  tick(): Promise<void> {
    this.ticking = this.ticking.then(() => this.attempt())
    return this.ticking
  }

  private async attempt(): Promise<void> {
    try {
      const result = await this.tryAcquireOrRenew()
      this.events.attempt?.(result)
      if (result === 'renewed' || result === 'acquired') {
        if (!this.leading) {
          this.leading = true
          this.events.startedLeading()
        }
      } else this.lose() // another replica holds it, or took it since this one last renewed
    } catch (err) {
      this.events.attempt?.('error', err)
      if (this.leading && !this.isLeader()) this.lose()
    }
  }

  private lose(): void {
    if (!this.leading) return
    this.leading = false
    this.events.stoppedLeading()
  }

  private async tryAcquireOrRenew(): Promise<'renewed' | 'acquired' | 'held' | 'conflict'> {
    const { identity, leaseSeconds } = this.options
    const now = this.monotonic()
    const current = await this.store.read()
    const mine: LeaderRecord = { holder: identity, durationSeconds: leaseSeconds, acquiredAt: this.wall(), renewedAt: this.wall(), transitions: 0 }
    if (!current) {
      if (!(await this.store.create(mine))) return 'conflict'
      this.renewedAt = now
      return 'acquired'
    }
    const { record, version } = current
    const key = `${record.holder}|${record.renewedAt?.toISOString()}|${version}`
    if (this.observed?.key !== key) this.observed = { key, at: now }
    if (record.holder === identity) {
      if (!(await this.store.update({ ...record, durationSeconds: leaseSeconds, renewedAt: this.wall() }, version))) return 'conflict'
      this.renewedAt = now
      return 'renewed'
    }
    const expired = !record.holder || now - this.observed.at >= record.durationSeconds * 1000
    if (!expired) return 'held'
    if (!(await this.store.update({ ...mine, transitions: record.transitions + 1 }, version))) return 'conflict'
    this.renewedAt = now
    return 'acquired'
  }
}
