// The web console end to end in Debian's headless Chromium (playwright-core): plan as an
// operator, approve as an approver, apply with live progress, see the node draining.
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { has } from '../support/prerequisites.js'

const SHOTS = fileURLToPath(new URL('../../test-results/', import.meta.url))

describe.runIf(has('chromium'))('web console at /', () => {
  let np: TestNodeplan
  let browser: Browser

  const signIn = async (token: string): Promise<Page> => {
    // A context per person: sessionStorage (the token) is not shared.
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage()
    await page.goto(np.url + '/')
    await page.fill('#token', token)
    await page.click('#login button[type=submit]')
    await page.waitForSelector('#nodes')
    return page
  }
  const shot = async (page: Page, name: string) => {
    const path = `${SHOTS}console-${name}.png`
    await page.screenshot({ path, fullPage: true })
    console.log(`screenshot: ${path}`)
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true })
    np = await startTestNodeplan({ tokens: true, policy: { requireApproval: ['DRAIN', 'DECOMMISSION'] } })
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

  it('serves its own files, no CDN; unknown files are 404', async () => {
    const index = await fetch(np.url + '/')
    expect(index.headers.get('content-type')).toContain('text/html')
    const html = await index.text()
    expect(html).toContain('/console/app.js')
    expect(html).not.toMatch(/src="https?:|href="https?:/)
    expect((await fetch(np.url + '/console/app.js')).headers.get('content-type')).toContain('javascript')
    expect((await fetch(np.url + '/console/../main.ts')).status).toBe(404)
    expect((await fetch(np.url + '/console/nope.js')).status).toBe(404)
  })

  it('a wrong token is refused and the form is shown again', async () => {
    const page = await (await browser.newContext()).newPage()
    await page.goto(np.url + '/')
    await page.fill('#token', 'not-a-token-at-all-0000')
    await page.click('#login button[type=submit]')
    await expect.poll(() => page.textContent('main')).toContain('not known to this server')
    expect(await page.isVisible('#token')).toBe(true)
    await page.context().close()
  })

  it('plan as an operator, approve as an approver, apply with live progress, then see the node draining', async () => {
    const operator = await signIn(TEST_TOKENS.operator)
    expect(await operator.textContent('#who')).toContain('operator (operator)')
    expect(await operator.textContent('[data-metric=draining] .n')).toBe('0')
    const gpusIn = Number(await operator.textContent('[data-metric=gpus-in] .n'))
    await shot(operator, 'overview-before')

    await operator.selectOption('#plan-kind', 'drain')
    await operator.fill('#plan-nodes', 'gpu-1')
    await operator.fill('#plan-reason', 'CHG-42 replace PSU')
    await operator.click('#new-plan button[type=submit]')
    await operator.waitForSelector('#diff')
    const planId = decodeURIComponent(operator.url().split('#/plan/')[1]!)
    expect(await operator.textContent('#plan-status')).toBe('PENDING')
    expect(await operator.textContent('#diff .add')).toBe('+')
    expect(await operator.textContent('#diff')).toContain('Plan: 1 to add, 0 to change, 0 to destroy.')
    expect(await operator.locator('#auto li').count()).toBeGreaterThan(0)
    expect(await operator.locator('#manual li').count()).toBeGreaterThan(0)
    expect(await operator.locator('.plan-warning').count()).toBeGreaterThan(0)
    expect(await operator.textContent('main')).not.toContain('[object')
    // The author may apply and discard, never approve.
    expect(await operator.isVisible('#approvePlan-button')).toBe(false)
    expect(await operator.isVisible('#applyPlan-button')).toBe(true)
    await shot(operator, 'plan-pending')

    // Applying before approval is refused by the server, and the page says why.
    await operator.click('#applyPlan-button')
    await expect.poll(() => operator.textContent('#action-message')).toContain('APPROVAL_REQUIRED')

    const viewer = await signIn(TEST_TOKENS.viewer)
    await viewer.goto(`${np.url}/#/plan/${planId}`)
    await viewer.waitForSelector('#diff')
    expect(await viewer.locator('#actions button').count()).toBe(0)
    expect(await viewer.isVisible('#new-plan')).toBe(false)

    const approver = await signIn(TEST_TOKENS.approver)
    await approver.goto(`${np.url}/#/plan/${planId}`)
    await approver.click('#approvePlan-button')
    await expect.poll(() => approver.textContent('#plan-status')).toBe('APPROVED')

    await operator.reload()
    await operator.waitForSelector('#applyPlan-button')
    expect(await operator.textContent('#plan-status')).toBe('APPROVED')
    await operator.click('#applyPlan-button')
    await expect.poll(() => operator.textContent('#plan-status')).toBe('APPLIED')
    expect(await operator.textContent('#progress')).toContain('✓ applied node/gpu-1/taint/runai:NoExecute')
    expect(await operator.isVisible('#applyPlan-button')).toBe(false)
    await shot(operator, 'plan-applied')

    await operator.goto(np.url + '/#/')
    await operator.waitForSelector('#nodes')
    expect(await operator.textContent('[data-node="gpu-1"] [data-col=draining]')).toBe('draining')
    expect(await operator.textContent('[data-metric=draining] .n')).toBe('1')
    expect(Number(await operator.textContent('[data-metric=gpus-in] .n'))).toBe(gpusIn - 8)
    await shot(operator, 'overview-after')

    await operator.click('[data-node="gpu-1"] a')
    await operator.waitForSelector('#timeline')
    const timeline = await operator.textContent('#timeline')
    for (const action of ['plan.created', 'plan.approved', 'plan.applying', 'change.applied', 'plan.applied']) expect(timeline).toContain(action)

    // One system node left Ready: the overview warns.
    expect(await operator.isVisible('#system-warning')).toBe(false)
    const sys = await np.gql(`mutation { planDrain(input: {nodes: ["sys-1"], reason: "CHG-43"}) { id } }`, {}, TEST_TOKENS.operator)
    await np.gql(`mutation($id: ID!) { approvePlan(id: $id) { id } }`, { id: sys.data.planDrain.id }, TEST_TOKENS.approver)
    expect((await np.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id: sys.data.planDrain.id }, TEST_TOKENS.operator)).data.applyPlan.status).toBe('APPLIED')
    await operator.goto(np.url + '/#/')
    await operator.waitForSelector('#system-warning')
    expect(await operator.textContent('[data-metric=system-ready] .n')).toBe('1')

    await operator.goto(np.url + '/#/plans')
    await operator.waitForSelector('#plans')
    expect(await operator.textContent('#plans')).toContain(planId)
  })
})
