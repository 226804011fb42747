import { describe, expect, it } from 'vitest'
import { parsePolicy } from '../../../src/app/policy.js'
import { DEFAULT_SIGNAL_POLICY, ruleFor, stormAllows, type SignalPolicy } from '../../../src/domain/health-signal.js'

const policy: SignalPolicy = {
  ...DEFAULT_SIGNAL_POLICY,
  rules: [
    { source: 'dcgm', code: 'XID-79', action: 'AUTO_DRAIN' },
    { code: 'XID-*', minSeverity: 'WARNING', action: 'PROPOSE_DRAIN' },
    { source: 'npd', action: 'RECORD' },
  ],
}

describe('signal rules', () => {
  it.each([
    ['the first matching rule', { source: 'dcgm', code: 'XID-79', severity: 'INFO' }, 'AUTO_DRAIN'],
    ['a prefix', { source: 'nvsentinel', code: 'XID-48', severity: 'CRITICAL' }, 'PROPOSE_DRAIN'],
    ['below the least severity', { source: 'nvsentinel', code: 'XID-48', severity: 'INFO' }, 'RECORD'],
    ['no rule at all', { source: 'custom', code: 'FAN', severity: 'CRITICAL' }, 'RECORD'],
  ] as const)('%s', (_name, signal, action) => {
    expect(ruleFor(policy, signal)).toBe(action)
  })
})

describe('the storm guard', () => {
  it.each([
    [{ maxNodes: 3, maxPercent: 100, windowSeconds: 60 }, 2, 10, true],
    [{ maxNodes: 3, maxPercent: 100, windowSeconds: 60 }, 3, 10, false],
    // 10 % of 20 nodes is 2: the third is held although maxNodes allows it.
    [{ maxNodes: 5, maxPercent: 10, windowSeconds: 60 }, 2, 20, false],
    [{ maxNodes: 5, maxPercent: 10, windowSeconds: 60 }, 1, 20, true],
    [{ maxNodes: 5, maxPercent: 10, windowSeconds: 60 }, 0, 5, false],
  ])('%j with %i proposed of %i nodes: %s', (guard, proposed, total, allowed) => {
    expect(stormAllows(guard, proposed, total)).toBe(allowed)
  })
})

describe('the policy file\'s signals section', () => {
  it('should read rules, conditions and the storm guard', () => {
    const read = parsePolicy({
      signals: {
        rules: [{ source: 'dcgm', code: 'XID-*', minSeverity: 'WARNING', action: 'PROPOSE_DRAIN' }],
        conditions: [{ type: 'KernelDeadlock', status: 'True' }],
        stormGuard: { maxNodes: 2, maxPercent: 5, windowSeconds: 600 },
      },
    })
    expect(read.signals).toEqual({
      rules: [{ source: 'dcgm', code: 'XID-*', minSeverity: 'WARNING', action: 'PROPOSE_DRAIN' }],
      conditions: [{ type: 'KernelDeadlock', status: 'True', severity: 'CRITICAL' }],
      stormGuard: { maxNodes: 2, maxPercent: 5, windowSeconds: 600 },
    })
  })

  it.each([
    [{ rule: [] }, 'policy file p.json: signals: unknown key "rule"'],
    [{ rules: [{ action: 'DRAIN' }] }, 'signals.rules[0].action: must be one of RECORD, PROPOSE_DRAIN, AUTO_DRAIN'],
    [{ rules: [{ action: 'RECORD', minSeverity: 'HIGH' }] }, 'signals.rules[0].minSeverity: must be one of INFO, WARNING, CRITICAL'],
    [{ conditions: [{ type: 'Ready', status: 'False' }] }, 'signals.conditions[0].type: the Ready condition is the unplanned-downtime path'],
    [{ conditions: [{ type: 'KernelDeadlock', status: 'yes' }] }, 'signals.conditions[0].status: must be "True", "False" or "Unknown"'],
    [{ stormGuard: { maxPercent: 150 } }, 'signals.stormGuard.maxPercent: must be a whole number from 0 to 100'],
    [{ stormGuard: { windowSeconds: 0 } }, 'signals.stormGuard.windowSeconds: must be a whole number of seconds from 1 to 604800'],
  ])('should refuse %j', (signals, message) => {
    expect(() => parsePolicy({ signals }, 'policy file p.json')).toThrow(message)
  })
})
