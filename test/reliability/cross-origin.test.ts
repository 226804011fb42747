// No path from a web page on another origin, or a DNS-rebound name, to the local admin that
// `npm start` makes of every caller without a tokens file. The attack of the outside review: a page
// opened in Chromium ran createJoinCommand over ws://127.0.0.1:…/graphql and read back a kubeadm
// join token; a POST with `Host: rebind.attacker.example` did the same. Each test fails if a join
// command is made (the audit trail records every one) or its text comes back.
import { request } from 'node:http'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createClient } from 'graphql-ws'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { startTestNodeplan, type TestNodeplan } from '../support/nodeplan.js'

const JOIN = 'mutation { createJoinCommand(description: "attack") { command } }'
const REBIND_HOST = 'rebind.attacker.example'

/** The attacker's page: a websocket subscribe of the mutation, then a plain POST and a JSON POST. */
function attackPage(target: string): string {
  return `<!doctype html><title>cute cats</title><script>
  window.results = [];
  const log = (s) => window.results.push(String(s));
  const body = JSON.stringify({ query: ${JSON.stringify(JOIN)} });
  (async () => {
    await new Promise((resolve) => {
      const ws = new WebSocket(${JSON.stringify(target.replace(/^http/, 'ws') + '/graphql')}, 'graphql-transport-ws');
      ws.onopen = () => { log('ws open'); ws.send(JSON.stringify({ type: 'connection_init', payload: {} })) };
      ws.onmessage = (e) => {
        log('ws ' + e.data);
        const m = JSON.parse(e.data);
        if (m.type === 'connection_ack') ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: ${JSON.stringify(JOIN)} } }));
        if (m.type === 'next' || m.type === 'error' || m.type === 'complete') ws.close();
      };
      ws.onclose = (e) => { log('ws closed ' + e.code); resolve() };
    });
    try {
      const r = await fetch(${JSON.stringify(target + '/graphql')}, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body });
      log('post text/plain ' + r.type + ' ' + r.status + ' ' + (await r.text()));
    } catch (e) { log('post text/plain failed ' + e) }
    try {
      const r = await fetch(${JSON.stringify(target + '/graphql')}, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      log('post json ' + r.status + ' ' + (await r.text()));
    } catch (e) { log('post json failed ' + e) }
    window.done = true;
  })();
</script>`
}

describe('cross-origin and DNS-rebinding attacks on the local admin (no tokens file)', () => {
  let np: TestNodeplan
  let browser: Browser
  let attacker: Server
  let attackerOrigin: string

  const joinCommandsMade = async (): Promise<number> => {
    const res = await np.gql(`{ auditEvents(first: 100) { edges { node { action } } } }`)
    return res.data.auditEvents.edges.filter((e: any) => e.node.action === 'join-token.created').length
  }
  /** Opens the attack page in a fresh browser context and returns what it saw; `html`: answer the page's address with it, as DNS rebinding does before it rebinds. */
  const runAttack = async (pageUrl: string, html?: string): Promise<string[]> => {
    const context = await browser.newContext()
    const page = await context.newPage()
    if (html) await page.route(pageUrl, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: html }))
    await page.goto(pageUrl)
    await page.waitForFunction(() => (globalThis as any).done === true, undefined, { timeout: 20_000 })
    const results = (await page.evaluate(() => (globalThis as any).results)) as string[]
    await context.close()
    return results
  }

  beforeAll(async () => {
    np = await startTestNodeplan()
    attacker = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(attackPage(np.url)))
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve))
    attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--host-resolver-rules=MAP ${REBIND_HOST} 127.0.0.1`,
        // A page the test answers itself has no address: Chromium's own check on requests to this
        // machine would stop the rebound page before nodeplan sees it. Off, as in other browsers.
        '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights',
      ],
    })
  })
  afterAll(async () => {
    await browser?.close()
    await new Promise((resolve) => attacker?.close(resolve))
    await np?.close()
  })

  it('a page from another port on this machine, in Chromium, gets no websocket and no answer to its POSTs', async () => {
    const results = await runAttack(`${attackerOrigin}/cats.html`)
    expect(results.join('\n')).not.toContain('kubeadm join')
    expect(results).not.toContain('ws open')
    expect(results.some((r) => r.startsWith('post json failed'))).toBe(true) // no CORS headers: the page may not read it
    expect(await joinCommandsMade()).toBe(0)
    expect(np.logs.some((l) => l.includes('"websocket refused"') && l.includes(attackerOrigin))).toBe(true)
    expect(np.logs.some((l) => l.includes('"request refused"') && l.includes(attackerOrigin))).toBe(true)
  })

  it('a DNS-rebound page (its name now resolving to 127.0.0.1, same origin as its requests), in Chromium, is refused by Host', async () => {
    const port = new URL(np.url).port
    const rebound = `http://${REBIND_HOST}:${port}`
    const results = await runAttack(`${rebound}/cats.html`, attackPage(rebound))
    expect(results.join('\n')).not.toContain('kubeadm join')
    expect(results).not.toContain('ws open')
    expect(results).toContainEqual(expect.stringMatching(/^post json 403 .*FORBIDDEN/))
    expect(await joinCommandsMade()).toBe(0)
  })

  const post = (headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(np.url)
      const req = request({ host: url.hostname, port: url.port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
        let body = ''
        res.setEncoding('utf8').on('data', (c) => (body += c)).on('end', () => resolve({ status: res.statusCode!, body }))
      })
      req.on('error', reject).end(JSON.stringify({ query: JOIN }))
    })
  const upgrade = (headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(np.url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws', { headers })
      ws.on('open', () => {
        ws.close()
        reject(new Error('the websocket opened'))
      })
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!))
      ws.on('error', () => {})
    })

  it('a Node client with a foreign Host or Origin: HTTP POST and websocket upgrade are 403, nothing runs', async () => {
    const attacks: Record<string, string>[] = [{ host: `${REBIND_HOST}:${new URL(np.url).port}` }, { host: REBIND_HOST }, { origin: attackerOrigin }, { origin: 'null' }, { origin: 'http://localhost:1' }]
    for (const headers of attacks) {
      const res = await post(headers)
      expect(res.status, JSON.stringify(headers)).toBe(403)
      expect(JSON.parse(res.body).errors[0].extensions.code).toBe('FORBIDDEN')
      expect(res.body).not.toContain('kubeadm join')
      expect(await upgrade(headers), JSON.stringify(headers)).toBe(403)
    }
    expect(await joinCommandsMade()).toBe(0)
  })

  it('the loopback names and the server\'s own origin pass', async () => {
    const port = new URL(np.url).port
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      const res = await post({ host, origin: `http://${host}` })
      expect(res.status, host).toBe(200)
    }
    expect(await joinCommandsMade()).toBe(3)
  })

  it('a mutation over the websocket is refused (FORBIDDEN), even from a client that sends no Origin', async () => {
    const client = createClient({ url: np.url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, retryAttempts: 0, lazy: true })
    const before = await joinCommandsMade()
    const outcome = await new Promise<any>((resolve) => {
      client.subscribe({ query: JOIN }, { next: (v) => resolve(v), error: (e) => resolve({ error: e }), complete: () => resolve({ complete: true }) })
    })
    await client.dispose()
    expect(JSON.stringify(outcome)).not.toContain('kubeadm join')
    expect(JSON.stringify(outcome)).toContain('FORBIDDEN')
    expect(await joinCommandsMade()).toBe(before)
  })
})

describe('with --allowed-origins and --websocket-mutations true, the same page is served (the attack harness works)', () => {
  let np: TestNodeplan
  let browser: Browser
  let attacker: Server

  afterAll(async () => {
    await browser?.close()
    await new Promise((resolve) => attacker?.close(resolve))
    await np?.close()
  })

  it('runs the mutation over the websocket from the configured origin, and times it like HTTP ones', async () => {
    attacker = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(attackPage(np.url)))
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve))
    const origin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`
    np = await startTestNodeplan({ args: ['--allowed-origins', origin, '--websocket-mutations', 'true'] })
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] })
    const page = await (await browser.newContext()).newPage()
    await page.goto(`${origin}/portal.html`)
    await page.waitForFunction(() => (globalThis as any).done === true, undefined, { timeout: 20_000 })
    const results = (await page.evaluate(() => (globalThis as any).results)) as string[]
    expect(results).toContain('ws open')
    expect(results.find((r) => r.startsWith('ws {"id":"1","type":"next"'))).toContain('kubeadm join')
    expect(results.find((r) => r.startsWith('post json'))).toMatch(/^post json 200 .*kubeadm join/)

    // A plan made over the websocket lands in the plan-duration histogram.
    const client = createClient({ url: np.url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, retryAttempts: 0, lazy: true })
    const planned = await new Promise<any>((resolve) => {
      client.subscribe({ query: 'mutation { planDrain(input: {nodes: ["gpu-1"], reason: "ws"}) { id } }' }, { next: resolve, error: resolve, complete: () => {} })
    })
    await client.dispose()
    expect(planned.data.planDrain.id).toBeTruthy()
    const metrics = await (await fetch(`${np.url}/metrics`)).text()
    expect(metrics).toMatch(/nodeplan_plan_duration_seconds_count\{kind="DRAIN",outcome="ok"\} 1\b/)
  })
})
