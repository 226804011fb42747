// Tells a process that a plan's stored record changed, whichever replica wrote it. The record is
// the truth; this is only a prompt to read it again. On PostgreSQL every write of a plan sends
// NOTIFY inside its transaction (delivered at commit, to every replica LISTENing); writes of this
// process are signalled directly too, which is all SQLite (one process) has. Readers also poll,
// so a lost notification (the listening connection dropped) only delays them.
import { EventEmitter } from 'node:events'
import pg from 'pg'
import type { PlanWrites } from '../../app/ports.js'
import type { Logger } from '../../logger.js'
import type { Tx } from './write-transaction.js'

const CHANNEL = 'nodeplan_plan_written'
/** How long a dropped LISTEN connection waits before connecting again. */
const RECONNECT_MS = 2_000

export class PlanWriteSignal implements PlanWrites {
  private readonly emitter = new EventEmitter()
  private client: pg.Client | null = null
  private reconnect: NodeJS.Timeout | null = null
  private closed = false

  constructor(
    private readonly provider: 'sqlite' | 'postgresql',
    private readonly url: string,
    private readonly log: Pick<Logger, 'warn'> | null = null,
  ) {
    this.emitter.setMaxListeners(0)
  }

  /** On PostgreSQL, starts listening; a failure leaves readers polling. */
  async start(): Promise<void> {
    if (this.provider !== 'postgresql' || this.closed) return
    const client = new pg.Client({ connectionString: this.url })
    client.on('notification', (message) => message.payload && this.emitter.emit(message.payload))
    client.on('error', (err) => this.dropped(client, err))
    client.on('end', () => this.dropped(client, null))
    try {
      await client.connect()
      await client.query(`LISTEN ${CHANNEL}`)
      this.client = client
    } catch (err) {
      this.dropped(client, err)
    }
  }

  /** Inside the transaction that writes the plan: the notification goes out when it commits. */
  async inTransaction(tx: Tx, planId: string): Promise<void> {
    if (this.provider === 'postgresql') await tx.$executeRaw`SELECT pg_notify(${CHANNEL}, ${planId})`
  }

  /** After the transaction committed: this process's readers need not wait for the notification. */
  committed(planId: string): void {
    this.emitter.emit(planId)
  }

  onWritten(planId: string, listener: () => void): () => void {
    this.emitter.on(planId, listener)
    return () => this.emitter.off(planId, listener)
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.reconnect) clearTimeout(this.reconnect)
    const client = this.client
    this.client = null
    await client?.end().catch(() => {})
  }

  private dropped(client: pg.Client, err: unknown): void {
    if (this.client === client) this.client = null
    client.removeAllListeners('end')
    client.end().catch(() => {})
    if (this.closed || this.reconnect) return
    this.log?.warn('listening for plan writes stopped; progress is polled until it is back', { error: err })
    this.reconnect = setTimeout(() => {
      this.reconnect = null
      void this.start()
    }, RECONNECT_MS)
    this.reconnect.unref()
  }
}
