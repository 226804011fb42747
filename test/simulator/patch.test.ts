import { describe, expect, it } from 'vitest'
import { applyPatch, type Json } from '../../src/simulator/patch.js'

type Doc = { [key: string]: Json }
const node = (): Doc => ({
  metadata: { name: 'n', resourceVersion: '7', labels: { a: '1', b: '2' } },
  spec: { taints: [{ key: 'x', effect: 'NoSchedule' }, { key: 'y', value: 'v', effect: 'NoExecute' }] },
  status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'DiskPressure', status: 'False' }] },
})

function rejection(fn: () => unknown): { code: number; message: string; details?: unknown } {
  try {
    fn()
  } catch (e) {
    return e as { code: number; message: string }
  }
  throw new Error('expected a rejection')
}

describe('strategic merge patch', () => {
  it.each([
    ['replaces the taint list whole (kubectl taint sends the new list)', { spec: { taints: [{ key: 'z', effect: 'NoSchedule' }] } }, { taints: [{ key: 'z', effect: 'NoSchedule' }] }],
    ['deletes the taint list with null', { spec: { taints: null } }, {}],
    ['sets unschedulable (cordon)', { spec: { unschedulable: true } }, { unschedulable: true, taints: node().spec!['taints' as never] }],
  ])('%s', (_name, patch, spec) => {
    expect(applyPatch(node(), 'application/strategic-merge-patch+json', patch as Json).spec).toEqual(spec)
  })

  it('merges conditions by type and maps key by key', () => {
    const out = applyPatch(node(), 'application/strategic-merge-patch+json', {
      metadata: { labels: { a: null, c: '3' } },
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    })
    expect(out.metadata).toEqual({ name: 'n', resourceVersion: '7', labels: { b: '2', c: '3' } })
    expect(out.status).toEqual({ conditions: [{ type: 'Ready', status: 'False' }, { type: 'DiskPressure', status: 'False' }] })
  })
})

describe('merge patch (RFC 7386)', () => {
  it('merges objects, deletes with null, replaces lists', () => {
    const out = applyPatch(node(), 'application/merge-patch+json', { metadata: { labels: { b: null, c: '' } }, spec: { taints: [] } })
    expect(out.metadata).toEqual({ name: 'n', resourceVersion: '7', labels: { a: '1', c: '' } })
    expect(out.spec).toEqual({ taints: [] })
  })
})

describe('JSON patch (RFC 6902)', () => {
  const jsonPatch = (ops: Json) => applyPatch(node(), 'application/json-patch+json', ops)

  it('adds, removes and replaces by pointer, with ~1 escapes', () => {
    const out = jsonPatch([
      { op: 'add', path: '/metadata/labels/node-role.kubernetes.io~1runai-system', value: '' },
      { op: 'remove', path: '/spec/taints/0' },
      { op: 'add', path: '/spec/taints/-', value: { key: 'runai', value: 'drain', effect: 'NoExecute' } },
      { op: 'replace', path: '/metadata/labels/a', value: '9' },
    ])
    expect(out.metadata).toMatchObject({ labels: { a: '9', b: '2', 'node-role.kubernetes.io/runai-system': '' } })
    expect(out.spec).toEqual({ taints: [{ key: 'y', value: 'v', effect: 'NoExecute' }, { key: 'runai', value: 'drain', effect: 'NoExecute' }] })
  })

  it('passes a matching test and applies the rest atomically', () => {
    const out = jsonPatch([
      { op: 'test', path: '/spec/taints/1', value: { key: 'y', value: 'v', effect: 'NoExecute' } },
      { op: 'remove', path: '/spec/taints/1' },
    ])
    expect(out.spec).toEqual({ taints: [{ key: 'x', effect: 'NoSchedule' }] })
  })

  it('refuses a failed test with 422 and leaves the input untouched', () => {
    const doc = node()
    const err = rejection(() =>
      applyPatch(doc, 'application/json-patch+json', [
        { op: 'remove', path: '/spec/taints/0' },
        { op: 'test', path: '/metadata/resourceVersion', value: '6' },
      ]),
    )
    expect(err.code).toBe(422)
    expect(err.message).toBe('the server rejected our request due to an error in our request')
    // As the real API server answers (test/real/differential.test.ts): no causes.
    expect(err.details).toEqual({})
    expect(doc).toEqual(node())
  })

  it('refuses removing what is not there with 422', () => {
    expect(rejection(() => jsonPatch([{ op: 'remove', path: '/spec/taints/5' }])).code).toBe(422)
    expect(rejection(() => jsonPatch([{ op: 'remove', path: '/metadata/labels/zzz' }])).code).toBe(422)
    expect(rejection(() => jsonPatch([{ op: 'replace', path: '/metadata/labels/zzz', value: 'x' }])).code).toBe(422)
  })

  it('refuses a body that is not a patch with 400', () => {
    expect(rejection(() => jsonPatch({ op: 'add' })).code).toBe(400)
    expect(rejection(() => jsonPatch([{ op: 'frobnicate', path: '/a' }])).code).toBe(400)
  })
})

it('refuses an unknown patch content type with 415', () => {
  expect(rejection(() => applyPatch(node(), 'application/apply-patch+yaml', {})).code).toBe(415)
})
