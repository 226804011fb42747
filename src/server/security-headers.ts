// Response headers for the pages a browser renders: the console at / and GraphiQL at GET /graphql.
// Scripts only from this server (GraphiQL's one inline script and style by hash), no framing.
import { createHash } from 'node:crypto'
import { graphiqlInline } from './graphiql.js'

const COMMON = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
}

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`

function csp(script: string, style: string): string {
  return [
    "default-src 'none'",
    `script-src ${script}`,
    `style-src ${style}`,
    // Same-origin fetch and the websocket of subscriptions ('self' covers ws: and wss: to this host).
    "connect-src 'self'",
    // GraphiQL's stylesheet carries its fonts and icons as data: URLs.
    "img-src 'self' data:",
    "font-src 'self' data:",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

const inline = graphiqlInline()

export const SECURITY_HEADERS = {
  console: { ...COMMON, 'content-security-policy': csp("'self'", "'self'") },
  graphiql: { ...COMMON, 'content-security-policy': csp(`'self' ${hash(inline.script)}`, `'self' ${hash(inline.style)}`) },
} as const
