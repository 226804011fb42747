import { describe, expect, it } from 'vitest'
import { SimClock } from '../../src/simulator/clock.js'
import { matchesFields, parseFieldSelector, parseLabelSelector } from '../../src/simulator/selectors.js'
import { humanDuration, nodeRoles, nodeStatus } from '../../src/simulator/table.js'
import type { KubeObject } from '../../src/simulator/store.js'

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', 'node-role.kubernetes.io/runai-system': '' }
  it.each([
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app=web,tier=back', false],
    ['tier in (front,back)', true],
    ['tier notin (front)', false],
    ['node-role.kubernetes.io/runai-system', true],
    ['!node-role.kubernetes.io/runai-system', false],
    ['!missing', true],
    ['missing!=x', true],
    ['', true],
  ])('%s → %s', (selector, expected) => {
    expect(parseLabelSelector(selector).matches(labels)).toBe(expected)
  })

  it('refuses a selector it cannot parse with 400', () => {
    expect(() => parseLabelSelector('a in b')).toThrow(expect.objectContaining({ code: 400 }))
  })
})

describe('field selectors', () => {
  const pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'gpu-1' }, status: { phase: 'Running' } }
  it('matches equality and inequality on dotted paths', () => {
    expect(matchesFields(pod, parseFieldSelector('spec.nodeName=gpu-1,metadata.namespace!=kube-system', ['spec.nodeName', 'metadata.namespace']))).toBe(true)
    expect(matchesFields(pod, parseFieldSelector('spec.nodeName==gpu-2', ['spec.nodeName']))).toBe(false)
    expect(matchesFields({ spec: {} }, parseFieldSelector('spec.nodeName=', ['spec.nodeName']))).toBe(true)
  })

  it('refuses a field the resource does not support', () => {
    expect(() => parseFieldSelector('spec.color=red', ['spec.nodeName'])).toThrow('field label not supported: spec.color')
  })
})

describe('Table cells', () => {
  it.each([
    [0, '0s'],
    [119, '119s'],
    [120, '2m'],
    [125, '2m5s'],
    [600, '10m'],
    [3 * 3600, '3h'],
    [3 * 3600 + 60 * 5, '3h5m'],
    [30 * 3600, '30h'],
    [3 * 86400 + 3600, '3d1h'],
    [60 * 86400, '60d'],
    [800 * 86400, '2y70d'],
  ])('AGE of %ss is %s', (seconds, text) => {
    expect(humanDuration(seconds * 1000)).toBe(text)
  })

  const node = (labels: Record<string, string>, ready: string, unschedulable?: boolean): KubeObject => ({
    metadata: { name: 'n', labels },
    spec: unschedulable ? { unschedulable } : {},
    status: { conditions: [{ type: 'Ready', status: ready }] },
  })

  it('derives STATUS from the Ready condition and unschedulable', () => {
    expect(nodeStatus(node({}, 'True'))).toBe('Ready')
    expect(nodeStatus(node({}, 'Unknown'))).toBe('NotReady')
    expect(nodeStatus(node({}, 'True', true))).toBe('Ready,SchedulingDisabled')
    expect(nodeStatus({ metadata: { name: 'n' }, status: {} })).toBe('Unknown')
  })

  it('derives ROLES from node-role labels, sorted, or <none>', () => {
    expect(nodeRoles(node({ 'node-role.kubernetes.io/runai-system': '', 'node-role.kubernetes.io/runai-gpu-worker': '' }, 'True'))).toBe('runai-gpu-worker,runai-system')
    expect(nodeRoles(node({ 'kubernetes.io/hostname': 'n' }, 'True'))).toBe('<none>')
  })
})

describe('simulated clock', () => {
  it('runs due timers in time order, with the clock at each timer\'s time, and nothing early', () => {
    const clock = new SimClock(new Date('2026-01-01T00:00:00Z'))
    const seen: string[] = []
    clock.after(30, () => seen.push(`b@${clock.timestamp()}`))
    clock.after(10, () => seen.push(`a@${clock.timestamp()}`))
    clock.after(31, () => seen.push('c'))
    clock.advance(30)
    expect(seen).toEqual(['a@2026-01-01T00:00:10Z', 'b@2026-01-01T00:00:30Z'])
    expect(clock.timestamp()).toBe('2026-01-01T00:00:30Z')
    expect(clock.pendingTimers()).toBe(1)
    expect(() => clock.advance(-1)).toThrow(RangeError)
  })
})
