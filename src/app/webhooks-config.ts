// The webhooks file (--webhooks / NODEPLAN_WEBHOOKS_FILE): which events go to which receiver, in
// which format, signed with which secret. Checked whole at start-up; unknown keys are refused so a
// typo cannot silently stop notifications.
import { matchesPattern, patternProblem } from '../domain/event-types.js'

export type WebhookFormat = 'cloudevents' | 'slack'

export interface Webhook {
  name: string
  url: string
  /** The HMAC key, read from the environment variable the file names (never from the file). */
  secret: string
  /** Exact types or prefixes ending in `*`. */
  events: string[]
  format: WebhookFormat
}

export interface WebhooksConfig {
  /** The CloudEvents `source` of every event: which nodeplan (which cluster) sent it. */
  source: string
  webhooks: Webhook[]
}

export const DEFAULT_EVENT_SOURCE = '/nodeplan'
export const NO_WEBHOOKS: WebhooksConfig = { source: DEFAULT_EVENT_SOURCE, webhooks: [] }

const FORMATS: readonly WebhookFormat[] = ['cloudevents', 'slack']
const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/
const MIN_SECRET_LENGTH = 16

export const wants = (webhook: Pick<Webhook, 'events'>, type: string): boolean => webhook.events.some((p) => matchesPattern(type, p))

function refuseUnknownKeys(doc: Record<string, unknown>, known: string[], where: string): void {
  for (const key of Object.keys(doc)) {
    if (!known.includes(key)) throw new Error(`${where}: unknown key "${key}" (known: ${known.join(', ')})`)
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

export function parseWebhooks(raw: unknown, env: NodeJS.ProcessEnv, origin = 'webhooks'): WebhooksConfig {
  if (!isObject(raw)) throw new Error(`${origin}: expected a JSON object with "webhooks": [...]`)
  refuseUnknownKeys(raw, ['source', 'webhooks'], origin)
  const source = raw.source ?? DEFAULT_EVENT_SOURCE
  if (typeof source !== 'string' || source.length === 0 || /\s/.test(source)) {
    throw new Error(`${origin}: "source" must be a URI reference without spaces, such as "urn:nodeplan:prod-a" or "/nodeplan/prod-a"`)
  }
  if (!Array.isArray(raw.webhooks)) throw new Error(`${origin}: "webhooks" must be a list`)
  const names = new Set<string>()
  const webhooks = raw.webhooks.map((entry, i): Webhook => {
    const where = `${origin}: webhooks[${i}]`
    if (!isObject(entry)) throw new Error(`${where}: expected an object with name, url, secretEnv, events`)
    refuseUnknownKeys(entry, ['name', 'url', 'secretEnv', 'events', 'format'], where)
    const { name, url, secretEnv, events } = entry
    if (typeof name !== 'string' || !NAME.test(name)) throw new Error(`${where}: "name" must be lower-case letters, digits and dashes (at most 63), got ${JSON.stringify(name)}`)
    if (names.has(name)) throw new Error(`${where}: the name "${name}" is used twice`)
    names.add(name)
    let parsed: URL
    try {
      parsed = new URL(String(url))
    } catch {
      throw new Error(`${where} (${name}): "url" must be an http:// or https:// URL, got ${JSON.stringify(url)}`)
    }
    if (typeof url !== 'string' || !['http:', 'https:'].includes(parsed.protocol)) {
      throw new Error(`${where} (${name}): "url" must be an http:// or https:// URL, got ${JSON.stringify(url)}`)
    }
    if (typeof secretEnv !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(secretEnv)) {
      throw new Error(`${where} (${name}): "secretEnv" must name the environment variable holding the signing secret`)
    }
    const secret = env[secretEnv]
    if (!secret || secret.length < MIN_SECRET_LENGTH) {
      throw new Error(`${where} (${name}): the environment variable ${secretEnv} must hold the signing secret, at least ${MIN_SECRET_LENGTH} characters (it is ${secret ? 'too short' : 'unset'})`)
    }
    if (!Array.isArray(events) || events.length === 0 || events.some((e) => typeof e !== 'string')) {
      throw new Error(`${where} (${name}): "events" must be a non-empty list of event types, such as ["io.nodeplan.plan.*"]`)
    }
    for (const e of events as string[]) {
      const problem = patternProblem(e)
      if (problem) throw new Error(`${where} (${name}): ${problem}`)
    }
    const format = entry.format ?? 'cloudevents'
    if (!FORMATS.includes(format as WebhookFormat)) throw new Error(`${where} (${name}): "format" must be one of ${FORMATS.join(', ')}`)
    return { name, url, secret, events: [...new Set(events as string[])], format: format as WebhookFormat }
  })
  return { source, webhooks }
}
