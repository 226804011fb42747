import { describe, expect, it } from 'vitest'
import { deletedObject } from '../../src/adapters/kubernetes/watch-event.js'

const line = (object: unknown, type = 'DELETED') => JSON.stringify({ type, object })

describe('deletedObject', () => {
  it('reads name, namespace and resourceVersion wherever they are among the metadata, past nested fields', () => {
    const pod = {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: {
        name: 'train-0',
        generateName: 'train-',
        labels: { app: 'x', 'a"b': '{[' },
        ownerReferences: [{ kind: 'Job', name: 'n', controller: true, blockOwnerDeletion: null }],
        generation: 3,
        namespace: 'runai-team-a',
        annotations: { note: 'quote \\" and } ] brace' },
        resourceVersion: '1234',
        managedFields: [{ manager: 'kubelet', fieldsV1: { 'f:status': {} } }],
      },
      spec: { nodeName: 'gpu-1' },
    }
    expect(deletedObject(line(pod))).toEqual({ metadata: { name: 'train-0', namespace: 'runai-team-a', resourceVersion: '1234' } })
  })

  it('unescapes an escaped value as JSON.parse does', () => {
    const odd = { metadata: { namespace: 'ns', name: 'we\\ird"na\u00e9me', resourceVersion: '7' } }
    expect(deletedObject(line(odd))).toEqual({ metadata: odd.metadata })
  })

  it('gives null for anything else: another type, metadata without a name, a layout with spaces, a cut line', () => {
    const pod = { kind: 'Pod', metadata: { name: 'a', namespace: 'b', resourceVersion: '1' } }
    expect(deletedObject(line(pod, 'MODIFIED'))).toBeNull()
    expect(deletedObject(line({ kind: 'Pod', metadata: { namespace: 'b' } }))).toBeNull()
    expect(deletedObject(JSON.stringify({ type: 'DELETED', object: pod }, null, 1))).toBeNull()
    expect(deletedObject(line({ kind: 'Pod', spec: {} }))).toBeNull()
    const full = line(pod)
    expect(deletedObject(full.slice(0, full.indexOf('"name"') + 5))).toBeNull()
  })

  it('agrees with JSON.parse on many generated objects', () => {
    let seed = 42
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
    const word = () => Array.from({ length: 1 + Math.floor(rand() * 8) }, () => 'ab"\\{}[],:é x'[Math.floor(rand() * 14)]).join('')
    const value = (depth: number): unknown => {
      const r = rand()
      if (depth > 2 || r < 0.3) return word()
      if (r < 0.4) return Math.floor(rand() * 1e6) / 100
      if (r < 0.5) return rand() < 0.5 ? null : true
      if (r < 0.75) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1))
      return Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, () => [word(), value(depth + 1)]))
    }
    for (let i = 0; i < 500; i++) {
      const metadata: Record<string, unknown> = {}
      for (const key of ['labels', 'name', 'x', 'namespace', 'y', 'resourceVersion', 'z'].sort(() => rand() - 0.5)) {
        metadata[key] = ['name', 'namespace', 'resourceVersion'].includes(key) ? word() : value(0)
      }
      const obj = { kind: word(), extra: value(0), metadata, spec: value(0) }
      const parsed = JSON.parse(line(obj)).object.metadata
      expect(deletedObject(line(obj))).toEqual({ metadata: { name: parsed.name, namespace: parsed.namespace, resourceVersion: parsed.resourceVersion } })
    }
  })
})
