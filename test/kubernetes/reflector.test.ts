import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { KubernetesApi } from '../../src/adapters/kubernetes/kubernetes-api.js'
import { Reflector, type KubeObject } from '../../src/adapters/kubernetes/reflector.js'
import { json, startFakeApiServer, status, stream, type FakeApiServer } from './fake-api-server.js'

const node = (name: string, rv: string) => ({ metadata: { name, resourceVersion: rv } })
const list = (rv: string, items: unknown[], cont?: string) => json(200, { kind: 'NodeList', metadata: { resourceVersion: rv, ...(cont ? { continue: cont } : {}) }, items })
const gone = { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', message: 'too old resource version', code: 410 } }

/** Watch deliveries are real I/O: generous on a loaded machine, still bounded. */
const WAIT = { timeout: 10_000, interval: 10 }

describe('Reflector (list + watch over real HTTP)', () => {
  let server: FakeApiServer
  let api: KubernetesApi
  let reflector: Reflector<KubeObject> | null
  let sleeps: number[]
  let replaced: string[][]
  let events: string[]
  let errors: string[]

  beforeEach(async () => {
    server = await startFakeApiServer()
    api = new KubernetesApi(server.kc, { timeoutMs: 5_000 })
    reflector = null
    sleeps = []
    replaced = []
    events = []
    errors = []
  })
  afterEach(async () => {
    await reflector?.stop()
    api.close()
    await server.close()
  })

  const start = (opts: { optional?: boolean; pageSize?: number } = {}) => {
    reflector = new Reflector<KubeObject>({
      resource: 'nodes',
      path: '/api/v1/nodes',
      api,
      map: (obj) => obj,
      handlers: {
        replace: (items) => replaced.push(items.map((i) => i.metadata!.name!)),
        event: (type, obj) => events.push(`${type} ${obj.metadata!.name} ${obj.metadata!.resourceVersion}`),
      },
      clock: { now: () => new Date(0), sleep: async (ms) => void sleeps.push(ms) },
      backoff: { baseMs: 100, maxMs: 1_000 },
      random: () => 0.5,
      pageSize: opts.pageSize ?? 500,
      watchTimeoutSeconds: 300,
      optional: opts.optional,
      onError: (err, phase) => errors.push(`${phase}: ${(err as Error).message.split('\n')[0]}`),
    })
    reflector.run()
    return reflector
  }
  const watches = () => server.requests.filter((r) => r.query.watch === 'true')
  const lists = () => server.requests.filter((r) => r.query.watch !== 'true')

  it('lists, watches from the list version, and re-watches from the last event when the stream ends', async () => {
    server.on('LIST /api/v1/nodes', list('10', [node('a', '5')]))
    server.on('WATCH /api/v1/nodes', stream([{ type: 'MODIFIED', object: node('a', '11') }, { type: 'BOOKMARK', object: node('', '12') }], true), stream([]))
    const r = start()
    await r.whenSynced()
    await vi.waitFor(() => expect(watches()).toHaveLength(2), WAIT)
    expect(replaced).toEqual([['a']])
    expect(events).toEqual(['MODIFIED a 11'])
    expect(watches().map((w) => w.query.resourceVersion)).toEqual(['10', '12'])
    expect(watches()[0]!.query.allowWatchBookmarks).toBe('true')
    expect(lists()).toHaveLength(1)
    expect(r.lastResourceVersion()).toBe('12')
  })

  it('relists when the watch stream says 410 Gone, and watches from the new list', async () => {
    server.on('LIST /api/v1/nodes', list('10', [node('a', '5'), node('b', '6')]), list('20', [node('a', '15')]))
    server.on('WATCH /api/v1/nodes', stream([gone]), stream([]))
    start()
    await vi.waitFor(() => expect(watches()).toHaveLength(2), WAIT)
    expect(replaced).toEqual([['a', 'b'], ['a']])
    expect(watches().map((w) => w.query.resourceVersion)).toEqual(['10', '20'])
    expect(sleeps).toEqual([])
  })

  it('relists when the watch request itself is answered 410', async () => {
    server.on('LIST /api/v1/nodes', list('10', [node('a', '5')]), list('30', [node('a', '25')]))
    server.on('WATCH /api/v1/nodes', status(410, 'Expired', 'too old'), stream([]))
    start()
    await vi.waitFor(() => expect(watches()).toHaveLength(2), WAIT)
    expect(lists()).toHaveLength(2)
    expect(watches()[1]!.query.resourceVersion).toBe('30')
  })

  it('relists when the server answers with older versions than it listed (its storage was replaced)', async () => {
    server.on('LIST /api/v1/nodes', list('100', [node('a', '90')]), list('7', [node('a', '5'), node('b', '6')]))
    server.on('WATCH /api/v1/nodes', stream([{ type: 'MODIFIED', object: node('a', '5') }]), stream([]))
    start()
    await vi.waitFor(() => expect(watches()).toHaveLength(2), WAIT)
    expect(events).toEqual([])
    expect(replaced).toEqual([['a'], ['a', 'b']])
    expect(watches()[1]!.query.resourceVersion).toBe('7')
  })

  it('backs off after a failed watch and resumes from the same resourceVersion without relisting', async () => {
    server.on('LIST /api/v1/nodes', list('10', [node('a', '5')]))
    server.on('WATCH /api/v1/nodes', status(500, 'InternalError', 'etcd hiccup'), stream([]))
    start()
    await vi.waitFor(() => expect(watches()).toHaveLength(2), WAIT)
    expect(watches().map((w) => w.query.resourceVersion)).toEqual(['10', '10'])
    expect(lists()).toHaveLength(1)
    expect(sleeps).toEqual([75])
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^watch: /)
  })

  it('retries a failed list with growing backoff and is synced once it succeeds', async () => {
    server.on('LIST /api/v1/nodes', status(503, 'ServiceUnavailable', 'starting'), status(503, 'ServiceUnavailable', 'starting'), list('10', [node('a', '5')]))
    server.on('WATCH /api/v1/nodes', stream([]))
    const r = start()
    await r.whenSynced()
    expect(r.hasSynced()).toBe(true)
    expect(sleeps).toEqual([75, 150])
    expect(errors.every((e) => e.startsWith('list: '))).toBe(true)
    expect(replaced).toEqual([['a']])
  })

  it('reads a long list page by page (limit/continue)', async () => {
    server.on('LIST /api/v1/nodes', list('10', [node('a', '1'), node('b', '2')], 'next-1'), list('10', [node('c', '3')]))
    server.on('WATCH /api/v1/nodes', stream([]))
    await start({ pageSize: 2 }).whenSynced()
    expect(replaced).toEqual([['a', 'b', 'c']])
    expect(lists().map((l) => [l.query.limit, l.query.continue])).toEqual([['2', undefined], ['2', 'next-1']])
  })

  it('treats an optional resource the server does not serve (404) as empty', async () => {
    const r = start({ optional: true })
    await r.whenSynced()
    expect(replaced).toEqual([[]])
    expect(watches()).toHaveLength(0)
  })
})
