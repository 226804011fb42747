// The console with a fleet of three simulated clusters in headless Chromium: the fleet overview,
// the cluster switcher, planning in the chosen cluster, and one cluster unreachable for a while.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestFleet, type TestFleet } from '../support/fleet.js'
import { TEST_TOKENS } from '../support/nodeplan.js'
import { has } from '../support/prerequisites.js'
import { launchChromium, newPage, shot } from './browser.js'

const CLUSTERS = ['train-eu', 'train-us', 'infer']

describe.runIf(has('chromium'))('web console with a fleet', () => {
  let fleet: TestFleet
  let browser: Browser

  const signIn = async (token: string, hash: string, ready: string): Promise<Page> => {
    const page = await newPage(browser)
    await page.goto(fleet.url + '/' + hash)
    await page.fill('#token', token)
    await page.click('#login button[type=submit]')
    await page.waitForSelector(ready)
    return page
  }
  const text = (page: Page, selector: string) => page.textContent(selector).then((t) => t ?? '')
  const row = async (page: Page, cluster: string) => (await page.locator(`#fleet tr[data-cluster="${cluster}"] td`).allTextContents()).map((t) => t.trim())

  beforeAll(async () => {
    ;[fleet, browser] = await Promise.all([
      startTestFleet(CLUSTERS, { simulator: { systemNodes: 2, gpuNodes: 3, cpuNodes: 0 }, policy: { requireApproval: ['DRAIN', 'DECOMMISSION'] } }),
      launchChromium(),
    ])
  })
  afterAll(async () => {
    await browser?.close()
    await fleet?.close()
  })

  it('shows every cluster in the fleet overview, with plans awaiting approval and an unreachable cluster marked', async () => {
    const planned = await fleet.gql(`mutation { planDrain(input: {nodes: ["gpu-1"], reason: "CHG-7", cluster: "train-us"}) { id } }`, {}, TEST_TOKENS.operator)
    expect(planned.errors).toBeUndefined()
    await fleet.sims['infer']!.goDown('refuse')
    await fleet.checkContact()

    const page = await signIn(TEST_TOKENS.viewer, '#/fleet', '#fleet')
    expect(await page.locator('#fleet tr[data-cluster]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-cluster')))).toEqual(CLUSTERS)
    // Cluster, state, nodes, NotReady, draining, GPUs in, GPUs out, awaiting approval, version
    expect((await row(page, 'train-us')).slice(1, 8)).toEqual(['reachable', '5', '0', '0', '24', '0', '1'])
    expect((await row(page, 'infer'))[1]).toMatch(/^unreachable since /)
    expect(await text(page, '[data-metric=unreachable] .n')).toBe('1')
    expect(await text(page, '[data-metric=awaiting] .n')).toBe('1')
    expect(await text(page, '[data-metric=gpus-in] .n')).toBe('72')
    await shot(page, 'fleet-overview', true)

    await fleet.sims['infer']!.comeBack()
    await fleet.checkContact()
    await page.reload()
    await page.waitForSelector('#fleet')
    expect((await row(page, 'infer'))[1]).toBe('reachable')
  })

  it('switches the cluster the pages show and plans in the chosen one', async () => {
    const page = await signIn(TEST_TOKENS.operator, '#/', '#nodes')
    expect(await page.isVisible('#fleet-nav')).toBe(true)
    expect(await page.inputValue('#cluster-switcher')).toBe('train-eu')
    expect(await text(page, 'main h1')).toBe('Cluster train-eu')

    await page.selectOption('#cluster-switcher', 'infer')
    await page.locator('main h1', { hasText: /^Cluster infer$/ }).waitFor()
    await page.waitForSelector('[data-select="gpu-2"]')
    await page.check('[data-select="gpu-2"]')
    await page.selectOption('#plan-kind', 'drain')
    await page.fill('#plan-reason', 'CHG-8')
    await page.click('#plan-submit')
    await page.waitForSelector('#summary')
    const planId = decodeURIComponent(page.url().split('#/plan/')[1]!)
    const plan = await fleet.gql(`query($id: ID!) { plan(id: $id) { cluster nodes } }`, { id: planId }, TEST_TOKENS.viewer)
    expect(plan.data.plan).toEqual({ cluster: 'infer', nodes: ['gpu-2'] })

    // The fleet page links each cluster to its cluster page.
    await page.goto(fleet.url + '/#/fleet')
    await page.waitForSelector('#fleet')
    await page.click('#fleet tr[data-cluster="train-us"] a')
    await page.locator('main h1', { hasText: /^Cluster train-us$/ }).waitFor()
    expect(await page.inputValue('#cluster-switcher')).toBe('train-us')
  })
})
