// The webhooks file (--webhooks / NODEPLAN_WEBHOOKS_FILE): which events go to which receiver, in
// which format, signed with which secret. Checked whole at start-up; unknown keys are refused so a
// typo cannot silently stop notifications.
import { z } from 'zod'
import { matchesPattern, patternProblem } from '../domain/event-types.js'
import { parseInput, strictObject } from '../input-schema.js'

const FORMATS = ['cloudevents', 'slack'] as const
export type WebhookFormat = (typeof FORMATS)[number]

export const DEFAULT_EVENT_SOURCE = '/nodeplan'
const MIN_SECRET_LENGTH = 16

const EVENTS_EXPECTED = 'must be a non-empty list of event types, such as ["io.nodeplan.plan.*"]'
const eventPattern = z.string().superRefine((pattern, ctx) => {
  const problem = patternProblem(pattern)
  if (problem) ctx.addIssue({ code: 'custom', message: problem })
})

/** The file as written: the secret is named by an environment variable, never held in the file. */
const webhooksFileSchema = strictObject(
  {
    /** The CloudEvents `source` of every event: which nodeplan (which cluster) sent it. */
    source: z
      .string()
      .regex(/^\S+$/, 'must be a URI reference without spaces, such as "urn:nodeplan:prod-a" or "/nodeplan/prod-a"')
      .default(DEFAULT_EVENT_SOURCE),
    webhooks: z
      .array(
        strictObject(
          {
            name: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be lower-case letters, digits and dashes (at most 63)'),
            url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
            secretEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must name the environment variable holding the signing secret'),
            /** Exact types or prefixes ending in `*`. */
            events: z
              .array(eventPattern, EVENTS_EXPECTED)
              .min(1, EVENTS_EXPECTED)
              .transform((events) => [...new Set(events)]),
            format: z.enum(FORMATS, `must be one of ${FORMATS.join(', ')}`).default('cloudevents'),
          },
          'expected an object with name, url, secretEnv, events',
        ),
        'must be a list',
      )
      .superRefine((webhooks, ctx) => {
        const names = new Set<string>()
        webhooks.forEach(({ name }, i) => {
          if (names.has(name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `the name "${name}" is used twice` })
          names.add(name)
        })
      }),
  },
  'expected a JSON object with "webhooks": [...]',
)

export type Webhook = Omit<z.output<typeof webhooksFileSchema>['webhooks'][number], 'secretEnv'> & {
  /** The HMAC key, read from the environment variable the file names (never from the file). */
  secret: string
}

export interface WebhooksConfig {
  source: string
  webhooks: Webhook[]
}

export const NO_WEBHOOKS: WebhooksConfig = { source: DEFAULT_EVENT_SOURCE, webhooks: [] }

export const wants = (webhook: Pick<Webhook, 'events'>, type: string): boolean => webhook.events.some((p) => matchesPattern(type, p))

export function parseWebhooks(raw: unknown, env: NodeJS.ProcessEnv, origin = 'webhooks'): WebhooksConfig {
  const schema = webhooksFileSchema.transform(({ source, webhooks }, ctx) => ({
    source,
    webhooks: webhooks.map(({ secretEnv, ...webhook }, i): Webhook => {
      const secret = env[secretEnv] ?? ''
      if (secret.length < MIN_SECRET_LENGTH) {
        ctx.addIssue({
          code: 'custom',
          path: ['webhooks', i, 'secretEnv'],
          message: `the environment variable ${secretEnv} must hold the signing secret, at least ${MIN_SECRET_LENGTH} characters (it is ${secret ? 'too short' : 'unset'})`,
        })
      }
      return { ...webhook, secret }
    }),
  }))
  return parseInput(schema, raw, origin)
}
