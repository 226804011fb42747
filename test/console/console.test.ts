// The web console end to end in Debian's headless Chromium (playwright-core) against a real
// nodeplan and the simulated cluster: select nodes, plan, confirm, approve elsewhere, apply with
// progress, follow-ups, the node page; a decommission confirmed by typing the node's name.
import { readdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNodeplan, TEST_TOKENS, type TestNodeplan } from '../support/nodeplan.js'
import { launchChromium, newPage, shot } from './browser.js'
import { has } from '../support/prerequisites.js'

const STATIC = new URL('../../src/console/static/', import.meta.url)
const WAIT = { timeout: 15_000, interval: 100 }

describe.runIf(has('chromium'))('web console at /', () => {
  let np: TestNodeplan
  let browser: Browser

  const signIn = async (token: string, hash = '#/'): Promise<Page> => {
    const page = await newPage(browser)
    await page.goto(np.url + '/' + hash)
    await page.fill('#token', token)
    await page.click('#login button[type=submit]')
    await page.waitForSelector(hash === '#/' ? '#nodes' : 'main h1')
    return page
  }
  const text = (page: Page, selector: string) => page.textContent(selector).then((t) => t ?? '')

  beforeAll(async () => {
    ;[np, browser] = await Promise.all([
      startTestNodeplan({ tokens: true, policy: { requireApproval: ['DRAIN', 'DECOMMISSION'] }, overrides: { apply: { changeDeadlineMs: 300 } } }),
      launchChromium(),
    ])
  })
  afterAll(async () => {
    await browser?.close()
    await np?.close()
  })

  it('serves each of its own files, no CDN, no inline script or style; unknown files are 404', async () => {
    const index = await fetch(np.url + '/')
    expect(index.headers.get('content-type')).toContain('text/html')
    const html = await index.text()
    expect(html).toContain('/console/app.js')
    expect(html).not.toMatch(/src="https?:|href="https?:/)
    expect(html).not.toMatch(/<style|style=|<script(?![^>]*\bsrc=)/)
    for (const file of readdirSync(STATIC).filter((f) => f !== 'index.html')) {
      const res = await fetch(`${np.url}/console/${file}`)
      expect(res.status, file).toBe(200)
      expect(await res.text(), file).not.toMatch(/\.innerHTML\s*=|setAttribute\(\s*'style'|style: /)
    }
    expect((await fetch(np.url + '/console/../main.ts')).status).toBe(404)
    expect((await fetch(np.url + '/console/nope.js')).status).toBe(404)
  })

  it('puts the warnings that matter first, each once, and folds families of the same warning', async () => {
    const page = await newPage(browser)
    await page.goto(np.url + '/')
    const pdb = (i: number) => `PodDisruptionBudget runai-team-a/dist-${i} covers 1 pod of runai-team-a/dist-${i} that the taint evicts without consulting it (the taint manager deletes pods directly)`
    const warnings = [
      ...Array.from({ length: 40 }, (_, i) => pdb(i)),
      'node gpu-9 is NotReady since 2026-12-01T00:00:00Z',
      '3 workloads will be killed and must be resubmitted by hand (interactive and build sessions are not rescheduled): a/x (INTERACTIVE), a/y (INTERACTIVE), a/z (BUILD)',
      'training workloads need 64 GPUs but only 8 are free on other nodes: some will wait in their queue until GPUs free up',
    ]
    const shown = (await page.evaluate(`import('/console/plan-summary.js').then((m) => {
      const section = m.warnings(${JSON.stringify(warnings)})
      return [...section.children].map((el) => ({ critical: el.classList.contains('critical'), folded: el.tagName === 'DETAILS', text: el.tagName === 'DETAILS' ? el.querySelector('summary').textContent : el.textContent }))
    })`)) as { critical: boolean; folded: boolean; text: string }[]
    expect(shown.map((w) => w.critical)).toEqual([true, true, false, false])
    expect(shown[0]!.text).toContain('3 workloads will be killed')
    expect(shown[0]!.text).not.toContain('a/x')
    expect(shown[1]!.text).toContain('training workloads need 64 GPUs')
    expect(shown[2]!.text).toBe('⚠ node gpu-9 is NotReady since 2026-12-01T00:00:00Z')
    expect(shown[3]).toEqual({ critical: false, folded: true, text: '⚠ 40 PodDisruptionBudget warnings: the drain taint evicts without consulting them' })
    await page.context().close()
  })

  it('a wrong token is refused and the form is shown again', async () => {
    const page = await newPage(browser)
    await page.goto(np.url + '/')
    await page.fill('#token', 'not-a-token-at-all-0000')
    await page.click('#login button[type=submit]')
    await expect.poll(() => text(page, 'main')).toContain('not known to this server')
    expect(await page.isVisible('#token')).toBe(true)
    await page.context().close()
  })

  it('select, plan, await approval given elsewhere, confirm by typing the count, apply with progress; undrain fails, retry re-plans', async () => {
    const operator = await signIn(TEST_TOKENS.operator)
    expect(await text(operator, '#who')).toContain('operator (operator)')
    expect(await operator.isVisible('#sign-out')).toBe(true)
    expect(await text(operator, '[data-metric=draining] .n')).toBe('0')
    const gpusIn = Number(await text(operator, '[data-metric=gpus-in] .n'))

    await operator.check('[data-select="gpu-1"]')
    await operator.check('[data-select="gpu-2"]')
    expect(await text(operator, '#selection-count')).toBe('2 nodes selected (16 GPUs)')
    await operator.uncheck('[data-select="gpu-2"]')
    expect(await text(operator, '#selection-count')).toBe('1 node selected (8 GPUs)')
    await operator.selectOption('#plan-kind', 'drain')
    await operator.fill('#plan-reason', 'CHG-42 replace PSU')
    await operator.click('#plan-submit')
    await operator.waitForSelector('#summary')
    const planId = decodeURIComponent(operator.url().split('#/plan/')[1]!)

    // The summary leads; the plan needs approval and the author is told so, with no Apply.
    expect(await text(operator, '#plan-meta')).toContain('DRAIN of 1 node')
    expect(await text(operator, '[data-metric=gpus-out] .n')).toBe('8 GPUs')
    expect(await text(operator, '[data-metric=capacity-after] .n')).toBe(`${gpusIn - 8} / ${gpusIn}`)
    expect(await operator.locator('#by-project tr[data-project]').count()).toBeGreaterThan(0)
    expect(await text(operator, '#plan-status')).toBe('PENDING')
    expect(await text(operator, '#awaiting-approval')).toBe('Awaiting approval')
    expect(await text(operator, '#plan-note')).toContain('requires an approver other than you')
    expect(await operator.isVisible('#apply-button')).toBe(false)
    expect(await operator.isVisible('#approve-button')).toBe(false)
    expect(await operator.isVisible('#discard-button')).toBe(true)
    expect(await text(operator, '#diff-total')).toBe('Plan: 1 to add, 0 to change, 0 to destroy.')
    expect(await text(operator, '#diff .add')).toBe('+')
    // Each fact once: the diff no longer repeats the warnings and impact shown above it.
    expect(await text(operator, '#diff')).not.toMatch(/Warning:|Impact:/)
    expect(await operator.locator('#auto li').count()).toBeGreaterThan(0)
    expect(await operator.locator('#manual li').count()).toBeGreaterThan(0)
    const first = await operator.locator('.plan-warning').first().getAttribute('class')
    expect(first).toContain('critical')
    expect(await text(operator, 'main')).not.toMatch(/\[object|1 GPUs|1 nodes\b|undefined/)
    expect(await text(operator, '#plan-meta')).toMatch(/ UTC/)
    const needs = await np.gql(`query($id: ID!) { plan(id: $id) { needsApproval } }`, { id: planId }, TEST_TOKENS.viewer)
    expect(needs.data.plan.needsApproval).toBe(true)
    await shot(operator, 'plan-awaiting-approval', true)

    const viewer = await signIn(TEST_TOKENS.viewer, `#/plan/${planId}`)
    await viewer.waitForSelector('#plan-bar')
    expect(await viewer.locator('#plan-bar button').count()).toBe(0)
    await viewer.goto(np.url + '/#/')
    await viewer.waitForSelector('#nodes')
    expect(await viewer.isVisible('#new-plan')).toBe(false)
    expect(await viewer.locator('[data-select]').count()).toBe(0)
    await viewer.context().close()

    // The approver approves in another browser; the confirm button waits for the node count.
    const approver = await signIn(TEST_TOKENS.approver, `#/plan/${planId}`)
    await approver.click('#approve-button')
    expect(await approver.isDisabled('#confirm-ok')).toBe(true)
    await approver.fill('#confirm-typed', '2')
    expect(await approver.isDisabled('#confirm-ok')).toBe(true)
    await approver.fill('#confirm-typed', '1')
    await approver.click('#confirm-ok')
    await expect.poll(() => text(approver, '#plan-status'), WAIT).toBe('APPROVED')
    await approver.context().close()

    // The operator's page follows without a reload.
    await expect.poll(() => text(operator, '#plan-status'), WAIT).toBe('APPROVED')
    await operator.click('#apply-button')
    await operator.waitForSelector('dialog#confirm')
    expect(await text(operator, 'dialog#confirm')).toContain('8 GPUs out of service')
    await operator.click('#confirm-cancel')
    expect(await operator.isVisible('dialog#confirm')).toBe(false)
    expect(await text(operator, '#plan-status')).toBe('APPROVED')

    await operator.click('#apply-button')
    await operator.fill('#confirm-typed', '1')
    await operator.click('#confirm-ok')
    await expect.poll(() => text(operator, '#plan-status'), WAIT).toBe('APPLIED')
    expect(await operator.isVisible('#apply-button')).toBe(false)
    expect(await operator.isVisible('#undrain-button')).toBe(true)
    expect(await operator.isVisible('#rollback-button')).toBe(true)
    await shot(operator, 'plan-applied', true)

    // The cluster page: the draining filter (NodeFilter) finds gpu-1.
    await operator.goto(np.url + '/#/')
    await operator.waitForSelector('#nodes')
    await operator.selectOption('#filter-draining', 'yes')
    await expect.poll(() => text(operator, '#match-count'), WAIT).toBe('1 node match')
    expect(await text(operator, '[data-node="gpu-1"] [data-col=draining]')).toBe('draining')
    expect(await text(operator, '[data-metric=draining] .n')).toBe('1')

    // The node page: taints, labels, workloads, the plans touching it, the timeline.
    await operator.click('[data-node="gpu-1"] a')
    await operator.waitForSelector('#timeline')
    expect(await text(operator, '#taints')).toContain('runai')
    expect(await text(operator, '#taints')).toContain('NoExecute')
    expect(await text(operator, '#labels')).toContain('node-role.kubernetes.io/runai-gpu-worker')
    expect(await text(operator, '#node-plans')).toContain(planId)
    const timeline = await text(operator, '#timeline')
    for (const action of ['plan.created', 'plan.approved', 'plan.applying', 'change.applied', 'plan.applied']) expect(timeline).toContain(action)
    expect(timeline).not.toContain('{"')
    expect(timeline).toMatch(/ UTC/)
    await shot(operator, 'node', true)

    await operator.goto(np.url + '/#/plans')
    await expect.poll(() => text(operator, '#plans-title'), WAIT).toBe('Plans: 0 open plans')
    // Open plans by default: the applied one shows under all.
    expect(await operator.locator(`[data-plan="${planId}"]`).count()).toBe(0)
    await operator.selectOption('#plans-status', 'all')
    await expect.poll(() => operator.locator(`[data-plan="${planId}"]`).count(), WAIT).toBe(1)
    await shot(operator, 'plans')
    await operator.goto(`${np.url}/#/plan/${planId}`)
    await operator.waitForSelector('#undrain-button')

    // Follow-up: undrain the same nodes, one click to a new plan (reviewed before anything happens).
    await operator.click('#undrain-button')
    expect(await operator.inputValue('#confirm-reason')).toContain(planId)
    await operator.click('#confirm-ok')
    await expect.poll(() => operator.url(), WAIT).not.toContain(planId)
    await operator.waitForSelector('#summary')
    expect(await text(operator, '#plan-meta')).toContain('UNDRAIN of 1 node')
    expect(await text(operator, '[data-metric=gpus-back] .n')).toBe('8 GPUs')
    expect(await operator.locator('#awaiting-approval').count()).toBe(0)
    expect(await operator.isVisible('#apply-button')).toBe(true)

    // The undrain fails (the API server refuses gpu-1): the counts say so, and a retry re-plans the failed node.
    np.sim.sim.setFaults({ errorRate: 1, errorStatus: 503, paths: '^/api/v1/nodes/gpu-1$' })
    await operator.click('#apply-button')
    await operator.fill('#confirm-typed', '1')
    await operator.click('#confirm-ok')
    await expect.poll(() => text(operator, '#plan-status'), WAIT).toBe('FAILED')
    np.sim.sim.setFaults(null)
    expect(await text(operator, '#failed-count')).toBe('1 failed')
    expect(await text(operator, '#applied-count')).toBe('0 applied')
    expect(await text(operator, '#failures')).toContain('node/gpu-1/taint/runai:NoExecute')
    await shot(operator, 'plan-failed')
    const failedId = decodeURIComponent(operator.url().split('#/plan/')[1]!)
    await operator.click('#retry-button')
    await operator.click('#confirm-ok')
    await expect.poll(() => operator.url(), WAIT).not.toContain(failedId)
    await operator.waitForSelector('#apply-button')
    expect(await text(operator, '#plan-meta')).toContain(`retry of ${failedId}`)
    await operator.goto(`${np.url}/#/node/gpu-1`)
    await operator.waitForSelector('#timeline')
    expect(await text(operator, '#open-plans-warning')).toContain('UNDRAIN')
    await operator.context().close()
  })

  it('a decommission is applied only after typing the node name', async () => {
    const planned = await np.gql(`mutation { planDecommission(input: {nodes: ["cpu-2"], reason: "CHG-50 retire"}) { id } }`, {}, TEST_TOKENS.operator)
    const id = planned.data.planDecommission.id
    await np.gql(`mutation($id: ID!) { approvePlan(id: $id) { id } }`, { id }, TEST_TOKENS.approver)
    const operator = await signIn(TEST_TOKENS.operator, `#/plan/${id}`)
    await operator.waitForSelector('#apply-button')
    await operator.click('#apply-button')
    expect(await text(operator, 'dialog#confirm')).toContain("Type the node's name, cpu-2")
    expect(await text(operator, 'dialog#confirm')).toContain('deleted from the cluster')
    await operator.fill('#confirm-typed', '1')
    expect(await operator.isDisabled('#confirm-ok')).toBe(true)
    await operator.fill('#confirm-typed', 'cpu-2')
    await shot(operator, 'decommission-confirm')
    await operator.click('#confirm-ok')
    await expect.poll(() => text(operator, '#plan-status'), WAIT).toBe('APPLIED')
    expect(await operator.isVisible('#rejoin-button')).toBe(true)
    expect(await text(operator, '#plan-note')).toContain('join command')
    expect(await operator.isVisible('#rollback-button')).toBe(false)
    await operator.goto(`${np.url}/#/node/cpu-2`)
    await operator.waitForSelector('#timeline')
    expect(await text(operator, 'main')).toContain('Not in the cluster now')
    await operator.context().close()
  })

  it('a stale plan offers no Apply, only Re-plan; discard and roll back; relabel is planned from the form for one node', async () => {
    const stale = await np.gql(`mutation { planDrain(input: {nodes: ["gpu-3"], reason: "CHG-60"}) { id } }`, {}, TEST_TOKENS.operator)
    const staleId = stale.data.planDrain.id
    const other = await np.gql(`mutation { planDrain(input: {nodes: ["gpu-3"], reason: "CHG-61 urgent"}) { id } }`, {}, TEST_TOKENS.operator)
    await np.gql(`mutation($id: ID!) { approvePlan(id: $id) { id } }`, { id: other.data.planDrain.id }, TEST_TOKENS.approver)
    expect((await np.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id: other.data.planDrain.id }, TEST_TOKENS.operator)).data.applyPlan.status).toBe('APPLIED')

    const operator = await signIn(TEST_TOKENS.operator, `#/plan/${staleId}`)
    await expect.poll(() => operator.locator('#stale').count(), WAIT).toBe(1)
    expect(await operator.isVisible('#apply-button')).toBe(false)
    expect(await text(operator, '#plan-note')).toContain('Re-plan it')
    await operator.click('#discard-button')
    await operator.click('#confirm-ok')
    await expect.poll(() => text(operator, '#plan-status'), WAIT).toBe('DISCARDED')
    await operator.click('#replan-button')
    expect(await operator.inputValue('#confirm-reason')).toBe('CHG-60')
    await operator.click('#confirm-ok')
    await expect.poll(() => operator.url(), WAIT).not.toContain(staleId)
    await operator.waitForSelector('#summary')
    expect(await text(operator, '#plan-meta')).toContain('DRAIN of 1 node')
    // gpu-3 is drained already: the new plan changes nothing and is final at once.
    expect(await text(operator, '#plan-status')).toBe('NO_CHANGES')
    expect(await text(operator, '#plan-note')).toContain('changes nothing')
    expect(await operator.locator('#stale').count()).toBe(0)
    expect(await operator.isVisible('#apply-button')).toBe(false)
    expect(await operator.isVisible('#discard-button')).toBe(false)
    await shot(operator, 'plan-no-changes')

    // The plan that drained gpu-3 is rolled back through a new plan.
    await operator.goto(`${np.url}/#/plan/${other.data.planDrain.id}`)
    await operator.click('#rollback-button')
    await operator.click('#confirm-ok')
    await expect.poll(() => text(operator, '#plan-meta'), WAIT).toContain('ROLLBACK of 1 node')
    expect(await text(operator, '#plan-meta')).toContain(`Rolls back ${other.data.planDrain.id}`)
    expect(await text(operator, '[data-metric=gpus-back] .n')).toBe('8 GPUs')

    await operator.goto(np.url + '/#/')
    await operator.waitForSelector('#nodes')
    await operator.fill('#node-search', 'gpu-5')
    await expect.poll(() => text(operator, '#match-count'), WAIT).toBe('1 node match')
    await operator.click('#select-none')
    await operator.check('[data-select="gpu-5"]')
    await operator.check('[data-select="gpu-5"]')
    await operator.selectOption('#plan-kind', 'relabel')
    await operator.check('[data-role=SYSTEM]')
    await operator.fill('#plan-reason', 'CHG-62 temporary system node')
    await operator.click('#plan-submit')
    await operator.waitForSelector('#summary')
    expect(await text(operator, '#plan-meta')).toContain('RELABEL of 1 node')
    expect(await text(operator, '#diff')).toContain('runai-system')
    await operator.context().close()
  })

  it('an admin gets a join command after confirming; the overview warns when one system node is left', async () => {
    const sys = await np.gql(`mutation { planDrain(input: {nodes: ["sys-1"], reason: "CHG-43"}) { id } }`, {}, TEST_TOKENS.operator)
    await np.gql(`mutation($id: ID!) { approvePlan(id: $id) { id } }`, { id: sys.data.planDrain.id }, TEST_TOKENS.approver)
    expect((await np.gql(`mutation($id: ID!) { applyPlan(id: $id) { status } }`, { id: sys.data.planDrain.id }, TEST_TOKENS.operator)).data.applyPlan.status).toBe('APPLIED')
    const admin = await signIn(TEST_TOKENS.admin)
    await admin.waitForSelector('#system-warning')
    expect(await text(admin, '[data-metric=system-ready] .n')).toBe('1')
    await admin.click('#join-button')
    await admin.click('#confirm-ok')
    await admin.waitForSelector('#join-command')
    expect(await text(admin, '#join-command')).toMatch(/^kubeadm join \S+ --token \S+ --discovery-token-ca-cert-hash sha256:/)
    await admin.context().close()
  })
})
