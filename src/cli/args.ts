// Parsing and validation of the operator commands' arguments: pure, no I/O.

export type OutputFormat = 'text' | 'json'
export type PlanKindArg = 'drain' | 'undrain' | 'decommission' | 'rejoin' | 'relabel'
export type RoleArg = 'SYSTEM' | 'GPU_WORKER' | 'CPU_WORKER'

export interface Connection {
  url: string
  token: string | null
  output: OutputFormat
  color: boolean
}

export type Command =
  | { name: 'nodes' }
  | { name: 'plan'; kind: Exclude<PlanKindArg, 'relabel'>; nodes: string[]; reason: string; detailedExitCode: boolean }
  | { name: 'plan'; kind: 'relabel'; nodes: [string]; roles: RoleArg[]; reason: string; detailedExitCode: boolean }
  | { name: 'show' | 'approve' | 'discard'; id: string }
  | { name: 'apply'; id: string; autoApprove: boolean }
  | { name: 'rollback'; id: string; reason: string; detailedExitCode: boolean }
  | { name: 'history'; node: string | null; planId: string | null; limit: number }
  | { name: 'join-command'; ttlHours: number | null; description: string | null }

export type Parsed = { help: string } | { error: string } | { command: Command; connection: Connection }

export const OPERATOR_COMMANDS = ['nodes', 'plan', 'show', 'approve', 'apply', 'discard', 'rollback', 'history', 'join-command'] as const

const PLAN_KINDS: PlanKindArg[] = ['drain', 'undrain', 'decommission', 'rejoin', 'relabel']
const ROLE_NAMES: Record<string, RoleArg> = { system: 'SYSTEM', 'gpu-worker': 'GPU_WORKER', 'cpu-worker': 'CPU_WORKER' }
export const ROLE_ARG_NAMES: Record<RoleArg, string> = { SYSTEM: 'system', GPU_WORKER: 'gpu-worker', CPU_WORKER: 'cpu-worker' }

const GLOBAL_HELP = `global options:
  --url URL          the nodeplan server (NODEPLAN_URL; default http://127.0.0.1:8080)
  --token TOKEN      bearer token (NODEPLAN_TOKEN)
  --output text|json json: stable JSON on stdout and nothing else
  --no-color         no colours (also NO_COLOR, or when stdout is not a terminal)
`

export const OPERATOR_USAGE = `  nodes                       the cluster's nodes, like kubectl get nodes plus roles, draining, GPUs, workloads
  plan KIND NODE… --reason R  plan drain, undrain, decommission or rejoin of nodes
  plan relabel NODE --roles system,gpu-worker --reason R
                              plan a node's Run:ai roles
  show ID                     a plan: its diff, impact and status
  approve ID                  approve a plan (approver role; not its author)
  apply ID                    apply a plan after asking; --auto-approve skips the question
  discard ID                  discard a plan that has not been applied
  rollback ID --reason R      plan the inverse of an applied plan
  history                     the audit trail (--node N, --plan ID, --limit N)
  join-command                a kubeadm join command (admin; --ttl-hours H, --description D)
`

const HELP: Record<string, string> = {
  nodes: 'usage: nodeplan nodes [--output json]\n\nThe nodes of the cluster: NAME STATUS ROLES DRAINING GPUS (in use/total) WORKLOADS.\n',
  plan: `usage: nodeplan plan drain|undrain|decommission|rejoin NODE… --reason R [--detailed-exitcode]
       nodeplan plan relabel NODE --roles system,gpu-worker,cpu-worker --reason R [--detailed-exitcode]

Stores a plan and prints it as terraform plan does, with its id and the command to apply it.
--detailed-exitcode: exit 0 when the plan changes nothing, 2 when it has changes, 1 on error.
`,
  show: 'usage: nodeplan show ID\n\nA plan: its diff, impact, warnings and status.\n',
  approve: 'usage: nodeplan approve ID\n\nApproves a pending plan (approver role or higher; not the plan\'s author).\n',
  apply: `usage: nodeplan apply ID [--auto-approve]

Shows the plan, asks for "yes", applies it and prints each change as it is applied.
Without a terminal on stdin, --auto-approve is required.
`,
  discard: 'usage: nodeplan discard ID\n\nDiscards a plan that has not been applied.\n',
  rollback: 'usage: nodeplan rollback ID --reason R [--detailed-exitcode]\n\nPlans the inverse of an applied plan; apply it with nodeplan apply.\n',
  history: 'usage: nodeplan history [--node N] [--plan ID] [--limit N]\n\nThe audit trail, newest first (default limit 20, at most 200).\n',
  'join-command': 'usage: nodeplan join-command [--ttl-hours H] [--description D]\n\nCreates a bootstrap token and prints the kubeadm join command (admin role; H from 1 to 168, default 24).\n',
}

const FLAGS: Record<string, 'string' | 'boolean'> = {
  url: 'string',
  token: 'string',
  output: 'string',
  'no-color': 'boolean',
  help: 'boolean',
  reason: 'string',
  roles: 'string',
  'detailed-exitcode': 'boolean',
  'auto-approve': 'boolean',
  node: 'string',
  plan: 'string',
  limit: 'string',
  'ttl-hours': 'string',
  description: 'string',
}

const ALLOWED: Record<string, string[]> = {
  nodes: [],
  plan: ['reason', 'roles', 'detailed-exitcode'],
  show: [],
  approve: [],
  apply: ['auto-approve'],
  discard: [],
  rollback: ['reason', 'detailed-exitcode'],
  history: ['node', 'plan', 'limit'],
  'join-command': ['ttl-hours', 'description'],
}
const GLOBAL = ['url', 'token', 'output', 'no-color', 'help']

export interface Environment {
  NODEPLAN_URL?: string
  NODEPLAN_TOKEN?: string
  NO_COLOR?: string
}

export function parseOperatorArgs(name: string, argv: string[], env: Environment, stdoutIsTTY: boolean): Parsed {
  const flags: Record<string, string | boolean> = {}
  const positionals: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '-h') {
      flags.help = true
      continue
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const key = arg.slice(2, eq < 0 ? undefined : eq)
    const type = FLAGS[key]
    if (!type || !(GLOBAL.includes(key) || ALLOWED[name]!.includes(key))) return { error: `unknown option --${key} for "nodeplan ${name}" (see nodeplan ${name} --help)` }
    if (type === 'boolean') {
      if (eq >= 0) return { error: `--${key} takes no value` }
      flags[key] = true
      continue
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i]
    if (value === undefined) return { error: `--${key} needs a value` }
    flags[key] = value
  }
  if (flags.help) return { help: `${HELP[name]}\n${GLOBAL_HELP}` }

  const output = (flags.output as string | undefined) ?? 'text'
  if (output !== 'text' && output !== 'json') return { error: `--output must be text or json, not "${output}"` }
  const url = ((flags.url as string | undefined) ?? env.NODEPLAN_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '')
  if (!/^https?:\/\/[^/]+/.test(url)) return { error: `--url must be an http:// or https:// URL, not "${url}"` }
  const connection: Connection = {
    url,
    token: (flags.token as string | undefined) ?? env.NODEPLAN_TOKEN ?? null,
    output,
    color: stdoutIsTTY && !flags['no-color'] && !env.NO_COLOR && output === 'text',
  }

  const str = (key: string) => (typeof flags[key] === 'string' ? (flags[key] as string) : null)
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

  let command: Command
  switch (name) {
    case 'nodes': {
      const bad = exactly(0, 'no arguments')
      if (bad) return { error: bad }
      command = { name }
      break
    }
    case 'plan': {
      const [kind, ...nodes] = positionals
      if (!kind || !PLAN_KINDS.includes(kind as PlanKindArg)) return { error: `nodeplan plan: the kind must be one of ${PLAN_KINDS.join(', ')}` }
      if (nodes.length === 0) return { error: `nodeplan plan ${kind}: name at least one node` }
      const r = reason()
      if (!r) return { error: `nodeplan plan ${kind}: --reason is required (a ticket, an incident, a sentence for the audit trail)` }
      const detailedExitCode = bool('detailed-exitcode')
      if (kind === 'relabel') {
        if (nodes.length !== 1) return { error: 'nodeplan plan relabel: name exactly one node' }
        const rolesArg = str('roles')
        if (rolesArg === null) return { error: 'nodeplan plan relabel: --roles is required, e.g. --roles system,gpu-worker' }
        const names = rolesArg.split(',').map((r) => r.trim()).filter(Boolean)
        const unknown = names.filter((r) => !ROLE_NAMES[r])
        if (unknown.length > 0) return { error: `--roles: unknown role ${unknown.join(', ')}; use ${Object.keys(ROLE_NAMES).join(', ')}` }
        command = { name, kind, nodes: [nodes[0]!], roles: [...new Set(names.map((r) => ROLE_NAMES[r]!))], reason: r, detailedExitCode }
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
      const bad = exactly(0, 'no arguments (use --node, --plan, --limit)')
      if (bad) return { error: bad }
      const limit = int('limit', 1, 200)
      if (typeof limit === 'string') return { error: limit }
      command = { name, node: str('node'), planId: str('plan'), limit: limit ?? 20 }
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
