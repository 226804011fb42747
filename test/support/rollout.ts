// Driving rollouts through GraphQL over HTTP against the simulated cluster, on its clock: each
// helper calls the API or /_sim over HTTPS; tick() runs one pass of the rollout runner.
import { expect } from 'vitest'
import { eventually } from './eventually.js'
import type { TestNodeplan } from './nodeplan.js'
import { simRoute } from './simulator.js'

export const ROLLOUT_FIELDS = `id status reason createdBy approvedBy needsApproval maxUnavailable minGpusInService drainMode currentWave waitingFor error leftDrained warnings diff
  startedAt finishedAt notBefore window { cron durationMinutes timeZone nextOpensAt open }
  forecast { drainSeconds maintenanceSeconds samples remainingSeconds endsAt }
  waves { index status startedAt finishedAt
    nodes { name pool stage gpus drainedAt maintenanceDoneAt maintenanceDoneBy returnedAt error }
    guard { nodesOut maxUnavailable gpusInService minGpusInService readySystemNodes satisfied reason pools { pool gpusInService minGpusInService } }
    impact { gpus nodes manualRelocation { name } automaticallyRescheduled { name } }
    plans { id kind status rolloutId approvedBy appliedBy } }`

export function rolloutDriver(np: () => TestNodeplan) {
  const ok = async (query: string, variables: Record<string, unknown>, token: string) => {
    const res = await np().gql(query, variables, token)
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined()
    return res.data
  }
  const driver = {
    ok,
    plan: async (input: Record<string, unknown>, token: string) =>
      (await ok(`mutation($input: RolloutInput!) { planRollout(input: $input) { ${ROLLOUT_FIELDS} } }`, { input }, token)).planRollout,
    act: async (mutation: 'approveRollout' | 'startRollout' | 'pauseRollout' | 'resumeRollout' | 'discardRollout', id: string, token: string) =>
      (await ok(`mutation($id: ID!) { ${mutation}(id: $id) { ${ROLLOUT_FIELDS} } }`, { id }, token))[mutation],
    abort: async (id: string, reason: string, token: string) =>
      (await ok(`mutation($id: ID!, $reason: String!) { abortRollout(id: $id, reason: $reason) { ${ROLLOUT_FIELDS} } }`, { id, reason }, token)).abortRollout,
    complete: async (id: string, node: string, token: string) =>
      (await ok(`mutation($id: ID!, $node: String!) { completeMaintenance(rolloutId: $id, node: $node) { ${ROLLOUT_FIELDS} } }`, { id, node }, token)).completeMaintenance,
    get: async (id: string, token: string) => (await ok(`query($id: ID!) { rollout(id: $id) { ${ROLLOUT_FIELDS} } }`, { id }, token)).rollout,
    tick: () => np().app.services.rolloutRunner.tick(),
    /** Passes of the runner until `check` holds (the runner's cache sees the simulator's changes through a watch). */
    until: async <T>(check: () => Promise<T>) =>
      eventually(async () => {
        await driver.tick()
        return check()
      }),
    advance: async (seconds: number) => expect((await simRoute(np().sim, 'POST', '/_sim/clock/advance', { seconds })).status).toBe(200),
    taints: (node: string) => np().sim.sim.state().nodes.find((n) => n.name === node)!.taints.map((t) => `${t.key}=${t.value ?? ''}:${t.effect}`),
    audit: async (action: string, token: string) =>
      ((await ok(`query($f: AuditFilter) { auditEvents(filter: $f, first: 500) { edges { node { actor action node planId detail } } } }`, { f: { action } }, token)).auditEvents.edges as any[]).map((e) => e.node), // eslint-disable-line @typescript-eslint/no-explicit-any
  }
  return driver
}
