import { describe, expect, it } from 'vitest'
import { NodeplanError } from '../../../src/domain/errors.js'
import { checkNodes, checkReason, checkRoles, isValidNodeName } from '../../../src/domain/validation.js'
import { buildNode } from '../../factories.js'

describe('isValidNodeName', () => {
  it.each([
    ['gpu-1', true],
    ['ip-10-0-1-5.ec2.internal', true],
    ['a', true],
    ['a'.repeat(253), true],
    ['a'.repeat(254), false],
    ['', false],
    ['GPU-1', false],
    ['-gpu', false],
    ['gpu-', false],
    ['gpu_1', false],
    ['gpu..1', false],
    ['gpu 1', false],
  ])('%s → %s', (name, expected) => {
    expect(isValidNodeName(name)).toBe(expected)
  })
})

describe('plan input checks', () => {
  const known = new Map([buildNode('gpu-1'), buildNode('gpu-2')].map((n) => [n.name, n]))
  const cases: { name: string; run: () => void; message: RegExp }[] = [
    { name: 'empty node list', run: () => checkNodes([], known), message: /nodes: name at least one node/ },
    { name: 'invalid node name', run: () => checkNodes(['GPU_1'], known), message: /"GPU_1" is not a valid node name/ },
    { name: 'duplicate node', run: () => checkNodes(['gpu-1', 'gpu-2', 'gpu-1'], known), message: /"gpu-1" is named twice/ },
    { name: 'unknown node', run: () => checkNodes(['gpu-1', 'gpu-9'], known), message: /no node "gpu-9"/ },
    { name: 'blank reason', run: () => checkReason('  \n'), message: /reason: say why/ },
    { name: 'reason over 1000 characters', run: () => checkReason('x'.repeat(1001)), message: /reason: at most 1000 characters \(got 1001\)/ },
    { name: 'unknown role', run: () => checkRoles(['SYSTEM', 'MASTER']), message: /roles: "MASTER" is not a role/ },
    { name: 'duplicate role', run: () => checkRoles(['SYSTEM', 'SYSTEM']), message: /roles: SYSTEM is named twice/ },
  ]
  it.each(cases)('refuses $name with BAD_USER_INPUT', ({ run, message }) => {
    expect(run).toThrow(message)
    try {
      run()
    } catch (error) {
      expect(error).toBeInstanceOf(NodeplanError)
      expect((error as NodeplanError).code).toBe('BAD_USER_INPUT')
    }
  })

  it('accepts good input', () => {
    expect(() => checkNodes(['gpu-2', 'gpu-1'], known)).not.toThrow()
    expect(() => checkNodes(['gpu-9'], known, false)).not.toThrow()
    expect(() => checkReason('x'.repeat(1000))).not.toThrow()
    expect(() => checkRoles(['SYSTEM', 'GPU_WORKER'])).not.toThrow()
  })
})
