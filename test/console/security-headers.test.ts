// The console and GraphiQL under their Content-Security-Policy: both still load in Chromium with
// no violation reported, and neither may be framed.
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'

describe('security headers on the console and GraphiQL', () => {
  let np: TestNodeplan
  let browser: Browser

  beforeAll(async () => {
    np = await startTestNodeplan({ tokens: true })
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
  })
  afterAll(async () => {
    await browser?.close()
    await np?.close()
  })

  /** A page whose console messages and security-policy violations are kept. */
  const watched = async (): Promise<{ page: Page; problems: string[] }> => {
    const page = await (await browser.newContext()).newPage()
    const problems: string[] = []
    page.on('console', (msg) => {
      if (/Content.Security.Policy|Refused to/i.test(msg.text())) problems.push(msg.text())
    })
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`))
    await page.exposeFunction('reportViolation', (text: string) => problems.push(text))
    await page.addInitScript(`document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(e.violatedDirective + ' ' + e.blockedURI))`)
    return { page, problems }
  }

  it('sends CSP, frame, sniffing and referrer headers', async () => {
    for (const [path, accept] of [['/', '*/*'], ['/graphql', 'text/html']] as const) {
      const res = await fetch(np.url + path, { headers: { accept } })
      expect(res.status).toBe(200)
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp).toContain("script-src 'self'")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).not.toContain('unsafe-inline')
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    }
  })

  it('the console loads, signs in and lists the nodes with no violation', async () => {
    const { page, problems } = await watched()
    await page.goto(np.url + '/')
    await page.fill('#token', TEST_TOKENS.viewer)
    await page.click('#login button[type=submit]')
    await page.waitForSelector('#nodes')
    expect(await page.textContent('#who')).toContain('viewer')
    expect(problems).toEqual([])
    await page.context().close()
  })

  it('GraphiQL loads and renders its editor with no violation', async () => {
    const { page, problems } = await watched()
    await page.goto(np.url + '/graphql')
    await page.waitForSelector('.graphiql-container')
    await page.waitForSelector('.graphiql-query-editor')
    expect(await page.textContent('.graphiql-query-editor')).toContain('nodes')
    expect(problems).toEqual([])
    await page.context().close()
  })
})
