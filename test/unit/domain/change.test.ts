import { describe, expect, it } from 'vitest'
import { DRAIN_TAINT } from '../../../src/domain/cluster.js'
import { labelChange, nodeDeletion, taintChange } from '../../../src/domain/change.js'
import type { Change } from '../../../src/domain/plan.js'

const SYSTEM = 'node-role.kubernetes.io/runai-system'
const maint = { key: 'runai', value: 'maint', effect: 'NoExecute' as const }
const drainTarget = { node: 'n', key: 'runai', effect: 'NoExecute' as const }

describe('change factories', () => {
  const cases: { name: string; change: Change; expected: Partial<Change> }[] = [
    {
      name: 'taint added',
      change: taintChange('n', null, DRAIN_TAINT, 'REQUESTED'),
      expected: { resource: 'TAINT', target: drainTarget, address: 'node/n/taint/runai:NoExecute', action: 'CREATE', before: null, after: DRAIN_TAINT },
    },
    {
      name: 'taint removed',
      change: taintChange('n', DRAIN_TAINT, null, 'REQUESTED'),
      expected: { resource: 'TAINT', target: drainTarget, action: 'DELETE', before: DRAIN_TAINT, after: null },
    },
    { name: 'taint value changed', change: taintChange('n', maint, DRAIN_TAINT, 'REQUESTED'), expected: { target: drainTarget, action: 'UPDATE' } },
    { name: 'taint already there', change: taintChange('n', { ...DRAIN_TAINT }, DRAIN_TAINT, 'REQUESTED'), expected: { action: 'NO_OP', reason: 'ALREADY_DONE' } },
    {
      name: 'taint absent and left alone, named by its id',
      change: taintChange('n', null, null, 'CHANGED_SINCE', DRAIN_TAINT),
      expected: { target: drainTarget, address: 'node/n/taint/runai:NoExecute', action: 'NO_OP', before: null, after: null, reason: 'CHANGED_SINCE' },
    },
    {
      name: 'label added (a key with slashes)',
      change: labelChange('n', SYSTEM, null, '', 'REQUESTED'),
      expected: { resource: 'LABEL', target: { node: 'n', key: SYSTEM }, address: `node/n/label/${SYSTEM}`, action: 'CREATE', before: null, after: '' },
    },
    { name: 'label removed', change: labelChange('n', SYSTEM, '', null, 'REQUESTED'), expected: { target: { node: 'n', key: SYSTEM }, action: 'DELETE' } },
    { name: 'label changed', change: labelChange('n', 'zone', 'a', 'b', 'REQUESTED'), expected: { target: { node: 'n', key: 'zone' }, action: 'UPDATE' } },
    { name: 'label already so', change: labelChange('n', 'zone', 'a', 'a', 'UNPLANNED_DOWNTIME'), expected: { action: 'NO_OP', reason: 'ALREADY_DONE' } },
    { name: 'label changed since and left alone', change: labelChange('n', 'zone', 'c', 'c', 'CHANGED_SINCE'), expected: { action: 'NO_OP', before: 'c', after: 'c', reason: 'CHANGED_SINCE' } },
    {
      name: 'node deleted',
      change: nodeDeletion('n', { name: 'n', labels: { team: 'a' } }, 'DECOMMISSION'),
      expected: { resource: 'NODE', target: { node: 'n' }, address: 'node/n', action: 'DELETE', before: { name: 'n', labels: { team: 'a' } }, after: null },
    },
  ]
  it.each(cases)('$name', ({ change, expected }) => {
    expect(change).toMatchObject({ node: 'n', ...expected })
  })

  it.each([
    ['a taint change that names no taint', () => taintChange('n', null, null, 'REQUESTED'), /names no taint/],
    ['a taint change whose before and after are different taints', () => taintChange('n', maint, { key: 'other', effect: 'NoSchedule' }, 'REQUESTED'), /different taints/],
  ])('refuses %s', (_name, make, message) => {
    expect(make).toThrow(message)
  })
})
