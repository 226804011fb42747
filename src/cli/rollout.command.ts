// nodeplan plan rollout | rollouts | rollout status|approve|start|pause|resume|discard|abort|complete,
// against a nodeplan server over GraphQL; `rollout status --watch` follows rolloutProgress.
import type { Connection as ServerConnection } from './args.js'
import { GraphQLClient, GraphQLRequestError } from './graphql-client.js'
import type { Terminal } from './operator.command.js'
import { subscribe } from './progress-client.js'
import { colourDiff, morePages, paint } from './render.js'
import type { RolloutCommand } from './rollout-args.js'
import { FINAL_ROLLOUT, leftDrainedText, rolloutChanges, rolloutNextStep, rolloutsTable, rolloutText, type RolloutView } from './rollout-render.js'
import { safeJson, terminalSafe } from './terminal-text.js'

const WORKLOAD = 'namespace name kind gpus project'
export const ROLLOUT_FIELDS = `id cluster status reason createdBy createdAt approvedBy needsApproval awaitingMyApproval startedAt finishedAt
  drainMode drainTimeoutSeconds maxUnavailable minGpusInService poolLabel notBefore
  window { cron durationMinutes timeZone nextOpensAt open }
  waves { index status startedAt finishedAt
    nodes { name pool stage gpus drainedAt maintenanceDoneAt maintenanceDoneBy returnedAt error }
    impact { nodes gpus readySystemNodesAfter automaticallyRescheduled { ${WORKLOAD} } manualRelocation { ${WORKLOAD} } }
    guard { nodesOut maxUnavailable gpusInService minGpusInService readySystemNodes pools { pool gpusInService minGpusInService } satisfied reason }
    plans { id kind status } }
  currentWave diff waitingFor error leftDrained warnings
  forecast { drainSeconds maintenanceSeconds samples remainingSeconds endsAt }`

type Rollout = RolloutView & { diff: string; awaitingMyApproval: boolean } & Record<string, unknown>

const MUTATIONS: Record<string, string> = {
  approve: 'approveRollout',
  start: 'startRollout',
  pause: 'pauseRollout',
  resume: 'resumeRollout',
  discard: 'discardRollout',
}

/** How often --watch reads the rollout beside its subscription, to notice one that stalls and to take over. */
const POLL_MS = 2_000
const READ_TIMEOUT_MS = 10_000
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref())

export async function rolloutCommand(command: RolloutCommand, conn: ServerConnection, term: Terminal): Promise<number> {
  const json = conn.output === 'json'
  const api = new GraphQLClient(conn.url, conn.token, { forTerminal: !json })
  const out = (text: string) => term.stdout.write(text)
  const emit = (value: unknown) => out(`${safeJson(value)}\n`)
  const read = async (id: string, timeoutMs?: number) => {
    const { rollout } = await api.request<{ rollout: Rollout | null }>(`query($id: ID!) { rollout(id: $id) { ${ROLLOUT_FIELDS} } }`, { id }, timeoutMs)
    if (!rollout) throw new GraphQLRequestError(`no rollout with id "${id}"`, 'NOT_FOUND')
    return rollout
  }

  if (command.name === 'plan-rollout') {
    const { planRollout: r } = await api.request<{ planRollout: Rollout }>(`mutation($input: RolloutInput!) { planRollout(input: $input) { ${ROLLOUT_FIELDS} } }`, {
      input: conn.cluster ? { ...command.input, cluster: conn.cluster } : command.input,
    })
    json ? emit(r) : out(`${colourDiff(r.diff, conn.color)}\nSaved the rollout as ${paint(r.id, 'bold', conn.color)}. ${rolloutNextStep(r)}`)
    return 0
  }
  if (command.name === 'rollouts') {
    const { rollouts: page } = await api.request<{ rollouts: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: Rollout }[] } }>(
      `query($status: [RolloutStatus!], $first: Int, $after: String, $cluster: String) { rollouts(status: $status, first: $first, after: $after, cluster: $cluster) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { id cluster status reason createdBy createdAt currentWave waitingFor waves { index nodes { name } } } } } }`,
      { status: command.statuses.length > 0 ? command.statuses : null, first: command.limit, after: command.after, cluster: conn.cluster },
    )
    const rows = page.edges.map((e) => e.node)
    if (json) emit(rows)
    else out((rows.length > 0 ? rolloutsTable(rows) : 'No rollouts match.\n') + morePages(page, rows.length))
    return 0
  }

  switch (command.action) {
    case 'status': {
      const r = await read(command.id)
      if (!command.watch || FINAL_ROLLOUT.includes(r.status)) {
        json ? emit(r) : out(rolloutText(r, conn.color))
        return 0
      }
      if (!json) out(rolloutText(r, conn.color))
      const final = await watch(conn, term, r, read)
      if (json) emit(final)
      else out(`\n${rolloutText(final, conn.color)}`)
      return final.status === 'COMPLETED' ? 0 : 1
    }
    case 'abort': {
      const { abortRollout: r } = await api.request<{ abortRollout: Rollout }>(
        `mutation($id: ID!, $reason: String!) { abortRollout(id: $id, reason: $reason) { ${ROLLOUT_FIELDS} } }`,
        { id: command.id, reason: command.reason },
      )
      json ? emit(r) : out(`Rollout ${r.id} is ${r.status}.\n${leftDrainedText(r)}`)
      return 0
    }
    case 'complete': {
      const { completeMaintenance: r } = await api.request<{ completeMaintenance: Rollout }>(
        `mutation($id: ID!, $node: String!) { completeMaintenance(rolloutId: $id, node: $node) { ${ROLLOUT_FIELDS} } }`,
        { id: command.id, node: command.node },
      )
      const node = r.waves.flatMap((w) => w.nodes).find((n) => n.name === terminalSafe(command.node))
      json ? emit(r) : out(`Maintenance of ${terminalSafe(command.node)} recorded as done${node ? `; the node is ${node.stage}` : ''}. Rollout ${r.id} is ${r.status}.\n`)
      return 0
    }
    default: {
      const field = MUTATIONS[command.action]!
      const result = await api.request<Record<string, Rollout>>(`mutation($id: ID!) { ${field}(id: $id) { ${ROLLOUT_FIELDS} } }`, { id: command.id })
      const r = result[field]!
      if (json) emit(r)
      else {
        const by = command.action === 'approve' && r.approvedBy ? ` (approved by ${r.approvedBy})` : ''
        const waiting = r.waitingFor ? ` Waiting for: ${r.waitingFor}` : ''
        out(`Rollout ${r.id} is ${r.status}${by}.${waiting}\n${['approve', 'pause'].includes(command.action) ? rolloutNextStep(r) : ''}`)
      }
      return 0
    }
  }
}

/**
 * Prints each change of the rollout as rolloutProgress delivers it, until it is final. The rollout
 * is also read every POLL_MS: when a reading shows a change the subscription has not delivered by
 * the next reading, or the subscription ends before the rollout does, the readings take over and
 * the CLI says so.
 */
async function watch(conn: ServerConnection, term: Terminal, first: Rollout, read: (id: string, timeoutMs?: number) => Promise<Rollout>): Promise<Rollout> {
  const json = conn.output === 'json'
  let printed: Rollout = first
  const show = (r: Rollout) => {
    if (!json) for (const line of rolloutChanges(printed, r, conn.color)) term.stdout.write(`${line}\n`)
    printed = r
  }
  const same = (a: Rollout, b: Rollout) => rolloutChanges(a, b, false).length === 0
  let delivered = first
  let deliveries = 0
  let live = true
  const follower = subscribe<{ rolloutProgress: Rollout }>(
    conn.url,
    conn.token,
    `subscription($id: ID!) { rolloutProgress(id: $id) { ${ROLLOUT_FIELDS} } }`,
    { id: first.id },
    (data) => {
      if (!live) return
      const r = json ? data.rolloutProgress : terminalSafe(data.rolloutProgress)
      delivered = r
      deliveries++
      show(r)
    },
  )
  const ended = follower.done.then(() => (live ? 'ended' : 'stopped'))
  const fallBack = (why: string) => {
    if (!live) return
    live = false
    term.stderr.write(`nodeplan: ${why}; reading rollout ${first.id} every ${POLL_MS / 1000} s instead.\n`)
    void follower.stop()
  }
  let suspectAt: number | null = null
  try {
    for (;;) {
      // Once the readings have taken over, the ended subscription no longer cuts the wait short.
      const tick = live ? await Promise.race([sleep(POLL_MS).then(() => 'tick'), ended]) : await sleep(POLL_MS).then(() => 'tick')
      if (tick === 'ended' && live && !FINAL_ROLLOUT.includes(delivered.status)) fallBack('live progress ended before the rollout did')
      if (live && FINAL_ROLLOUT.includes(delivered.status)) return delivered
      let reading: Rollout
      try {
        // A reading that hangs (a replica gone quiet) is given up and tried again at the next tick.
        reading = await read(first.id, READ_TIMEOUT_MS)
      } catch (err) {
        if (err instanceof GraphQLRequestError && err.code === 'UNREACHABLE') continue
        throw err
      }
      if (!live) {
        show(reading)
        if (FINAL_ROLLOUT.includes(reading.status)) return reading
        continue
      }
      if (same(delivered, reading)) suspectAt = null
      else if (suspectAt === null) suspectAt = deliveries
      else if (suspectAt === deliveries) {
        fallBack('live progress stalled')
        show(reading)
        if (FINAL_ROLLOUT.includes(reading.status)) return reading
      } else suspectAt = deliveries
    }
  } finally {
    live = false
    await follower.stop()
  }
}
