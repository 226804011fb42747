// The console's rollouts end to end in Chromium against a real nodeplan and the simulated cluster:
// the list, the rollout page (waves, guard figures, stages, what it waits for, forecast, timeline),
// the buttons each role gets, Start and Maintenance done confirmed in dialogs, changes made
// elsewhere followed live, an abort that says which nodes stay drained.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { has } from '../support/prerequisites.js'
import { rolloutDriver } from '../support/rollout.js'
import { SIM_START, startTestCluster, type TestCluster } from '../support/simulator.js'
import { launchChromium, newPage, shot } from './browser.js'

const WAIT = { timeout: 20_000, interval: 100 }

describe.runIf(has('chromium'))('web console: rollouts', () => {
  let cluster: TestCluster
  let np: TestNodeplan
  let browser: Browser
  // The runner moves rollouts only when ticked (and on each of their mutations), on the simulator's clock.
  const r = rolloutDriver(() => np)
  const ticking = (check: () => Promise<unknown>) => r.until(check)

  const signIn = async (token: string, hash: string): Promise<Page> => {
    const page = await newPage(browser)
    await page.goto(np.url + '/' + hash)
    await page.fill('#token', token)
    await page.click('#login button[type=submit]')
    await page.waitForSelector('main h1')
    return page
  }
  const text = (page: Page, selector: string) => page.textContent(selector).then((t) => t ?? '')
  const gql = async (query: string, variables: Record<string, unknown> = {}, token: string = TEST_TOKENS.operator) => {
    const res = await np.gql(query, variables, token)
    expect(res.errors).toBeUndefined()
    return res.data
  }
  const plan = async (nodes: string[], reason: string) =>
    (await gql(`mutation($input: RolloutInput!) { planRollout(input: $input) { id needsApproval } }`, {
      input: { nodes, order: nodes, reason, maxUnavailable: '1', completeOnReboot: false },
    })).planRollout as { id: string; needsApproval: boolean }
  const stage = async (id: string, node: string) => {
    const { rollout } = await gql(`query($id: ID!) { rollout(id: $id) { waves { nodes { name stage } } } }`, { id }, TEST_TOKENS.viewer)
    return rollout.waves.flatMap((w: any) => w.nodes).find((n: any) => n.name === node).stage as string
  }

  beforeAll(async () => {
    cluster = await startTestCluster({ gpuNodes: 6, nodePools: [{ name: 'a100', nodes: 4 }, { name: 'h100', nodes: 2 }], startTime: SIM_START })
    ;[np, browser] = await Promise.all([startTestNodeplan({ tokens: true, sim: cluster, overrides: { clock: cluster.sim.clock, rolloutIntervalMs: 0 } }), launchChromium()])
  })
  afterAll(async () => {
    await browser?.close()
    await np?.close()
    await cluster?.close()
  })

  it('a wave the guard holds back says which figure; pools, a failed node and its error; the button only on a node in maintenance', async () => {
    const page = await newPage(browser)
    await page.goto(np.url + '/')
    const guard = { nodesOut: 1, maxUnavailable: 4, gpusInService: 300, minGpusInService: 296, readySystemNodes: 3, pools: [{ pool: 'a100', gpusInService: 64, minGpusInService: 64 }], satisfied: true, reason: null as string | null }
    const node = (name: string, stage: string, error: string | null = null) => ({ name, pool: 'a100', stage, gpus: 8, maintenanceDoneAt: null, maintenanceDoneBy: null, error })
    const wave = (index: number, status: string, nodes: unknown[], g = guard) => ({ index, status, nodes, guard: g, impact: { gpus: 8, automaticallyRescheduled: [], manualRelocation: [{ namespace: 'runai-nlp', name: 'jupyter-1', kind: 'INTERACTIVE', gpus: 1 }] }, plans: [], startedAt: null, finishedAt: null })
    const rollout = {
      status: 'RUNNING', currentWave: 0,
      waves: [wave(0, 'RUNNING', [node('gpu-1', 'IN_MAINTENANCE'), node('gpu-2', 'FAILED', 'gpu-2 is NotReady after its maintenance')]),
        wave(1, 'WAITING', [node('gpu-3', 'WAITING')], { ...guard, satisfied: false, reason: 'GPUs in service would fall to 288, below 296' })],
    }
    const shown = (await page.evaluate(`import('/console/rollout-waves.js').then((m) => {
      const el = m.waves(${JSON.stringify(rollout)}, (n) => Object.assign(document.createElement('button'), { textContent: 'done ' + n.name }))
      return {
        guards: [...el.querySelectorAll('.guard')].map((g) => [g.dataset.guard, g.textContent]),
        current: [...el.querySelectorAll('section.wave.current')].map((w) => w.dataset.wave),
        buttons: [...el.querySelectorAll('button')].map((b) => b.textContent),
        failed: el.querySelector('[data-node="gpu-2"]').textContent,
        impact: el.querySelector('.impact').textContent,
      }
    })`)) as { guards: string[][]; current: string[]; buttons: string[]; failed: string; impact: string }
    expect(shown.guards).toEqual([
      ['ok', '1 of at most 4 out · 300 GPUs in service (floor 296) · 3 Ready system nodes · pools a100: 64 (floor 64)'],
      ['held', 'The guard holds this wave back: GPUs in service would fall to 288, below 296 1 of at most 4 out · 300 GPUs in service (floor 296) · 3 Ready system nodes · pools a100: 64 (floor 64)'],
    ])
    expect(shown.current).toEqual(['1'])
    expect(shown.buttons).toEqual(['done gpu-1'])
    expect(shown.failed).toContain('gpu-2 is NotReady after its maintenance')
    expect(shown.impact).toBe('8 GPUs out of service; 0 workloads rescheduled automatically; 1 workload killed (runai-nlp/jupyter-1)')
    await page.context().close()
  })

  it('the list links to the rollout; a viewer sees it without buttons', async () => {
    const { id } = await plan(['gpu-5', 'gpu-6'], 'CHG-7 driver 550')
    const viewer = await signIn(TEST_TOKENS.viewer, '#/')
    await viewer.click('header nav a[data-page=rollouts]')
    await viewer.waitForSelector(`[data-rollout="${id}"]`)
    expect(await text(viewer, '#rollouts-title')).toMatch(/^Rollouts: \d+ open rollouts?$/)
    expect(await text(viewer, `[data-rollout="${id}"]`)).toContain('PENDING')
    expect(await text(viewer, `[data-rollout="${id}"]`)).toContain('CHG-7 driver 550')
    await viewer.click(`[data-rollout="${id}"] a`)
    await viewer.waitForSelector('#waves')
    expect(await viewer.getAttribute('header nav a[data-page=rollouts]', 'class')).toContain('here')
    expect(await text(viewer, '#rollout-status')).toBe('PENDING')
    expect(await viewer.locator('section.wave').count()).toBe(2)
    expect(await text(viewer, 'section.wave[data-wave="1"] .guard')).toMatch(/\d+ of at most 1 out · [\d,]+ GPUs in service \(floor 0\) · \d+ Ready system nodes?/)
    expect(await text(viewer, 'section.wave[data-wave="1"] .impact')).toMatch(/^8 GPUs out of service;/)
    expect(await viewer.locator('[data-stage=WAITING]').count()).toBe(2)
    expect(await text(viewer, '#rollout-settings')).toContain('Forecast:')
    expect(await text(viewer, '#diff-total')).not.toBe('')
    expect(await viewer.locator('#rollout-bar button').count()).toBe(0)
    expect(await text(viewer, 'main')).not.toMatch(/\[object|undefined|NaN/)
    await shot(viewer, 'rollout-pending', true)
    await viewer.context().close()
    await gql(`mutation($id: ID!) { discardRollout(id: $id) { id } }`, { id })
  })

  it('start, each node\'s maintenance done from the page or elsewhere, followed live to COMPLETED; the timeline tells it', async () => {
    const { id, needsApproval } = await plan(['gpu-1', 'gpu-2'], 'CHG-8 firmware')
    if (needsApproval) {
      const approver = await signIn(TEST_TOKENS.approver, `#/rollout/${id}`)
      await approver.click('#approve-button')
      await approver.fill('#confirm-typed', '2')
      await approver.click('#confirm-ok')
      await expect.poll(() => text(approver, '#rollout-status'), WAIT).toBe('APPROVED')
      await approver.context().close()
    }
    const operator = await signIn(TEST_TOKENS.operator, `#/rollout/${id}`)
    expect(await operator.isVisible('#start-button')).toBe(true)
    expect(await operator.isVisible('#discard-button')).toBe(true)
    expect(await operator.isVisible('#pause-button')).toBe(false)
    await operator.click('#start-button')
    expect(await operator.isDisabled('#confirm-ok')).toBe(true)
    await operator.fill('#confirm-typed', '2')
    await operator.click('#confirm-ok')
    await expect.poll(() => text(operator, '#rollout-status'), WAIT).toMatch(/^(SCHEDULED|RUNNING)$/)

    // gpu-1 goes into maintenance: the page shows it and what it waits for, with the button.
    await ticking(async () => expect(await stage(id, 'gpu-1')).toBe('IN_MAINTENANCE'))
    await expect.poll(() => text(operator, '[data-node="gpu-1"] [data-stage]'), WAIT).toBe('IN_MAINTENANCE')
    expect(await text(operator, '#waiting-for')).toMatch(/^Waiting for: .+/)
    expect(await operator.isVisible('#pause-button')).toBe(true)
    expect(await operator.isVisible('#abort-button')).toBe(true)
    expect(await operator.isVisible('#start-button')).toBe(false)
    expect(await text(operator, 'section.wave.current h3')).toContain('Wave 1')
    await shot(operator, 'rollout-in-maintenance', true)
    await operator.click('[id="complete-gpu-1-button"]')
    await operator.click('#confirm-ok')
    await expect.poll(() => text(operator, '[data-node="gpu-1"] [data-stage]'), WAIT).toMatch(/^(CHECKING|DONE)$/)
    await ticking(async () => expect(await stage(id, 'gpu-1')).toBe('DONE'))
    await expect.poll(() => text(operator, '[data-node="gpu-1"] [data-stage]'), WAIT).toBe('DONE')

    // gpu-2's maintenance is reported done elsewhere (a job): the page follows without a reload.
    await ticking(async () => expect(await stage(id, 'gpu-2')).toBe('IN_MAINTENANCE'))
    await gql(`mutation($id: ID!) { completeMaintenance(rolloutId: $id, node: "gpu-2") { id } }`, { id })
    await ticking(async () => expect((await r.get(id, TEST_TOKENS.viewer)).status).toBe('COMPLETED'))
    await expect.poll(() => text(operator, '#rollout-status'), WAIT).toBe('COMPLETED')
    expect(await text(operator, '[data-node="gpu-2"] [data-stage]')).toBe('DONE')
    expect(await operator.locator('#rollout-bar button').count()).toBe(0)
    expect(await text(operator, '#live-note')).toBe('')
    // The rollout's events, newest first: each step, who took it, the wave plans named in the detail.
    await expect.poll(() => text(operator, '#timeline'), WAIT).toContain('rollout.completed')
    const timeline = await text(operator, '#timeline')
    for (const action of ['rollout.planned', 'rollout.started', 'rollout.wave.drained', 'rollout.maintenance.completed', 'rollout.wave.done']) expect(timeline).toContain(action)
    expect(timeline.indexOf('rollout.completed')).toBeLessThan(timeline.indexOf('rollout.started'))
    expect(timeline).toMatch(/planId: plan-/)
    expect(await operator.locator(`#timeline a[href="#/rollout/${id}"]`).count()).toBeGreaterThan(4)
    expect(timeline).toMatch(/ UTC/)
    // A wave's plan names its rollout and links back to it.
    await operator.click('section.wave[data-wave="1"] a[href^="#/plan/"]')
    await operator.waitForSelector('#plan-rollout')
    expect(await text(operator, '#plan-meta')).toContain(`A wave of rollout ${id}.`)
    await operator.click('#plan-rollout')
    await operator.waitForSelector('#waves')
    await shot(operator, 'rollout-completed', true)
    await operator.context().close()
  }, 90_000)

  it('an operator plans a rollout of a node pool from the Rollouts page; bad input is refused with the server\'s message', async () => {
    const operator = await signIn(TEST_TOKENS.operator, '#/rollouts')
    await operator.waitForSelector('#new-rollout')
    await operator.fill('#rollout-label', 'run.ai/node-pool=h100')
    await operator.fill('#rollout-max-unavailable', 'many')
    await operator.fill('#rollout-reason', 'CHG-11 h100 firmware')
    await operator.click('#rollout-submit')
    await expect.poll(() => text(operator, '#rollout-form-error'), WAIT).toMatch(/maxUnavailable.*\(BAD_USER_INPUT\)/)
    await operator.fill('#rollout-max-unavailable', '1')
    await operator.fill('#rollout-min-gpus', '16')
    await operator.selectOption('#rollout-drain-mode', 'GRACEFUL')
    await operator.click('#rollout-submit')
    await operator.waitForSelector('#waves')
    expect(await text(operator, '#rollout-meta')).toContain('“CHG-11 h100 firmware”')
    expect(await operator.locator('section.wave').count()).toBe(2)
    expect(await text(operator, '#waves')).toContain('h100')
    expect(await text(operator, '#rollout-settings')).toContain('Graceful drain')
    expect(await text(operator, '[data-metric=min-gpus] .n')).toBe('16 GPUs')
    const id = decodeURIComponent(operator.url().split('#/rollout/')[1]!)
    await operator.click('#discard-button')
    await operator.click('#confirm-ok')
    await expect.poll(() => text(operator, '#rollout-status'), WAIT).toBe('DISCARDED')
    expect((await r.get(id, TEST_TOKENS.viewer)).status).toBe('DISCARDED')
    const viewer = await signIn(TEST_TOKENS.viewer, '#/rollouts')
    await viewer.waitForSelector('#rollouts')
    expect(await viewer.isVisible('#new-rollout')).toBe(false)
    await viewer.context().close()
    await operator.context().close()
  })

  it('nodes selected on the cluster page are planned as a rollout, in waves of the size asked', async () => {
    const operator = await signIn(TEST_TOKENS.operator, '#/')
    await operator.waitForSelector('#nodes')
    for (const node of ['gpu-1', 'gpu-2', 'gpu-3']) await operator.check(`[data-select="${node}"]`)
    expect(await operator.isVisible('#plan-rollout-options')).toBe(false)
    await operator.selectOption('#plan-kind', 'rollout')
    expect(await operator.isVisible('#plan-rollout-options')).toBe(true)
    await operator.fill('#plan-max-unavailable', '2')
    await operator.fill('#plan-reason', 'CHG-12 BIOS')
    await operator.click('#plan-submit')
    await operator.waitForSelector('#waves')
    expect(await text(operator, '#rollout-meta')).toContain('“CHG-12 BIOS”')
    expect(await operator.locator('section.wave').count()).toBe(2)
    expect(await operator.locator('section.wave tr[data-node]').count()).toBe(3)
    expect(await text(operator, '[data-metric=max-unavailable] .n')).toBe('2')
    await operator.click('#discard-button')
    await operator.click('#confirm-ok')
    await expect.poll(() => text(operator, '#rollout-status'), WAIT).toBe('DISCARDED')
    await operator.context().close()
  })

  it('a subscription that never answers (a proxy holding the socket): the page notices, says so, and follows from its readings', async () => {
    const { id, needsApproval } = await plan(['gpu-5'], 'CHG-10 stalled feed')
    if (needsApproval) await gql(`mutation($id: ID!) { approveRollout(id: $id) { id } }`, { id }, TEST_TOKENS.approver)
    const page = await newPage(browser)
    // The websocket is accepted and then never answered: no connection_ack, no result.
    await page.routeWebSocket(/\/graphql$/, () => {})
    await page.goto(`${np.url}/#/rollout/${id}`)
    await page.fill('#token', TEST_TOKENS.operator)
    await page.click('#login button[type=submit]')
    await page.waitForSelector('#waves')
    expect(await text(page, '#live-note')).toBe('')
    await gql(`mutation($id: ID!) { startRollout(id: $id) { id } }`, { id })
    await ticking(async () => expect(await stage(id, 'gpu-5')).toBe('IN_MAINTENANCE'))
    await expect.poll(() => text(page, '#live-note'), WAIT).toBe('Live updates stalled: this page reads the rollout every 2 s instead.')
    await expect.poll(() => text(page, '[data-node="gpu-5"] [data-stage]'), WAIT).toBe('IN_MAINTENANCE')
    await gql(`mutation($id: ID!) { completeMaintenance(rolloutId: $id, node: "gpu-5") { id } }`, { id })
    await ticking(async () => expect((await r.get(id, TEST_TOKENS.viewer)).status).toBe('COMPLETED'))
    await expect.poll(() => text(page, '#rollout-status'), WAIT).toBe('COMPLETED')
    await page.context().close()
  }, 60_000)

  it('pause and resume; abort asks for a reason and says which nodes stay drained', async () => {
    const { id, needsApproval } = await plan(['gpu-3', 'gpu-4'], 'CHG-9 kernel')
    if (needsApproval) await gql(`mutation($id: ID!) { approveRollout(id: $id) { id } }`, { id }, TEST_TOKENS.approver)
    await gql(`mutation($id: ID!) { startRollout(id: $id) { id } }`, { id })
    const operator = await signIn(TEST_TOKENS.operator, `#/rollout/${id}`)
    await ticking(async () => expect(await stage(id, 'gpu-3')).toBe('IN_MAINTENANCE'))
    await expect.poll(() => text(operator, '[data-node="gpu-3"] [data-stage]'), WAIT).toBe('IN_MAINTENANCE')
    await operator.click('#pause-button')
    await operator.click('#confirm-ok')
    await expect.poll(() => text(operator, '#rollout-status'), WAIT).toBe('PAUSED')
    expect(await operator.isVisible('#resume-button')).toBe(true)
    await operator.click('#resume-button')
    await operator.click('#confirm-ok')
    await expect.poll(() => text(operator, '#rollout-status'), WAIT).toMatch(/^(SCHEDULED|RUNNING)$/)

    await operator.click('#abort-button')
    expect(await text(operator, 'dialog#confirm')).toContain('Drained nodes stay drained: gpu-3.')
    expect(await operator.isDisabled('#confirm-ok')).toBe(true)
    await operator.fill('#confirm-reason', 'INC-9 bad kernel')
    await operator.click('#confirm-ok')
    await expect.poll(() => text(operator, '#rollout-status'), WAIT).toBe('ABORTED')
    expect(await text(operator, '#left-drained')).toContain('Left drained: gpu-3.')
    expect(await text(operator, '[data-node="gpu-4"] [data-stage]')).toMatch(/^(WAITING|SKIPPED)$/)
    await operator.context().close()
  }, 90_000)
})
