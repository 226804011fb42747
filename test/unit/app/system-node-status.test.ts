import { describe, expect, it } from 'vitest'
import { systemNodeStatus } from '../../../src/app/system-nodes.service.js'
import { buildNode } from '../../factories.js'

describe('systemNodeStatus', () => {
  it.each([
    {
      name: 'two Ready system nodes: no warning',
      nodes: [buildNode('sys-2', { roles: ['SYSTEM'] }), buildNode('sys-1', { roles: ['SYSTEM'] }), buildNode('gpu-1')],
      want: { ready: 2, nodes: ['sys-1', 'sys-2'], warning: null },
    },
    {
      name: 'a NotReady and a drained system node do not serve; the first Ready, schedulable, undrained worker is suggested',
      nodes: [
        buildNode('sys-1', { roles: ['SYSTEM'], ready: false, notReadySince: '2026-01-01T00:00:00Z' }),
        buildNode('sys-2', { roles: ['SYSTEM'], drained: true }),
        buildNode('sys-3', { roles: ['SYSTEM'] }),
        buildNode('cpu-1', { roles: ['CPU_WORKER'], unschedulable: true }),
        buildNode('gpu-1', { drained: true }),
        buildNode('gpu-3'),
        buildNode('gpu-2'),
      ],
      want: {
        ready: 1,
        nodes: ['sys-3'],
        warning:
          'only one Ready Run:ai system node (sys-3): losing it stops the Run:ai services. Designate a temporary system node: nodeplan plan relabel gpu-2 --roles gpu-worker,system --reason "temporary system node" (GraphQL: planRelabel(input: {node: "gpu-2", roles: [GPU_WORKER, SYSTEM], reason: "temporary system node"})), then apply that plan; rolling it back later retires the temporary system node.',
      },
    },
    {
      name: 'none serving and no worker to take the role',
      nodes: [buildNode('sys-1', { roles: ['SYSTEM'], ready: false, notReadySince: '2026-01-01T00:00:00Z' }), buildNode('gpu-1', { drained: true })],
      want: {
        ready: 0,
        nodes: [],
        warning:
          'no Ready Run:ai system node: Run:ai services have nowhere to run. No other Ready node can take the role now: bring a system node back, then designate a temporary one with nodeplan plan relabel (planRelabel).',
      },
    },
  ])('$name', ({ nodes, want }) => {
    expect(systemNodeStatus(nodes)).toEqual(want)
  })
})
