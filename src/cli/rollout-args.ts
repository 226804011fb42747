// Arguments of `nodeplan plan rollout`, `nodeplan rollout …` and `nodeplan rollouts`: pure, no I/O.
import { parseArgs } from 'node:util'
import { connectionOf, GLOBAL_OPTIONS, parseTime, readOptions, ROLE_NAMES, type Connection, type Environment, type OptionSpec, type RoleArg } from './args.js'
import { GLOBAL_HELP } from './help.js'
import { didYouMean } from './suggest.js'

/** The API's RolloutInput, as the flags give it (absent fields take the server's defaults). */
export interface RolloutInputArg {
  reason: string
  nodes?: string[]
  roles?: RoleArg[]
  labels?: { key: string; value: string | null }[]
  maxUnavailable?: string
  minGpusInService?: number
  poolLabel?: string
  poolFloors?: { pool: string; minGpusInService: number }[]
  order?: string[]
  drainMode?: 'IMMEDIATE' | 'GRACEFUL'
  drainTimeoutSeconds?: number
  completeOnReboot?: boolean
  notBefore?: string
  window?: { cron: string; durationMinutes: number; timeZone?: string }
}

export const ROLLOUT_ACTIONS = ['status', 'approve', 'start', 'pause', 'resume', 'discard', 'abort', 'complete'] as const
export const ROLLOUT_STATUSES = ['PENDING', 'APPROVED', 'SCHEDULED', 'RUNNING', 'PAUSED', 'COMPLETED', 'FAILED', 'ABORTED', 'DISCARDED'] as const

export type RolloutCommand =
  | { name: 'plan-rollout'; input: RolloutInputArg }
  | { name: 'rollouts'; statuses: string[]; limit: number; after: string | null }
  | { name: 'rollout'; action: 'status'; id: string; watch: boolean }
  | { name: 'rollout'; action: 'approve' | 'start' | 'pause' | 'resume' | 'discard'; id: string }
  | { name: 'rollout'; action: 'abort'; id: string; reason: string }
  | { name: 'rollout'; action: 'complete'; id: string; node: string }

const PLAN_ROLLOUT_OPTIONS: Record<string, OptionSpec> = {
  reason: { type: 'string' },
  nodes: { type: 'string', multiple: true },
  role: { type: 'string', multiple: true },
  selector: { type: 'string', multiple: true, short: 'l' },
  label: { type: 'string', multiple: true },
  'max-unavailable': { type: 'string' },
  'min-gpus': { type: 'string' },
  'pool-label': { type: 'string' },
  'pool-floor': { type: 'string', multiple: true },
  order: { type: 'string', multiple: true },
  'drain-mode': { type: 'string' },
  'drain-timeout': { type: 'string' },
  'no-complete-on-reboot': { type: 'boolean' },
  'not-before': { type: 'string' },
  'window-cron': { type: 'string' },
  'window-duration': { type: 'string' },
  'window-tz': { type: 'string' },
}

const OPTIONS: Record<string, Record<string, OptionSpec>> = {
  'plan rollout': PLAN_ROLLOUT_OPTIONS,
  rollouts: { status: { type: 'string' }, limit: { type: 'string' }, after: { type: 'string' } },
  rollout: { watch: { type: 'boolean' }, reason: { type: 'string' } },
}

const HELP: Record<string, string> = {
  'plan rollout': `usage: nodeplan plan rollout --reason R (--nodes N,… | --role R | -l key=value)… [options]

Stores a rollout: the chosen nodes (the union of --nodes, --role and -l, each node once) maintained
in waves under a capacity guard. Prints every wave with its changes, impact and guard figures, the
rollout's id and what to run next (nodeplan rollout approve / start).
  --nodes N,…              nodes by name (repeat or comma-separate; names after "rollout" count too)
  --role R                 nodes with this role: system, gpu-worker, cpu-worker
  -l, --selector key=value nodes with this label (key alone: the label is set); also --label
  --max-unavailable 4|10%  at most this many nodes out of service at once (default 1)
  --min-gpus N             never fewer than N Ready, undrained GPUs in the cluster (default 0)
  --pool-label KEY         the label naming a node's pool (default run.ai/node-pool)
  --pool-floor POOL=N      never fewer than N GPUs in service in that pool (repeat)
  --order N,…              fill the waves in this order (default: least harm first)
  --drain-mode immediate|graceful
                           graceful: NoSchedule first, wait for training workloads, then NoExecute
  --drain-timeout D        how long a graceful drain waits: seconds, or 90s, 30m, 2h (default 1h)
  --no-complete-on-reboot  a reboot does not count as done: wait for nodeplan rollout complete
  --not-before T           no wave starts before T (ISO 8601, e.g. 2026-12-24T22:00:00Z)
  --window-cron "0 22 * * 1-5" --window-duration 4h [--window-tz Europe/Berlin]
                           waves start only inside these windows (duration: minutes, or 90m, 4h)
`,
  rollouts: `usage: nodeplan rollouts [--status S,…] [--limit N] [--after CURSOR]

Stored rollouts, newest first: ID STATUS WAVE NODES WAITING-FOR CREATED-BY.
  --status S    ${ROLLOUT_STATUSES.map((s) => s.toLowerCase()).join(', ')} (comma-separated)
  --limit N     at most N rollouts (default 20, at most 200); the last line says how to see more
`,
  rollout: `usage: nodeplan rollout status ID [--watch]
       nodeplan rollout approve|start|pause|resume|discard ID
       nodeplan rollout abort ID --reason R
       nodeplan rollout complete ID NODE

  status      waves, each node's stage, the guard's figures, what it waits for, the forecast;
              --watch follows it live until it ends (exit 0 when COMPLETED, 1 otherwise)
  approve     approve it (approver role; not its author), when policy asks
  start       start it; it then waits for --not-before and its window by itself
  pause       stop before the next step; resume continues it
  abort       stop it for good; nodes drained by it stay drained, and it says which
  discard     discard a rollout that has not started
  complete    the maintenance of NODE is done (by a person or a job): the node is checked and undrained
`,
}


/** `plan rollout`, `rollout` and `rollouts` are parsed here; everything else in args.ts. */
export function isRolloutCommand(name: string, argv: string[]): boolean {
  if (name === 'rollout' || name === 'rollouts') return true
  if (name !== 'plan') return false
  // The first word that is not an option or an option's value is the plan's kind.
  const options = { ...GLOBAL_OPTIONS, ...PLAN_ROLLOUT_OPTIONS, roles: { type: 'string' as const } }
  try {
    const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true })
    return tokens.find((t) => t.kind === 'positional')?.value === 'rollout'
  } catch {
    return false
  }
}

/** A duration: whole seconds, or a number with s, m or h. */
function seconds(text: string): number | null {
  const m = /^(\d+)([smh]?)$/.exec(text)
  return m ? Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600 }[m[2] as '' | 's' | 'm' | 'h'] : null
}

type Parsed = { help: string } | { error: string } | { command: RolloutCommand; connection: Connection }

export function parseRolloutArgs(name: string, argv: string[], env: Environment, stdoutIsTTY: boolean, now: Date = new Date()): Parsed {
  const key = name === 'plan' ? 'plan rollout' : name
  const read = readOptions(key, argv, OPTIONS[key])
  if ('error' in read) return read
  const { flags, positionals } = read
  if (flags.help) return { help: `${HELP[key]}\n${GLOBAL_HELP}` }
  const connection = connectionOf(flags, env, stdoutIsTTY)
  if ('error' in connection) return connection
  const str = (k: string) => (typeof flags[k] === 'string' ? (flags[k] as string).trim() : null)
  const list = (k: string) => ((flags[k] as string[] | undefined) ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)
  const done = (command: RolloutCommand): Parsed => ({ command, connection })

  if (key === 'plan rollout') {
    const parsed = planRollout(positionals.slice(1), str, list, flags['no-complete-on-reboot'] === true, now)
    return 'error' in parsed ? parsed : done({ name: 'plan-rollout', input: parsed })
  }
  if (key === 'rollouts') {
    if (positionals.length > 0) return { error: `"nodeplan rollouts" takes no arguments (use --status, --limit); got ${positionals.join(' ')}` }
    const statuses = (str('status') ?? '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean)
    const unknown = statuses.find((s) => !(ROLLOUT_STATUSES as readonly string[]).includes(s))
    if (unknown) {
      const names = ROLLOUT_STATUSES.map((s) => s.toLowerCase())
      return { error: `--status: unknown status "${unknown.toLowerCase()}".${didYouMean(unknown.toLowerCase(), names)} Use ${names.join(', ')}.` }
    }
    const limit = str('limit')
    if (limit !== null && (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 200)) return { error: `--limit must be a whole number from 1 to 200, not "${limit}"` }
    return done({ name: 'rollouts', statuses, limit: limit === null ? 20 : Number(limit), after: str('after') })
  }

  const [action, id, ...rest] = positionals
  if (!action || !(ROLLOUT_ACTIONS as readonly string[]).includes(action)) {
    const hint = action ? didYouMean(action, ROLLOUT_ACTIONS, (a) => `"nodeplan rollout ${a}"`) : ''
    return { error: `nodeplan rollout: ${action ? `unknown action "${action}"; ` : ''}use one of ${ROLLOUT_ACTIONS.join(', ')}.${hint}` }
  }
  if (!id) return { error: `nodeplan rollout ${action}: name the rollout's id` }
  const extra = (allowed: number) => (rest.length > allowed ? { error: `nodeplan rollout ${action}: unexpected ${rest.slice(allowed).join(' ')}` } : null)
  if (flags.watch && action !== 'status') return { error: '--watch is only for nodeplan rollout status' }
  if (str('reason') !== null && action !== 'abort') return { error: '--reason is only for nodeplan rollout abort' }
  switch (action) {
    case 'status':
      return extra(0) ?? done({ name: 'rollout', action, id, watch: flags.watch === true })
    case 'abort': {
      const reason = str('reason')
      if (!reason) return { error: 'nodeplan rollout abort: --reason is required (why it stops, for the audit trail)' }
      return extra(0) ?? done({ name: 'rollout', action, id, reason })
    }
    case 'complete':
      if (rest.length === 0) return { error: 'nodeplan rollout complete: name the node whose maintenance is done: nodeplan rollout complete ID NODE' }
      return extra(1) ?? done({ name: 'rollout', action, id, node: rest[0]! })
    default:
      return extra(0) ?? done({ name: 'rollout', action: action as 'approve' | 'start' | 'pause' | 'resume' | 'discard', id })
  }
}

function planRollout(
  names: string[],
  str: (k: string) => string | null,
  list: (k: string) => string[],
  noCompleteOnReboot: boolean,
  now: Date,
): RolloutInputArg | { error: string } {
  const reason = str('reason')
  if (!reason) return { error: 'nodeplan plan rollout: --reason is required (a ticket, a change request, a sentence for the audit trail)' }
  const input: RolloutInputArg = { reason }
  const nodes = [...names, ...list('nodes')]
  if (nodes.length > 0) input.nodes = [...new Set(nodes)]

  const roleArgs = list('role')
  // Read here, not at load: args.ts and this module import each other.
  const roles = ROLE_NAMES
  const unknownRole = roleArgs.find((r) => !roles[r])
  if (unknownRole) return { error: `--role: unknown role ${unknownRole};${didYouMean(unknownRole, Object.keys(roles))} Use ${Object.keys(roles).join(', ')}.` }
  if (roleArgs.length > 0) input.roles = [...new Set(roleArgs.map((r) => roles[r]!))]

  const labels: NonNullable<RolloutInputArg['labels']> = []
  for (const selector of [...list('selector'), ...list('label')]) {
    const m = /^([^=!]+?)(?:=(.*))?$/.exec(selector)
    if (!m) return { error: `-l: "${selector}" is not key=value or key` }
    labels.push({ key: m[1]!, value: m[2] ?? null })
  }
  if (labels.length > 0) input.labels = labels
  if (!input.nodes && !input.roles && !input.labels) return { error: 'nodeplan plan rollout: choose the nodes with --nodes, --role or -l key=value' }

  const maxUnavailable = str('max-unavailable')
  if (maxUnavailable !== null) {
    if (!/^\d+%?$/.test(maxUnavailable) || Number.parseInt(maxUnavailable, 10) < 1 || (maxUnavailable.endsWith('%') && Number.parseInt(maxUnavailable, 10) > 100)) {
      return { error: `--max-unavailable must be a count (4) or a percentage from 1% to 100% (10%), not "${maxUnavailable}"` }
    }
    input.maxUnavailable = maxUnavailable
  }
  const minGpus = str('min-gpus')
  if (minGpus !== null) {
    if (!/^\d+$/.test(minGpus) || Number(minGpus) > 2 ** 31 - 1) return { error: `--min-gpus must be a whole number of GPUs, not "${minGpus}"` }
    input.minGpusInService = Number(minGpus)
  }
  const poolLabel = str('pool-label')
  if (poolLabel !== null) input.poolLabel = poolLabel
  const floors: NonNullable<RolloutInputArg['poolFloors']> = []
  for (const floor of list('pool-floor')) {
    const m = /^(.+)=(\d+)$/.exec(floor)
    if (!m) return { error: `--pool-floor: "${floor}" is not POOL=N (e.g. a100=64)` }
    floors.push({ pool: m[1]!.trim(), minGpusInService: Number(m[2]) })
  }
  if (floors.length > 0) input.poolFloors = floors
  const order = list('order')
  if (order.length > 0) input.order = order

  const drainMode = str('drain-mode')
  if (drainMode !== null) {
    const mode = drainMode.toUpperCase()
    if (mode !== 'IMMEDIATE' && mode !== 'GRACEFUL') return { error: `--drain-mode must be immediate or graceful, not "${drainMode}".${didYouMean(drainMode, ['immediate', 'graceful'])}` }
    input.drainMode = mode
  }
  const timeout = str('drain-timeout')
  if (timeout !== null) {
    const s = seconds(timeout)
    if (s === null || s < 1 || s > 2 ** 31 - 1) return { error: `--drain-timeout must be seconds, or a number with s, m or h (90s, 30m, 2h), not "${timeout}"` }
    if (input.drainMode !== 'GRACEFUL') return { error: '--drain-timeout is only for --drain-mode graceful' }
    input.drainTimeoutSeconds = s
  }
  if (noCompleteOnReboot) input.completeOnReboot = false

  const notBefore = str('not-before')
  if (notBefore !== null) {
    // Only a point in time: an age ("12h") reads as the past everywhere else in the CLI.
    const at = /^\d+[mhd]$/.test(notBefore) ? null : parseTime(notBefore, now)
    if (!at) return { error: `--not-before must be an ISO 8601 time (2026-12-24T22:00:00Z), not "${notBefore}"` }
    input.notBefore = at.toISOString()
  }
  const cron = str('window-cron')
  const duration = str('window-duration')
  const tz = str('window-tz')
  if (cron === null && (duration !== null || tz !== null)) return { error: '--window-duration and --window-tz need --window-cron (when each window opens)' }
  if (cron !== null) {
    if (duration === null) return { error: '--window-cron needs --window-duration (how long each window stays open: minutes, or 90m, 4h)' }
    const m = /^(\d+)(m|h)?$/.exec(duration)
    const minutes = m ? Number(m[1]) * (m[2] === 'h' ? 60 : 1) : 0
    if (minutes < 1 || minutes > 2 ** 31 - 1) return { error: `--window-duration must be minutes, or a number with m or h (90m, 4h), not "${duration}"` }
    input.window = { cron, durationMinutes: minutes, ...(tz !== null ? { timeZone: tz } : {}) }
  }
  return input
}
