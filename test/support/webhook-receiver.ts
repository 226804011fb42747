// A real HTTP webhook receiver on port 0, verifying signatures as a user's receiver would
// (src/app/webhook-signature.ts). `answer` decides each reply: a status, or 'hold' to leave the
// request unanswered (the sender is killed meanwhile).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../src/app/webhook-signature.js'

export interface ReceivedRequest {
  path: string
  headers: IncomingMessage['headers']
  body: string
  json: any
  signatureOk: boolean
  signatureProblem: string | null
  /** The status answered, or 'hold'. */
  answered: number | 'hold'
}

export interface WebhookReceiver {
  url: string
  requests: ReceivedRequest[]
  /** 2xx answers only: what the sender counts as delivered. */
  accepted(path?: string): ReceivedRequest[]
  answer: (req: ReceivedRequest, index: number) => number | 'hold'
  close(): Promise<void>
}

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const held: ServerResponse[] = []
  const receiver: WebhookReceiver = {
    url: '',
    requests: [],
    accepted: (path) => receiver.requests.filter((r) => typeof r.answered === 'number' && r.answered < 300 && (!path || r.path === path)),
    answer: () => 200,
    close: async () => {
      for (const res of held) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const verdict = verifySignature(
        secret,
        { timestamp: req.headers[TIMESTAMP_HEADER] as string | undefined, signature: req.headers[SIGNATURE_HEADER] as string | undefined },
        body,
        Math.floor(Date.now() / 1000),
      )
      let json: unknown = null
      try {
        json = JSON.parse(body)
      } catch {
        json = null
      }
      const entry: ReceivedRequest = { path: req.url ?? '', headers: req.headers, body, json, signatureOk: verdict.ok, signatureProblem: verdict.ok ? null : verdict.reason, answered: 200 }
      entry.answered = verdict.ok ? receiver.answer(entry, receiver.requests.length) : 401
      receiver.requests.push(entry)
      if (entry.answered === 'hold') held.push(res)
      else res.writeHead(entry.answered, { 'content-type': 'text/plain' }).end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return receiver
}
