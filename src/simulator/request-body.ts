// Reading a request body as JSON, with the API server's error for a malformed one.
import type { IncomingMessage } from 'node:http'
import { ApiError, badRequest } from './status.js'

const MAX_BODY = 3 * 1024 * 1024

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req)
  if (text.trim() === '') return null
  try {
    return JSON.parse(text)
  } catch (e) {
    throw badRequest(`error decoding request body: ${(e as Error).message}`)
  }
}
