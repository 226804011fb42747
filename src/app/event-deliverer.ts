import { CLOUDEVENTS_CONTENT_TYPE, toCloudEvent, type OutboxRecord } from '../domain/cloud-event.js'
import { slackText } from '../domain/slack-message.js'
import type { Logger } from '../logger.js'
import type { Clock, OutboxRepository } from './ports.js'
import { EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature } from './webhook-signature.js'
import { wants, type Webhook, type WebhooksConfig } from './webhooks-config.js'

export interface WebhookRequest {
  url: string
  headers: Record<string, string>
  body: string
}

export interface WebhookSender {
  /** Resolves on a 2xx answer; throws otherwise. */
  send(request: WebhookRequest): Promise<void>
}

export type DeliveryOutcome = 'delivered' | 'failed' | 'dropped'

export interface DeliveryOptions {
  /** This replica's name in the cursor leases. */
  owner: string
  pollIntervalMs: number
  leaseMs: number
  /** Backoff: first retry after baseDelayMs, doubling up to maxDelayMs. */
  baseDelayMs: number
  maxDelayMs: number
  /** After this many failed attempts an event is dropped for that webhook (logged and counted). */
  maxAttempts: number
  batch: number
}

export const DEFAULT_DELIVERY_OPTIONS: Omit<DeliveryOptions, 'owner'> = {
  pollIntervalMs: 1_000,
  leaseMs: 60_000,
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  maxAttempts: 20,
  batch: 100,
}

/** The wait before attempt `attempts + 1`, after `attempts` failures. */
export function backoffMs(attempts: number, options: Pick<DeliveryOptions, 'baseDelayMs' | 'maxDelayMs'>): number {
  return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempts - 1))
}

/** The signed HTTP request of one event for one webhook. */
export function webhookRequest(webhook: Webhook, event: OutboxRecord, source: string, nowSeconds: number): WebhookRequest {
  const body =
    webhook.format === 'slack' ? JSON.stringify({ text: slackText(event) }) : JSON.stringify(toCloudEvent(event, source))
  return {
    url: webhook.url,
    headers: {
      'content-type': webhook.format === 'slack' ? 'application/json' : CLOUDEVENTS_CONTENT_TYPE,
      [EVENT_ID_HEADER]: event.id,
      [TIMESTAMP_HEADER]: String(nowSeconds),
      [SIGNATURE_HEADER]: signature(webhook.secret, nowSeconds, body),
    },
    body,
  }
}

/**
 * Delivers the outbox to the configured webhooks, each in event order, at least once: an event
 * is sent, then the webhook's cursor moves past it; a crash in between sends it again after the
 * restart, with the same id. A failed send is retried with exponential backoff and holds back the
 * events after it (order first). Several replicas may run this: each webhook is delivered by the
 * holder of its lease in the database, and a replica that lost the lease moves nothing.
 */
export class EventDeliverer {
  private timer: NodeJS.Timeout | null = null
  private running: Promise<void> | null = null
  private stopped = false

  constructor(
    private readonly config: WebhooksConfig,
    private readonly outbox: OutboxRepository,
    private readonly sender: WebhookSender,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly log: Logger,
    private readonly options: DeliveryOptions,
    private readonly onDelivery: (webhook: string, type: string, outcome: DeliveryOutcome) => void = () => {},
  ) {}

  async start(): Promise<void> {
    if (this.config.webhooks.length === 0 || this.timer) return
    await this.outbox.ensureCursors(this.config.webhooks.map((w) => w.name))
    this.timer = setInterval(() => {
      this.running ??= this.deliverOnce().finally(() => (this.running = null))
    }, this.options.pollIntervalMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.running
    for (const w of this.config.webhooks) await this.outbox.release(w.name, this.options.owner).catch(() => undefined)
  }

  /** One pass over every webhook; a failure is logged, never thrown. */
  async deliverOnce(): Promise<void> {
    for (const webhook of this.config.webhooks) {
      if (this.stopped) return
      try {
        await this.deliver(webhook)
      } catch (err) {
        this.log.error('event delivery pass failed', { webhook: webhook.name, error: err })
      }
    }
  }

  private async deliver(webhook: Webhook): Promise<void> {
    const now = this.clock.now()
    // Reads first: an idle webhook, or one another replica holds, costs no write.
    const seen = await this.outbox.cursor(webhook.name)
    if (!seen) return
    if (seen.lastSeq >= (await this.outbox.newestSeq())) return
    if (seen.nextAttemptAt && seen.nextAttemptAt > now) return
    if (seen.owner && seen.owner !== this.options.owner && seen.leaseUntil && seen.leaseUntil >= now) return

    const cursor = await this.outbox.claim(webhook.name, this.options.owner, now, this.leaseUntil())
    if (!cursor || (cursor.nextAttemptAt && cursor.nextAttemptAt > now)) return
    let at = cursor.lastSeq
    let attempts = cursor.attempts
    // Events this webhook does not want are passed over with the next move of the cursor, not one write each.
    let skippedTo = at
    for (const event of await this.outbox.after(at, this.options.batch)) {
      if (this.stopped) break
      if (!wants(webhook, event.type)) {
        skippedTo = event.seq
        continue
      }
      const request = webhookRequest(webhook, event, this.config.source, Math.floor(this.clock.now().getTime() / 1000))
      let outcome: DeliveryOutcome = 'delivered'
      try {
        await this.sender.send(request)
      } catch (err) {
        attempts++
        const message = (err as Error).message
        if (attempts < this.options.maxAttempts) {
          const next = new Date(this.clock.now().getTime() + backoffMs(attempts, this.options))
          this.onDelivery(webhook.name, event.type, 'failed')
          this.log.warn('webhook delivery failed; retrying later', { webhook: webhook.name, eventId: event.id, attempts, retryAt: next.toISOString(), error: message })
          if (skippedTo > at && (await this.outbox.advance(webhook.name, this.options.owner, at, skippedTo, this.leaseUntil()))) at = skippedTo
          await this.outbox.failed(webhook.name, this.options.owner, at, attempts, next, message)
          return
        }
        outcome = 'dropped'
        this.log.error('webhook delivery given up: event dropped for this webhook', { webhook: webhook.name, eventId: event.id, attempts, error: message })
      }
      if (!(await this.outbox.advance(webhook.name, this.options.owner, at, event.seq, this.leaseUntil()))) return
      this.onDelivery(webhook.name, event.type, outcome)
      at = skippedTo = event.seq
      attempts = 0
    }
    if (skippedTo > at) await this.outbox.advance(webhook.name, this.options.owner, at, skippedTo, this.leaseUntil())
  }

  private leaseUntil(): Date {
    return new Date(this.clock.now().getTime() + this.options.leaseMs)
  }
}
