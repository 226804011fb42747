// POSTs one webhook request; anything but a 2xx answer within the timeout is a failed attempt.
import type { WebhookRequest, WebhookSender } from '../../app/event-deliverer.js'

export class HttpWebhookSender implements WebhookSender {
  constructor(private readonly timeoutMs = 10_000) {}

  async send(request: WebhookRequest): Promise<void> {
    let res: Response
    try {
      res = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(this.timeoutMs), redirect: 'error' })
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code
      const why = (err as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : (cause ?? (err as Error).message)
      throw new Error(`POST ${request.url}: ${why}`)
    }
    // Read the body so the connection can be reused; its content does not matter.
    await res.arrayBuffer().catch(() => undefined)
    if (!res.ok) throw new Error(`POST ${request.url}: HTTP ${res.status}`)
  }
}
