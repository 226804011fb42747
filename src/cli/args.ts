// Parsing and validation of the operator commands' arguments: pure, no I/O.
import { parseArgs } from 'node:util'
import { isRolloutCommand, parseRolloutArgs, type RolloutCommand } from './rollout-args.js'
import { GLOBAL_HELP, HELP } from './help.js'
import { didYouMean } from './suggest.js'

export type OutputFormat = 'text' | 'json'
export type PlanKindArg = 'drain' | 'undrain' | 'decommission' | 'rejoin' | 'relabel'
export type RoleArg = 'SYSTEM' | 'GPU_WORKER' | 'CPU_WORKER'

export interface Connection {
  url: string
  token: string | null
  /** The cluster commands are about (--cluster, NODEPLAN_CLUSTER); null: the only one, or every one for lists. */
  cluster: string | null
  output: OutputFormat
  color: boolean
}

export type PlanStatusArg = 'PENDING' | 'APPROVED' | 'APPLYING' | 'APPLIED' | 'FAILED' | 'DISCARDED'

/** The API's NodeFilter, as `nodeplan nodes` builds it. */
export interface NodeFilterArg {
  namePrefix: string | null
  roles: RoleArg[]
  labels: { key: string; value: string | null }[]
  draining: boolean | null
}

export type Command =
  | { name: 'nodes'; filter: NodeFilterArg }
  | { name: 'plans'; statuses: PlanStatusArg[]; awaitingMe: boolean; node: string | null; limit: number; after: string | null }
  | { name: 'plan'; kind: Exclude<PlanKindArg, 'relabel'>; nodes: string[]; reason: string; detailedExitCode: boolean }
  | { name: 'plan'; kind: 'relabel'; nodes: [string]; roles: RoleArg[]; reason: string; detailedExitCode: boolean }
  | { name: 'show' | 'approve' | 'discard'; id: string }
  | { name: 'apply'; id: string; autoApprove: boolean }
  | { name: 'rollback'; id: string; reason: string; detailedExitCode: boolean }
  | {
      name: 'history'
      node: string | null
      planId: string | null
      actor: string | null
      action: string | null
      since: Date | null
      until: Date | null
      limit: number
      after: string | null
    }
  | { name: 'verify' }
  | { name: 'join-command'; ttlHours: number | null; description: string | null }
  | RolloutCommand
  | { name: 'clusters' }

export type Parsed = { help: string } | { error: string } | { command: Command; connection: Connection }

export const OPERATOR_COMMANDS = ['clusters', 'nodes', 'plans', 'plan', 'show', 'approve', 'apply', 'discard', 'rollback', 'history', 'verify', 'join-command', 'rollouts', 'rollout'] as const

const PLAN_KINDS: PlanKindArg[] = ['drain', 'undrain', 'decommission', 'rejoin', 'relabel']
const PLAN_STATUSES: PlanStatusArg[] = ['PENDING', 'APPROVED', 'APPLYING', 'APPLIED', 'FAILED', 'DISCARDED']
/** Role names as the CLI takes them (`--role gpu-worker`), and the API's enum value of each. */
export const ROLE_NAMES: Record<string, RoleArg> = { system: 'SYSTEM', 'gpu-worker': 'GPU_WORKER', 'cpu-worker': 'CPU_WORKER' }

export type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string }

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  url: { type: 'string' },
  token: { type: 'string' },
  cluster: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
}

const COMMAND_OPTIONS: Record<string, Record<string, OptionSpec>> = {
  nodes: { role: { type: 'string', multiple: true }, selector: { type: 'string', multiple: true, short: 'l' }, draining: { type: 'boolean' }, 'not-draining': { type: 'boolean' } },
  plans: { status: { type: 'string' }, 'awaiting-me': { type: 'boolean' }, node: { type: 'string' }, limit: { type: 'string' }, after: { type: 'string' } },
  plan: { reason: { type: 'string' }, roles: { type: 'string' }, 'detailed-exitcode': { type: 'boolean' } },
  show: {},
  approve: {},
  apply: { 'auto-approve': { type: 'boolean' } },
  discard: {},
  rollback: { reason: { type: 'string' }, 'detailed-exitcode': { type: 'boolean' } },
  history: {
    node: { type: 'string' },
    plan: { type: 'string' },
    actor: { type: 'string' },
    action: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    limit: { type: 'string' },
    after: { type: 'string' },
  },
  verify: {},
  clusters: {},
  'join-command': { 'ttl-hours': { type: 'string' }, description: { type: 'string' } },
}

export interface Environment {
  NODEPLAN_URL?: string
  NODEPLAN_TOKEN?: string
  NODEPLAN_CLUSTER?: string
  NO_COLOR?: string
}

export type Flags = Record<string, string | boolean | string[]>

/** Options by node's own parser; unknown ones and missing values are refused here with a hint. */
export function readOptions(name: string, argv: string[], own: Record<string, OptionSpec> = COMMAND_OPTIONS[name] ?? {}): { flags: Flags; positionals: string[] } | { error: string } {
  const options = { ...GLOBAL_OPTIONS, ...own }
  let tokens: NonNullable<ReturnType<typeof parseArgs>['tokens']>
  try {
    // strict: false so that an unknown option comes back as a token and gets a "did you mean".
    ;({ tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true }))
  } catch (err) {
    return { error: (err as Error).message }
  }
  const flags: Flags = {}
  const positionals: string[] = []
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value)
    if (token.kind !== 'option') continue
    const spec = options[token.name]
    if (!spec) {
      const known = Object.keys(options).map((o) => `--${o}`)
      return { error: `unknown option ${token.rawName} for "nodeplan ${name}".${didYouMean(`--${token.name}`, known, (o) => o)} (see nodeplan ${name} --help)` }
    }
    if (spec.type === 'boolean') {
      if (token.inlineValue) return { error: `--${token.name} takes no value` }
      flags[token.name] = true
      continue
    }
    if (token.value === undefined) return { error: `--${token.name} needs a value` }
    if (spec.multiple) flags[token.name] = [...((flags[token.name] as string[] | undefined) ?? []), token.value]
    else flags[token.name] = token.value
  }
  return { flags, positionals }
}

/** An ISO 8601 time, or an age before `now` (30m, 12h, 7d). */
export function parseTime(text: string, now: Date): Date | null {
  const age = /^(\d+)([mhd])$/.exec(text)
  if (age) return new Date(now.getTime() - Number(age[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[age[2] as 'm' | 'h' | 'd'])
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) return null
  const at = new Date(text)
  return Number.isNaN(at.getTime()) ? null : at
}

/** Where and as whom, from the global options and the environment. */
export function connectionOf(flags: Flags, env: Environment, stdoutIsTTY: boolean): Connection | { error: string } {
  const output = (flags.output as string | undefined) ?? 'text'
  if (output !== 'text' && output !== 'json') return { error: `--output must be text or json, not "${output}"` }
  const url = ((flags.url as string | undefined) ?? env.NODEPLAN_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '')
  if (!/^https?:\/\/[^/]+/.test(url)) return { error: `--url must be an http:// or https:// URL, not "${url}"` }
  return {
    url,
    token: (flags.token as string | undefined) ?? env.NODEPLAN_TOKEN ?? null,
    cluster: (flags.cluster as string | undefined) ?? (env.NODEPLAN_CLUSTER || null),
    output,
    color: stdoutIsTTY && !flags['no-color'] && !env.NO_COLOR && output === 'text',
  }
}

export function parseOperatorArgs(name: string, argv: string[], env: Environment, stdoutIsTTY: boolean, now: Date = new Date()): Parsed {
  if (isRolloutCommand(name, argv)) return parseRolloutArgs(name, argv, env, stdoutIsTTY, now)
  const read = readOptions(name, argv)
  if ('error' in read) return read
  const { flags, positionals } = read
  if (flags.help) return { help: `${HELP[name]}\n${GLOBAL_HELP}` }

  const connection = connectionOf(flags, env, stdoutIsTTY)
  if ('error' in connection) return connection
  const output = connection.output

  const str = (key: string) => (typeof flags[key] === 'string' ? (flags[key] as string) : null)
  const list = (key: string) => ((flags[key] as string[] | undefined) ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)
  const bool = (key: string) => flags[key] === true
  const exactly = (n: number, what: string): string | null =>
    positionals.length === n ? null : `"nodeplan ${name}" takes ${what}; got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`
  const reason = () => {
    const r = str('reason')?.trim()
    return r ? r : null
  }
  const int = (key: string, min: number, max: number): number | null | string => {
    const v = str(key)
    if (v === null) return null
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) return `--${key} must be a whole number from ${min} to ${max}, not "${v}"`
    return Number(v)
  }
  const time = (key: string): Date | null | string => {
    const v = str(key)
    if (v === null) return null
    return parseTime(v, now) ?? `--${key} must be an ISO 8601 time or an age such as 12h or 7d, not "${v}"`
  }
  const roleNames = (values: string[], flag: string): RoleArg[] | string => {
    const unknown = values.filter((r) => !ROLE_NAMES[r])
    if (unknown.length > 0) return `${flag}: unknown role ${unknown.join(', ')};${didYouMean(unknown[0]!, Object.keys(ROLE_NAMES))} Use ${Object.keys(ROLE_NAMES).join(', ')}.`
    return [...new Set(values.map((r) => ROLE_NAMES[r]!))]
  }

  let command: Command
  switch (name) {
    case 'nodes': {
      if (positionals.length > 1) return { error: `"nodeplan nodes" takes at most one name prefix; got ${positionals.join(' ')}` }
      const roles = roleNames(list('role'), '--role')
      if (typeof roles === 'string') return { error: roles }
      const labels: NodeFilterArg['labels'] = []
      for (const selector of list('selector')) {
        const m = /^([^=!]+?)(?:=(.*))?$/.exec(selector)
        if (!m) return { error: `-l: "${selector}" is not key=value or key` }
        labels.push({ key: m[1]!, value: m[2] ?? null })
      }
      if (bool('draining') && bool('not-draining')) return { error: '--draining and --not-draining exclude each other' }
      const draining = bool('draining') ? true : bool('not-draining') ? false : null
      command = { name, filter: { namePrefix: positionals[0] ?? null, roles, labels, draining } }
      break
    }
    case 'plans': {
      const bad = exactly(0, 'no arguments (use --status, --awaiting-me, --node)')
      if (bad) return { error: bad }
      const statuses = (str('status') ?? '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean)
      const unknown = statuses.find((s) => !PLAN_STATUSES.includes(s as PlanStatusArg))
      if (unknown) {
        const names = PLAN_STATUSES.map((s) => s.toLowerCase())
        return { error: `--status: unknown status "${unknown.toLowerCase()}".${didYouMean(unknown.toLowerCase(), names)} Use ${names.join(', ')}.` }
      }
      const limit = int('limit', 1, 200)
      if (typeof limit === 'string') return { error: limit }
      command = { name, statuses: statuses as PlanStatusArg[], awaitingMe: bool('awaiting-me'), node: str('node'), limit: limit ?? 20, after: str('after') }
      break
    }
    case 'plan': {
      const [kind, ...nodes] = positionals
      if (!kind || !PLAN_KINDS.includes(kind as PlanKindArg)) {
        const hint = kind ? didYouMean(kind, [...PLAN_KINDS, 'rollout'], (k) => `"nodeplan plan ${k}"`) : ''
        return { error: `nodeplan plan: ${kind ? `unknown kind "${kind}"; ` : ''}the kind must be one of ${PLAN_KINDS.join(', ')}, or rollout.${hint}` }
      }
      if (nodes.length === 0) return { error: `nodeplan plan ${kind}: name at least one node` }
      const r = reason()
      if (!r) return { error: `nodeplan plan ${kind}: --reason is required (a ticket, an incident, a sentence for the audit trail)` }
      const detailedExitCode = bool('detailed-exitcode')
      if (kind === 'relabel') {
        if (nodes.length !== 1) return { error: 'nodeplan plan relabel: name exactly one node' }
        const rolesArg = str('roles')
        if (rolesArg === null) return { error: 'nodeplan plan relabel: --roles is required, e.g. --roles system,gpu-worker' }
        const roles = roleNames(rolesArg.split(',').map((r) => r.trim()).filter(Boolean), '--roles')
        if (typeof roles === 'string') return { error: roles }
        command = { name, kind, nodes: [nodes[0]!], roles, reason: r, detailedExitCode }
      } else {
        if (str('roles') !== null) return { error: '--roles is only for nodeplan plan relabel' }
        command = { name, kind: kind as Exclude<PlanKindArg, 'relabel'>, nodes, reason: r, detailedExitCode }
      }
      break
    }
    case 'show':
    case 'approve':
    case 'discard':
    case 'apply':
    case 'rollback': {
      const bad = exactly(1, 'one plan id')
      if (bad) return { error: bad }
      const id = positionals[0]!
      if (name === 'apply') {
        command = { name, id, autoApprove: bool('auto-approve') }
        if (output === 'json' && !command.autoApprove) return { error: 'nodeplan apply --output json needs --auto-approve: there is nobody to ask' }
      } else if (name === 'rollback') {
        const r = reason()
        if (!r) return { error: 'nodeplan rollback: --reason is required' }
        command = { name, id, reason: r, detailedExitCode: bool('detailed-exitcode') }
      } else command = { name, id }
      break
    }
    case 'history': {
      const bad = exactly(0, 'no arguments (use --node, --plan, --actor, --action, --since, --until, --limit)')
      if (bad) return { error: bad }
      const limit = int('limit', 1, 200)
      if (typeof limit === 'string') return { error: limit }
      const since = time('since')
      if (typeof since === 'string') return { error: since }
      const until = time('until')
      if (typeof until === 'string') return { error: until }
      if (since && until && since > until) return { error: '--since is after --until: nothing can match' }
      command = { name, node: str('node'), planId: str('plan'), actor: str('actor'), action: str('action'), since, until, limit: limit ?? 20, after: str('after') }
      break
    }
    case 'verify':
    case 'clusters': {
      const bad = exactly(0, 'no arguments')
      if (bad) return { error: bad }
      command = { name }
      break
    }
    case 'join-command': {
      const bad = exactly(0, 'no arguments')
      if (bad) return { error: bad }
      const ttl = int('ttl-hours', 1, 168)
      if (typeof ttl === 'string') return { error: ttl }
      command = { name, ttlHours: ttl, description: str('description') }
      break
    }
    default:
      return { error: `unknown command "${name}"` }
  }
  return { command, connection }
}

/**
 * Where the command is among `argv` when global options may come first (`nodeplan --token X nodes`):
 * the first word that is neither an option nor a global option's value. -1 when there is none.
 */
export function commandIndex(argv: string[]): number {
  const takesValue = new Set(Object.entries(GLOBAL_OPTIONS).flatMap(([long, spec]) => (spec.type === 'string' ? [`--${long}`, ...(spec.short ? [`-${spec.short}`] : [])] : [])))
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') return i + 1 < argv.length ? i + 1 : -1
    if (takesValue.has(arg)) i++
    else if (!arg.startsWith('-')) return i
  }
  return -1
}
