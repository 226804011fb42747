import { describe, expect, it } from 'vitest'
import { backoffMs, webhookRequest } from '../../../src/app/event-deliverer.js'
import { signature, verifySignature } from '../../../src/app/webhook-signature.js'
import { parseWebhooks, wants } from '../../../src/app/webhooks-config.js'
import { eventTypesFor } from '../../../src/domain/event-types.js'

const env = { SECRET: 'a-secret-of-enough-length' }
const hook = (over: Record<string, unknown> = {}) => ({ name: 'ops', url: 'https://hooks.example/x', secretEnv: 'SECRET', events: ['io.nodeplan.plan.*'], ...over })

describe('the webhooks file', () => {
  it('should read a valid file, with the secret from the environment and cloudevents by default', () => {
    expect(parseWebhooks({ source: 'urn:nodeplan:a', webhooks: [hook()] }, env)).toEqual({
      source: 'urn:nodeplan:a',
      webhooks: [{ name: 'ops', url: 'https://hooks.example/x', secret: env.SECRET, events: ['io.nodeplan.plan.*'], format: 'cloudevents' }],
    })
  })

  it.each([
    ['not an object', [], 'expected a JSON object'],
    ['an unknown top-level key', { webhooks: [], hooks: [] }, 'unknown key "hooks"'],
    ['an unknown webhook key', { webhooks: [hook({ secret: 'x' })] }, 'webhooks[0]: unknown key "secret"'],
    ['a bad name', { webhooks: [hook({ name: 'Ops Team' })] }, 'webhooks[0].name: must be lower-case'],
    ['a name twice', { webhooks: [hook(), hook()] }, 'webhooks[1].name: the name "ops" is used twice'],
    ['a URL that is not http', { webhooks: [hook({ url: 'ftp://x/y' })] }, 'webhooks[0].url: must be an http:// or https:// URL'],
    ['a URL that is not one', { webhooks: [hook({ url: 'nope' })] }, 'webhooks[0].url: must be an http:// or https:// URL'],
    ['a secret variable that is unset', { webhooks: [hook({ secretEnv: 'MISSING' })] }, 'webhooks[0].secretEnv: the environment variable MISSING must hold the signing secret, at least 16 characters (it is unset)'],
    ['an unknown event type', { webhooks: [hook({ events: ['io.nodeplan.plan.creatd'] })] }, 'webhooks[0].events[0]: unknown event type "io.nodeplan.plan.creatd"'],
    ['no events', { webhooks: [hook({ events: [] })] }, 'webhooks[0].events: must be a non-empty list'],
    ['an unknown format', { webhooks: [hook({ format: 'teams' })] }, 'webhooks[0].format: must be one of cloudevents, slack'],
    ['a source with spaces', { source: 'my cluster', webhooks: [] }, 'source: must be a URI reference'],
  ])('should refuse %s with a message naming it', (_name, raw, message) => {
    expect(() => parseWebhooks(raw, { ...env, SHORT: 'short' }, 'webhooks file w.json')).toThrow(message)
  })

  it('should match exact types and prefixes', () => {
    expect(wants({ events: ['io.nodeplan.plan.*'] }, 'io.nodeplan.plan.applied')).toBe(true)
    expect(wants({ events: ['io.nodeplan.plan.*'] }, 'io.nodeplan.signal.received')).toBe(false)
    expect(wants({ events: ['io.nodeplan.plan.failed'] }, 'io.nodeplan.plan.failed')).toBe(true)
    expect(wants({ events: ['*'] }, 'io.nodeplan.signal.held')).toBe(true)
  })
})

describe('the events an audit event raises', () => {
  it.each([
    ['plan.created', {}, ['io.nodeplan.plan.created']],
    ['plan.created', { needsApproval: true }, ['io.nodeplan.plan.created', 'io.nodeplan.plan.approval.needed']],
    ['plan.applied', { kind: 'DRAIN' }, ['io.nodeplan.plan.applied']],
    ['plan.applied', { kind: 'ROLLBACK' }, ['io.nodeplan.plan.applied', 'io.nodeplan.plan.rolledback']],
    ['plan.failed', {}, ['io.nodeplan.plan.failed']],
    ['change.applied', {}, []],
    ['node.ready', {}, []],
  ])('%s %j raises %j', (action, detail, types) => {
    expect(eventTypesFor({ action, detail })).toEqual(types)
  })
})

describe('webhook signatures', () => {
  const secret = 'sixteen-chars-or-more'
  const body = '{"id":"evt-1"}'
  const now = 1_800_000_000
  const headers = { timestamp: String(now), signature: signature(secret, now, body) }

  it('should verify what was signed', () => {
    expect(verifySignature(secret, headers, body, now + 10)).toEqual({ ok: true })
  })
  it.each([
    ['a changed body', secret, headers, '{"id":"evt-2"}', now, 'signature does not match'],
    ['another secret', 'another-secret-entirely', headers, body, now, 'signature does not match'],
    ['a changed timestamp', secret, { ...headers, timestamp: String(now + 1) }, body, now, 'signature does not match'],
    ['an old timestamp (replay)', secret, headers, body, now + 301, 'timestamp outside the tolerance'],
    ['no timestamp', secret, { ...headers, timestamp: undefined }, body, now, 'no timestamp'],
  ])('should refuse %s', (_name, key, given, text, at, reason) => {
    expect(verifySignature(key, given, text, at)).toEqual({ ok: false, reason: expect.stringContaining(reason) })
  })

  it('should sign the exact body sent, with the headers a receiver reads', () => {
    const request = webhookRequest(
      { name: 'ops', url: 'http://x/y', secret, events: ['*'], format: 'cloudevents' },
      { seq: 1, id: 'evt-1', type: 'io.nodeplan.plan.created', at: new Date('2026-01-02T03:04:05Z'), subject: 'plan-1', data: { planId: 'plan-1' } },
      '/nodeplan',
      now,
    )
    expect(JSON.parse(request.body)).toEqual({
      specversion: '1.0', id: 'evt-1', source: '/nodeplan', type: 'io.nodeplan.plan.created', subject: 'plan-1',
      time: '2026-01-02T03:04:05.000Z', datacontenttype: 'application/json', data: { planId: 'plan-1' },
    })
    expect(verifySignature(secret, { timestamp: request.headers['nodeplan-timestamp'], signature: request.headers['nodeplan-signature'] }, request.body, now)).toEqual({ ok: true })
  })
})

describe('retry backoff', () => {
  it('should double from the base up to the cap', () => {
    const options = { baseDelayMs: 1000, maxDelayMs: 10_000 }
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, options))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000])
  })
})

describe('serve configuration: --webhooks / NODEPLAN_WEBHOOKS_FILE', () => {
  it('should read the file the flag or the variable names, and stop start-up with the file and field named when it is wrong', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { parseServeConfig, ConfigError } = await import('../../../src/config.js')
    const dir = mkdtempSync(join(tmpdir(), 'nodeplan-webhooks-'))
    try {
      const file = join(dir, 'webhooks.json')
      writeFileSync(file, JSON.stringify({ webhooks: [hook()] }))
      expect(parseServeConfig(['--webhooks', file], env).webhooks.webhooks.map((w) => w.name)).toEqual(['ops'])
      expect(parseServeConfig([], { ...env, NODEPLAN_WEBHOOKS_FILE: file }).webhooks.webhooks).toHaveLength(1)
      expect(() => parseServeConfig(['--webhooks', file], {})).toThrow(ConfigError)
      expect(() => parseServeConfig(['--webhooks', file], {})).toThrow(`webhooks file ${file}: webhooks[0].secretEnv: the environment variable SECRET must hold the signing secret`)
      expect(parseServeConfig([], env).webhooks).toEqual({ source: '/nodeplan', webhooks: [] })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
