import { describe, expect, it } from 'vitest'
import { escapePointer, nodePatch, type RawNode } from '../../src/adapters/kubernetes/node-patch.js'
import { labelChange, taintChange } from '../../src/domain/change.js'
import { DRAIN_TAINT } from '../../src/domain/cluster.js'

const OTHER = { key: 'team', value: 'x', effect: 'NoSchedule', timeAdded: '2026-11-01T00:00:00Z' }
const DRAIN_RAW = { key: 'runai', value: 'drain', effect: 'NoExecute', timeAdded: '2026-11-02T00:00:00Z' }
const node = (spec: RawNode['spec'], labels?: Record<string, string>): RawNode => ({
  metadata: { name: 'gpu-1', uid: 'u1', resourceVersion: '17', ...(labels ? { labels } : {}) },
  spec,
})

describe('nodePatch: taints', () => {
  it.each([
    {
      name: 'add to a node without spec.taints: whole list, guarded by resourceVersion',
      change: taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'),
      node: node({}),
      want: {
        kind: 'patch',
        ops: [
          { op: 'test', path: '/metadata/resourceVersion', value: '17' },
          { op: 'add', path: '/spec/taints', value: [{ key: 'runai', value: 'drain', effect: 'NoExecute' }] },
        ],
      },
    },
    {
      name: 'add beside another taint: the list as read is tested, the new one appended',
      change: taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'),
      node: node({ taints: [OTHER] }),
      want: {
        kind: 'patch',
        ops: [
          { op: 'test', path: '/spec/taints', value: [OTHER] },
          { op: 'add', path: '/spec/taints/-', value: { key: 'runai', value: 'drain', effect: 'NoExecute' } },
        ],
      },
    },
    { name: 'add when already there', change: taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'), node: node({ taints: [OTHER, DRAIN_RAW] }), want: { kind: 'already' } },
    {
      name: 'add when the key:effect has another value: conflict',
      change: taintChange('gpu-1', null, DRAIN_TAINT, 'REQUESTED'),
      node: node({ taints: [{ key: 'runai', value: 'other', effect: 'NoExecute' }] }),
      want: { kind: 'conflict' },
    },
    {
      name: 'remove: only that element, tested in place',
      change: taintChange('gpu-1', DRAIN_TAINT, null, 'REQUESTED'),
      node: node({ taints: [OTHER, DRAIN_RAW] }),
      want: {
        kind: 'patch',
        ops: [
          { op: 'test', path: '/spec/taints/1', value: DRAIN_RAW },
          { op: 'remove', path: '/spec/taints/1' },
        ],
      },
    },
    { name: 'remove when gone', change: taintChange('gpu-1', DRAIN_TAINT, null, 'REQUESTED'), node: node({ taints: [OTHER] }), want: { kind: 'already' } },
    {
      name: 'remove when its value changed: conflict',
      change: taintChange('gpu-1', DRAIN_TAINT, null, 'REQUESTED'),
      node: node({ taints: [{ key: 'runai', value: 'other', effect: 'NoExecute' }] }),
      want: { kind: 'conflict' },
    },
    {
      name: 'update a value in place',
      change: taintChange('gpu-1', { key: 'team', value: 'x', effect: 'NoSchedule' }, { key: 'team', value: 'y', effect: 'NoSchedule' }, 'REQUESTED'),
      node: node({ taints: [DRAIN_RAW, OTHER] }),
      want: {
        kind: 'patch',
        ops: [
          { op: 'test', path: '/spec/taints/1', value: OTHER },
          { op: 'replace', path: '/spec/taints/1', value: { key: 'team', value: 'y', effect: 'NoSchedule' } },
        ],
      },
    },
  ])('$name', ({ change, node, want }) => {
    expect(nodePatch(change, node)).toMatchObject(want)
  })
})

describe('nodePatch: labels', () => {
  const ROLE = 'node-role.kubernetes.io/runai-system'
  it.each([
    {
      name: 'add: key escaped, guarded by resourceVersion',
      change: labelChange('gpu-1', ROLE, null, '', 'REQUESTED'),
      node: node({}, { a: '1' }),
      want: {
        kind: 'patch',
        ops: [
          { op: 'test', path: '/metadata/resourceVersion', value: '17' },
          { op: 'add', path: '/metadata/labels/node-role.kubernetes.io~1runai-system', value: '' },
        ],
      },
    },
    {
      name: 'add to a node without labels',
      change: labelChange('gpu-1', ROLE, null, '', 'REQUESTED'),
      node: node({}),
      want: { kind: 'patch', ops: [{ op: 'test', path: '/metadata/resourceVersion', value: '17' }, { op: 'add', path: '/metadata/labels', value: { [ROLE]: '' } }] },
    },
    { name: 'add when present', change: labelChange('gpu-1', ROLE, null, '', 'REQUESTED'), node: node({}, { [ROLE]: '' }), want: { kind: 'already' } },
    { name: 'add when present with another value: conflict', change: labelChange('gpu-1', 'zone', null, 'a', 'REQUESTED'), node: node({}, { zone: 'b' }), want: { kind: 'conflict' } },
    {
      name: 'update: tested value replaced',
      change: labelChange('gpu-1', 'zone', 'a', 'b', 'REQUESTED'),
      node: node({}, { zone: 'a' }),
      want: { kind: 'patch', ops: [{ op: 'test', path: '/metadata/labels/zone', value: 'a' }, { op: 'replace', path: '/metadata/labels/zone', value: 'b' }] },
    },
    {
      name: 'remove: tested value removed',
      change: labelChange('gpu-1', ROLE, '', null, 'REQUESTED'),
      node: node({}, { [ROLE]: '', x: 'y' }),
      want: {
        kind: 'patch',
        ops: [
          { op: 'test', path: '/metadata/labels/node-role.kubernetes.io~1runai-system', value: '' },
          { op: 'remove', path: '/metadata/labels/node-role.kubernetes.io~1runai-system' },
        ],
      },
    },
    { name: 'remove when absent', change: labelChange('gpu-1', ROLE, '', null, 'REQUESTED'), node: node({}, {}), want: { kind: 'already' } },
    { name: 'remove when changed: conflict', change: labelChange('gpu-1', 'zone', 'a', null, 'REQUESTED'), node: node({}, { zone: 'c' }), want: { kind: 'conflict' } },
  ])('$name', ({ change, node, want }) => {
    expect(nodePatch(change, node)).toMatchObject(want)
  })

  it('escapes ~ and / as RFC 6901 says', () => {
    expect(escapePointer('a~b/c')).toBe('a~0b~1c')
  })
})
