import { describe, expect, it } from 'vitest'
import { parseOperatorArgs } from '../../src/cli/args.js'

const NOW = new Date('2026-03-10T12:00:00Z')
const parse = (name: string, argv: string[]) => parseOperatorArgs(name, argv, {}, false, NOW)

describe('nodeplan plan rollout', () => {
  it('gives every RolloutInput field from its flag, and only those given', () => {
    const parsed = parse('plan', [
      'rollout', 'gpu-1', '--nodes', 'gpu-2,gpu-3', '--nodes', 'gpu-1', '--role', 'gpu-worker', '-l', 'run.ai/node-pool=a100', '--label', 'zone',
      '--max-unavailable', '10%', '--min-gpus', '256', '--pool-label', 'pool', '--pool-floor', 'a100=64', '--pool-floor', 'h100=32',
      '--order', 'gpu-3,gpu-2', '--drain-mode', 'graceful', '--drain-timeout', '30m', '--no-complete-on-reboot',
      '--not-before', '2026-12-24T22:00:00Z', '--window-cron', '0 22 * * 1-5', '--window-duration', '4h', '--window-tz', 'Europe/Berlin',
      '--reason', 'CHG-7 driver 550',
    ])
    expect(parsed).toEqual({
      command: {
        name: 'plan-rollout',
        input: {
          reason: 'CHG-7 driver 550',
          nodes: ['gpu-1', 'gpu-2', 'gpu-3'],
          roles: ['GPU_WORKER'],
          labels: [{ key: 'run.ai/node-pool', value: 'a100' }, { key: 'zone', value: null }],
          maxUnavailable: '10%',
          minGpusInService: 256,
          poolLabel: 'pool',
          poolFloors: [{ pool: 'a100', minGpusInService: 64 }, { pool: 'h100', minGpusInService: 32 }],
          order: ['gpu-3', 'gpu-2'],
          drainMode: 'GRACEFUL',
          drainTimeoutSeconds: 1800,
          completeOnReboot: false,
          notBefore: '2026-12-24T22:00:00.000Z',
          window: { cron: '0 22 * * 1-5', durationMinutes: 240, timeZone: 'Europe/Berlin' },
        },
      },
      connection: { url: 'http://127.0.0.1:8080', token: null, output: 'text', color: false, cluster: null },
    })
    expect(parse('plan', ['--reason', 'r', 'rollout', '-l', 'pool=a'])).toMatchObject({ command: { name: 'plan-rollout', input: { reason: 'r', labels: [{ key: 'pool', value: 'a' }] } } })
    expect(parse('plan', ['rollout', '--role', 'gpu-worker', '--reason', 'r'])).toEqual({ command: { name: 'plan-rollout', input: { reason: 'r', roles: ['GPU_WORKER'] } }, connection: expect.anything() })
  })

  it('refuses what the server would refuse or misread, saying why', () => {
    const error = (argv: string[]) => {
      const p = parse('plan', ['rollout', ...argv])
      return 'error' in p ? p.error : null
    }
    expect(error(['--nodes', 'a'])).toContain('--reason is required')
    expect(error(['--reason', 'r'])).toContain('choose the nodes with --nodes, --role or -l')
    expect(error(['--reason', 'r', '--role', 'gpu'])).toContain('unknown role gpu')
    expect(error(['--reason', 'r', '--nodes', 'a', '--max-unavailable', '0'])).toContain('--max-unavailable must be a count')
    expect(error(['--reason', 'r', '--nodes', 'a', '--max-unavailable', '150%'])).toContain('--max-unavailable must be a count')
    expect(error(['--reason', 'r', '--nodes', 'a', '--max-unavailable', 'four'])).toContain('--max-unavailable must be a count')
    expect(error(['--reason', 'r', '--nodes', 'a', '--min-gpus', '-1'])).toContain('--min-gpus must be a whole number')
    expect(error(['--reason', 'r', '--nodes', 'a', '--pool-floor', 'a100'])).toContain('is not POOL=N')
    expect(error(['--reason', 'r', '--nodes', 'a', '--drain-mode', 'gracefull'])).toContain('Did you mean "graceful"?')
    expect(error(['--reason', 'r', '--nodes', 'a', '--drain-timeout', '30m'])).toContain('only for --drain-mode graceful')
    expect(error(['--reason', 'r', '--nodes', 'a', '--drain-mode', 'graceful', '--drain-timeout', 'soon'])).toContain('--drain-timeout must be seconds')
    expect(error(['--reason', 'r', '--nodes', 'a', '--not-before', '12h'])).toContain('--not-before must be an ISO 8601 time')
    expect(error(['--reason', 'r', '--nodes', 'a', '--window-cron', '0 22 * * *'])).toContain('--window-cron needs --window-duration')
    expect(error(['--reason', 'r', '--nodes', 'a', '--window-duration', '4h'])).toContain('need --window-cron')
    expect(error(['--reason', 'r', '--nodes', 'a', '--window-cron', '0 22 * * *', '--window-duration', '0'])).toContain('--window-duration must be minutes')
    expect(error(['--reason', 'r', '--nodes', 'a', '--max-unavailabel', '2'])).toContain('Did you mean --max-unavailable?')
    // The plan kinds still parse as before.
    expect(parse('plan', ['drain', 'gpu-1', '--reason', 'r'])).toMatchObject({ command: { name: 'plan', kind: 'drain' } })
    expect(parse('plan', ['rollout', '--help'])).toEqual({ help: expect.stringContaining('usage: nodeplan plan rollout') })
    expect(parse('plan', ['rolout', 'gpu-1', '--reason', 'r'])).toEqual({ error: expect.stringContaining('Did you mean "nodeplan plan rollout"?') })
  })
})

describe('nodeplan rollout and rollouts', () => {
  it('each action with its id and what it needs', () => {
    expect(parse('rollout', ['status', 'ro-1', '--watch'])).toMatchObject({ command: { name: 'rollout', action: 'status', id: 'ro-1', watch: true } })
    expect(parse('rollout', ['status', 'ro-1'])).toMatchObject({ command: { action: 'status', watch: false } })
    for (const action of ['approve', 'start', 'pause', 'resume', 'discard']) expect(parse('rollout', [action, 'ro-1'])).toMatchObject({ command: { name: 'rollout', action, id: 'ro-1' } })
    expect(parse('rollout', ['abort', 'ro-1', '--reason', 'INC-9 bad driver'])).toMatchObject({ command: { action: 'abort', id: 'ro-1', reason: 'INC-9 bad driver' } })
    expect(parse('rollout', ['complete', 'ro-1', 'gpu-7'])).toMatchObject({ command: { action: 'complete', id: 'ro-1', node: 'gpu-7' } })
    expect(parse('rollouts', ['--status', 'running,paused', '--limit', '5', '-o', 'json'])).toMatchObject({
      command: { name: 'rollouts', statuses: ['RUNNING', 'PAUSED'], limit: 5, after: null },
      connection: { output: 'json' },
    })
  })

  it('refuses what it cannot run, saying why', () => {
    const error = (name: string, argv: string[]) => {
      const p = parse(name, argv)
      return 'error' in p ? p.error : null
    }
    expect(error('rollout', [])).toContain('use one of status, approve, start, pause, resume, discard, abort, complete')
    expect(error('rollout', ['stauts', 'ro-1'])).toContain('Did you mean "nodeplan rollout status"?')
    expect(error('rollout', ['pause'])).toContain("name the rollout's id")
    expect(error('rollout', ['abort', 'ro-1'])).toContain('--reason is required')
    expect(error('rollout', ['pause', 'ro-1', '--reason', 'x'])).toContain('--reason is only for nodeplan rollout abort')
    expect(error('rollout', ['pause', 'ro-1', '--watch'])).toContain('--watch is only for nodeplan rollout status')
    expect(error('rollout', ['complete', 'ro-1'])).toContain('name the node whose maintenance is done')
    expect(error('rollout', ['complete', 'ro-1', 'a', 'b'])).toContain('unexpected b')
    expect(error('rollout', ['start', 'ro-1', 'ro-2'])).toContain('unexpected ro-2')
    expect(error('rollouts', ['--status', 'runing'])).toContain('Did you mean "running"?')
    expect(error('rollouts', ['--limit', '201'])).toContain('from 1 to 200')
    expect(error('rollouts', ['ro-1'])).toContain('takes no arguments')
  })
})
