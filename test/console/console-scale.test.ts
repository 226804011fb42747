// The console's node list on a 5,000-node simulated cluster, without a tokens file (the local
// admin: no Sign out): filters go to the server (NodeFilter), names sort naturally, the table
// pages, and a selection of 111 nodes by filter is planned, confirmed and applied with progress.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNodeplan, type TestNodeplan } from '../support/nodeplan.js'
import { launchChromium, newPage, shot } from './browser.js'
import { has } from '../support/prerequisites.js'

const WAIT = { timeout: 30_000, interval: 100 }
const number = (name: string) => Number(/(\d+)$/.exec(name)![1])

describe.runIf(has('chromium'))('console at 5,000 nodes', () => {
  let np: TestNodeplan
  let browser: Browser
  let page: Page

  const text = (selector: string) => page.textContent(selector).then((t) => t ?? '')
  const names = () => page.locator('#nodes tr[data-node]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-node')!))

  beforeAll(async () => {
    ;[np, browser] = await Promise.all([
      startTestNodeplan({ simulator: { systemNodes: 3, gpuNodes: 4_990, cpuNodes: 7, podsPerGpuNode: 2 } }),
      launchChromium(),
    ])
    page = await newPage(browser)
  })
  afterAll(async () => {
    await browser?.close()
    await np?.close()
  })

  it('lists, filters, sorts naturally and pages 5,000 nodes on a short page', async () => {
    await page.goto(np.url + '/')
    await page.waitForSelector('#nodes')
    expect(await text('#who')).toContain('local-admin (admin)')
    expect(await page.locator('#sign-out').count()).toBe(0)
    expect(await text('[data-metric=nodes] .n')).toBe('5,000')
    expect(await text('#match-count')).toBe('5,000 nodes match')
    expect(await text('#page-info')).toBe('Page 1 of 100')
    expect(await page.locator('#nodes tr[data-node]').count()).toBe(50)
    // The page stays short: one page of rows, not 5,000.
    expect(await page.evaluate('document.documentElement.scrollHeight')).toBeLessThan(2_500)
    await shot(page, 'cluster-5000')

    await page.fill('#node-search', 'gpu-25')
    await expect.poll(() => text('#match-count'), WAIT).toBe('111 nodes match')
    const page1 = await names()
    expect(page1.slice(0, 4)).toEqual(['gpu-25', 'gpu-250', 'gpu-251', 'gpu-252'])
    expect(page1.indexOf('gpu-257')).toBeLessThan(page1.indexOf('gpu-2500'))
    const numbers = page1.map(number)
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b).sort((a, b) => String(a).length - String(b).length || a - b))
    await page.click('#page-next')
    expect(await text('#page-info')).toBe('Page 2 of 3')
    expect((await names())[0]).toBe('gpu-2539')
    await page.click('#page-prev')
    expect((await names())[0]).toBe('gpu-25')

    await page.fill('#node-search', 'gpu-2')
    await expect.poll(() => text('#match-count'), WAIT).toBe('1,111 nodes match')
    expect((await names()).slice(0, 3)).toEqual(['gpu-2', 'gpu-20', 'gpu-21'])
    await page.fill('#node-search', '')
    await page.fill('#filter-label', 'kubernetes.io/hostname=gpu-2570')
    await expect.poll(() => text('#match-count'), WAIT).toBe('1 node match')
    await page.fill('#filter-label', '')
    await page.selectOption('#filter-role', 'SYSTEM')
    await expect.poll(() => names(), WAIT).toEqual(['sys-1', 'sys-2', 'sys-3'])
    await page.selectOption('#filter-role', '')
    await page.selectOption('#filter-ready', 'notready')
    await expect.poll(() => text('#match-count'), WAIT).toBe('0 nodes match')
    await page.selectOption('#filter-ready', '')
    await expect.poll(() => text('#match-count'), WAIT).toBe('5,000 nodes match')
  })

  it('selects all 111 nodes matching a filter, plans a drain, confirms by typing 111, and applies with progress', async () => {
    await page.fill('#node-search', 'gpu-1')
    await page.selectOption('#filter-role', 'GPU_WORKER')
    await page.fill('#filter-label', 'kubernetes.io/os=linux')
    await expect.poll(() => text('#match-count'), WAIT).toBe('1,111 nodes match')
    await page.fill('#node-search', 'gpu-43')
    await expect.poll(() => text('#match-count'), WAIT).toBe('111 nodes match')
    await page.click('#select-all')
    expect(await text('#selection-count')).toBe('111 nodes selected (888 GPUs)')
    await shot(page, 'nodes-selected')
    // Filters change, the selection stays.
    await page.fill('#node-search', 'gpu-4999')
    await expect.poll(() => text('#match-count'), WAIT).toBe('0 nodes match')
    expect(await text('#selection-count')).toBe('111 nodes selected (888 GPUs)')
    await page.fill('#plan-reason', 'CHG-77 rack 43 firmware')
    await page.click('#plan-submit')
    await page.waitForSelector('#summary', WAIT)

    expect(await text('#plan-meta')).toContain('DRAIN of 111 nodes')
    expect(await text('[data-metric=gpus-out] .n')).toBe('888 GPUs')
    // Each fact once: the node names are listed once, folded after the first few.
    const shown = await page.locator('#plan-node-list > ul > li').count()
    expect(shown).toBe(12)
    expect(await text('#plan-node-list details summary')).toBe('and 99 more')
    expect(await page.locator('.plan-warning.grouped').count()).toBeLessThanOrEqual(3)
    expect(await page.evaluate('document.documentElement.scrollHeight')).toBeLessThan(4_000)
    await shot(page, 'plan-111-nodes')

    await page.click('#apply-button')
    await page.fill('#confirm-typed', '111')
    // Every state of the bar while it applies, as rendered (the apply may be over before a poll looks).
    await page.evaluate(`window.barStates = []; new MutationObserver(() => {
      const bar = document.getElementById('plan-bar')
      if (bar) window.barStates.push({ status: bar.querySelector('#plan-status')?.textContent, buttons: bar.querySelectorAll('button').length, progress: bar.querySelector('#progress-count')?.textContent ?? null })
    }).observe(document.body, { childList: true, subtree: true, characterData: true })`)
    await page.click('#confirm-ok')
    await page.waitForSelector('#progress-bar')
    await shot(page, 'plan-111-applying')
    await expect.poll(() => text('#plan-status'), WAIT).toBe('APPLIED')
    expect(await text('#applied-count')).toBe('111 applied')
    expect(await text('#failed-count')).toBe('0 failed')
    const states = (await page.evaluate('window.barStates')) as { status: string; buttons: number; progress: string | null }[]
    const applying = states.filter((s) => s.status === 'APPLYING')
    expect(applying.length).toBeGreaterThan(0)
    expect(applying.every((s) => s.buttons === 0 && s.progress?.includes('of 111 changes'))).toBe(true)
    await shot(page, 'plan-111-applied')

    await page.goto(np.url + '/#/')
    await page.waitForSelector('#nodes')
    // The filters were kept while the plan was shown.
    expect(await page.inputValue('#node-search')).toBe('gpu-4999')
    await page.fill('#node-search', '')
    await page.selectOption('#filter-draining', 'yes')
    await expect.poll(() => text('#match-count'), WAIT).toBe('111 nodes match')
    expect(await text('[data-metric=draining] .n')).toBe('111')
  })
})
