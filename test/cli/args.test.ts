import { describe, expect, it } from 'vitest'
import { commandIndex, parseOperatorArgs } from '../../src/cli/args.js'
import { closest } from '../../src/cli/suggest.js'

const NOW = new Date('2026-03-10T12:00:00Z')
const parse = (name: string, argv: string[], env = {}, tty = false) => parseOperatorArgs(name, argv, env, tty, NOW)

describe('operator command arguments', () => {
  it('plans a drain of several nodes with the URL and token from the environment', () => {
    expect(parse('plan', ['drain', 'gpu-1', 'gpu-2', '--reason', 'CHG-1', '--detailed-exitcode'], { NODEPLAN_URL: 'http://np:9000/', NODEPLAN_TOKEN: 't' })).toEqual({
      command: { name: 'plan', kind: 'drain', nodes: ['gpu-1', 'gpu-2'], reason: 'CHG-1', detailedExitCode: true },
      connection: { url: 'http://np:9000', token: 't', cluster: null, output: 'text', color: false },
    })
  })

  it('flags win over the environment; --opt=value works; colour only on a TTY without NO_COLOR or --no-color', () => {
    const ok = (p: ReturnType<typeof parse>) => ('connection' in p ? p.connection : null)
    expect(ok(parse('nodes', ['--url=http://a:1', '--token', 'x'], { NODEPLAN_URL: 'http://b:2', NODEPLAN_TOKEN: 'y' }, true))).toEqual({ url: 'http://a:1', token: 'x', cluster: null, output: 'text', color: true })
    expect(ok(parse('nodes', ['--cluster', 'train-eu'], { NODEPLAN_CLUSTER: 'infer' }))!.cluster).toBe('train-eu')
    expect(ok(parse('nodes', [], { NODEPLAN_CLUSTER: 'infer' }))!.cluster).toBe('infer')
    expect(ok(parse('nodes', [], { NO_COLOR: '1' }, true))!.color).toBe(false)
    expect(ok(parse('nodes', ['--no-color'], {}, true))!.color).toBe(false)
    expect(ok(parse('nodes', ['--output', 'json'], {}, true))!.color).toBe(false)
    expect(ok(parse('nodes', [], {}, false))).toEqual({ url: 'http://127.0.0.1:8080', token: null, cluster: null, output: 'text', color: false })
  })

  it('relabel takes one node and role names', () => {
    expect(parse('plan', ['relabel', 'cpu-1', '--roles', 'system,gpu-worker,system', '--reason', 'r'])).toMatchObject({
      command: { kind: 'relabel', nodes: ['cpu-1'], roles: ['SYSTEM', 'GPU_WORKER'] },
    })
    expect(parse('plan', ['relabel', 'cpu-1', '--roles', 'boss', '--reason', 'r'])).toEqual({ error: expect.stringContaining('unknown role boss') })
    expect(parse('plan', ['relabel', 'a', 'b', '--roles', 'system', '--reason', 'r'])).toEqual({ error: expect.stringContaining('exactly one node') })
    expect(parse('plan', ['relabel', 'a', '--reason', 'r'])).toEqual({ error: expect.stringContaining('--roles is required') })
  })

  it('refuses what it cannot run, saying why', () => {
    expect(parse('plan', ['drain', 'gpu-1'])).toEqual({ error: expect.stringContaining('--reason is required') })
    expect(parse('plan', ['drain', 'gpu-1', '--reason', '  '])).toEqual({ error: expect.stringContaining('--reason is required') })
    expect(parse('plan', ['explode', 'gpu-1', '--reason', 'r'])).toEqual({ error: expect.stringContaining('the kind must be one of') })
    expect(parse('plan', ['drian', 'gpu-1', '--reason', 'r'])).toEqual({ error: expect.stringContaining('Did you mean "nodeplan plan drain"?') })
    expect(parse('plan', ['drain', '--reason', 'r'])).toEqual({ error: expect.stringContaining('at least one node') })
    expect(parse('plan', ['drain', 'n', '--reason', 'r', '--roles', 'system'])).toEqual({ error: expect.stringContaining('only for nodeplan plan relabel') })
    expect(parse('show', [])).toEqual({ error: expect.stringContaining('one plan id') })
    expect(parse('show', ['a', 'b'])).toEqual({ error: expect.stringContaining('one plan id') })
    expect(parse('show', ['a', '--auto-approve'])).toEqual({ error: expect.stringContaining('unknown option --auto-approve') })
    expect(parse('plan', ['drain', 'n', '--reasno', 'r'])).toEqual({ error: expect.stringContaining('Did you mean --reason?') })
    expect(parse('apply', ['p', '--output', 'json'])).toEqual({ error: expect.stringContaining('needs --auto-approve') })
    expect(parse('nodes', ['--output', 'yaml'])).toEqual({ error: expect.stringContaining('text or json') })
    expect(parse('nodes', ['--url', 'ftp://x'])).toEqual({ error: expect.stringContaining('http://') })
    expect(parse('history', ['--limit', '0'])).toEqual({ error: expect.stringContaining('from 1 to 200') })
    expect(parse('history', ['--limit'])).toEqual({ error: '--limit needs a value' })
    expect(parse('join-command', ['--ttl-hours', '169'])).toEqual({ error: expect.stringContaining('from 1 to 168') })
    expect(parse('rollback', ['p'])).toEqual({ error: expect.stringContaining('--reason is required') })
  })

  it('history, join-command, apply and rollback options', () => {
    expect(parse('history', ['--node', 'gpu-1', '--plan', 'p1', '--limit', '5'])).toMatchObject({ command: { name: 'history', node: 'gpu-1', planId: 'p1', limit: 5 } })
    expect(parse('history', [])).toMatchObject({ command: { node: null, planId: null, actor: null, action: null, since: null, until: null, limit: 20, after: null } })
    expect(parse('history', ['--actor', 'alice', '--action', 'plan.approved', '--since', '7d', '--until', '2026-03-10T06:00:00Z', '--after', 'c1'])).toMatchObject({
      command: { actor: 'alice', action: 'plan.approved', since: new Date('2026-03-03T12:00:00Z'), until: new Date('2026-03-10T06:00:00Z'), after: 'c1' },
    })
    expect(parse('history', ['--since', '2026-03-01'])).toMatchObject({ command: { since: new Date('2026-03-01T00:00:00Z') } })
    expect(parse('history', ['--since', '12h'])).toMatchObject({ command: { since: new Date('2026-03-10T00:00:00Z') } })
    expect(parse('history', ['--since', 'yesterday'])).toEqual({ error: expect.stringContaining('ISO 8601') })
    expect(parse('history', ['--since', '2026-03-10', '--until', '2026-03-01'])).toEqual({ error: expect.stringContaining('--since is after --until') })
    expect(parse('join-command', ['--ttl-hours', '2', '--description', 'rack 4'])).toMatchObject({ command: { ttlHours: 2, description: 'rack 4' } })
    expect(parse('apply', ['p1', '--auto-approve', '--output', 'json'])).toMatchObject({ command: { name: 'apply', id: 'p1', autoApprove: true }, connection: { output: 'json' } })
    expect(parse('rollback', ['p1', '--reason', 'undo'])).toMatchObject({ command: { name: 'rollback', id: 'p1', reason: 'undo', detailedExitCode: false } })
  })

  it('--help and -h give the command\'s usage and the global options', () => {
    for (const name of ['nodes', 'plans', 'plan', 'show', 'approve', 'apply', 'discard', 'rollback', 'history', 'verify', 'join-command']) {
      const parsed = parse(name, ['--help'])
      expect('help' in parsed && parsed.help).toMatch(new RegExp(`^usage: nodeplan ${name}[\\s\\S]*--url URL`))
    }
    expect(parse('apply', ['-h'])).toEqual({ help: expect.stringContaining("asks for \"yes\"") })
  })

  it('nodes: a name prefix, roles, label selectors and draining become the API\'s NodeFilter', () => {
    expect(parse('nodes', ['gpu-1', '--role', 'gpu-worker', '--role', 'system,gpu-worker', '-l', 'pool=a100', '--selector=zone', '--draining'])).toMatchObject({
      command: {
        name: 'nodes',
        filter: { namePrefix: 'gpu-1', roles: ['GPU_WORKER', 'SYSTEM'], labels: [{ key: 'pool', value: 'a100' }, { key: 'zone', value: null }], draining: true },
      },
    })
    expect(parse('nodes', ['--not-draining'])).toMatchObject({ command: { filter: { namePrefix: null, roles: [], labels: [], draining: false } } })
    expect(parse('nodes', ['--draining', '--not-draining'])).toEqual({ error: expect.stringContaining('exclude each other') })
    expect(parse('nodes', ['--role', 'gpu-wroker'])).toEqual({ error: expect.stringContaining('Did you mean "gpu-worker"?') })
    expect(parse('nodes', ['a', 'b'])).toEqual({ error: expect.stringContaining('at most one name prefix') })
  })

  it('plans: statuses by name, --awaiting-me, paging', () => {
    expect(parse('plans', ['--status', 'pending,Approved', '--node', 'gpu-1', '--limit', '5', '--after', 'c'])).toMatchObject({
      command: { name: 'plans', statuses: ['PENDING', 'APPROVED'], awaitingMe: false, node: 'gpu-1', limit: 5, after: 'c' },
    })
    expect(parse('plans', ['--awaiting-me'])).toMatchObject({ command: { statuses: [], awaitingMe: true, limit: 20 } })
    expect(parse('plans', ['--status', 'pendng'])).toEqual({ error: expect.stringContaining('Did you mean "pending"?') })
    expect(parse('plans', ['x'])).toEqual({ error: expect.stringContaining('no arguments') })
  })

  it('global options go before the command as well as after it', () => {
    expect(commandIndex(['--token', 'X', 'nodes', '--role', 'system'])).toBe(2)
    expect(commandIndex(['--url=http://a:1', '-o', 'json', '--no-color', 'plans'])).toBe(4)
    expect(commandIndex(['nodes'])).toBe(0)
    expect(commandIndex(['--token', 'X'])).toBe(-1)
    expect(commandIndex(['--help'])).toBe(-1)
  })

  it('suggests only close words', () => {
    expect(closest('nods', ['nodes', 'plans', 'plan'])).toBe('nodes')
    expect(closest('aprove', ['approve', 'apply'])).toBe('approve')
    expect(closest('histroy', ['history'])).toBe('history')
    expect(closest('xyz', ['nodes', 'plans'])).toBeNull()
    expect(closest('rollout', ['rollback', 'nodes'])).toBeNull()
  })
})
