// The three patch types kubectl and client libraries send: JSON patch (RFC 6902), JSON
// merge patch (RFC 7386) and Kubernetes' strategic merge patch.
import { isDeepStrictEqual } from 'node:util'
import { badRequest, patchRejected, unsupportedPatchType } from './status.js'

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
} as const

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v)

/** The API server refuses an unknown patch type (415) before it reads the body. */
export function checkPatchType(contentType: string): void {
  const type = contentType.split(';')[0]!.trim()
  if (!(Object.values(PATCH_TYPES) as string[]).includes(type)) throw unsupportedPatchType()
}

export function applyPatch(target: JsonObject, contentType: string, body: Json): JsonObject {
  const type = contentType.split(';')[0]!.trim()
  switch (type) {
    case PATCH_TYPES.json:
      return applyJsonPatch(target, body)
    case PATCH_TYPES.merge:
      if (!isObject(body)) throw badRequest('json: cannot unmarshal patch into an object')
      return mergePatch(target, body) as JsonObject
    case PATCH_TYPES.strategic:
      if (!isObject(body)) throw badRequest('json: cannot unmarshal patch into an object')
      return strategicMergePatch(target, body, '')
    default:
      throw unsupportedPatchType()
  }
}

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch
  const result: JsonObject = isObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key]
    else result[key] = mergePatch(result[key] ?? null, value)
  }
  return result
}

/**
 * Lists merge by key only where Kubernetes declares a patchMergeKey for them; every other
 * list (node spec.taints included) is replaced whole, and `null` deletes a field.
 */
const MERGE_KEYS: Record<string, string> = {
  'status.conditions': 'type',
  'status.addresses': 'type',
  'metadata.ownerReferences': 'uid',
  'spec.containers': 'name',
}

function strategicMergePatch(target: JsonObject, patch: JsonObject, path: string): JsonObject {
  const result: JsonObject = { ...target }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue // directives ($patch, $retainKeys, $setElementOrder) are not simulated
    const childPath = path ? `${path}.${key}` : key
    if (value === null) {
      delete result[key]
    } else if (isObject(value)) {
      if (value.$patch === 'delete') delete result[key]
      else if (value.$patch === 'replace') {
        const { $patch: _directive, ...rest } = value
        result[key] = rest
      } else result[key] = strategicMergePatch(isObject(result[key]) ? result[key] : {}, value, childPath)
    } else if (Array.isArray(value) && MERGE_KEYS[childPath] && Array.isArray(result[key])) {
      result[key] = mergeList(result[key] as Json[], value, MERGE_KEYS[childPath]!)
    } else {
      result[key] = value
    }
  }
  return result
}

function mergeList(target: Json[], patch: Json[], mergeKey: string): Json[] {
  const result = [...target]
  for (const item of patch) {
    if (!isObject(item)) continue
    const index = result.findIndex((existing) => isObject(existing) && existing[mergeKey] === item[mergeKey])
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1)
    } else if (index >= 0) result[index] = strategicMergePatch(result[index] as JsonObject, item, '')
    else result.push(item)
  }
  return result
}

interface Operation {
  op: string
  path: string
  value?: Json
  from?: string
}

function pointer(path: string): string[] {
  if (path === '') return []
  if (!path.startsWith('/')) throw patchRejected(`invalid JSON pointer "${path}"`)
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
}

/** Resolves the parent container of a pointer, failing like evanphx/json-patch does. */
function parentOf(doc: Json, parts: string[], op: string, path: string): { parent: JsonObject | Json[]; key: string } {
  let node: Json = doc
  for (const part of parts.slice(0, -1)) {
    if (Array.isArray(node)) node = node[Number(part)] ?? null
    else if (isObject(node)) node = node[part] ?? null
    else node = null
    if (node === null) throw patchRejected(`${op} operation does not apply: doc is missing path: "${path}": missing value`)
  }
  if (!Array.isArray(node) && !isObject(node)) {
    throw patchRejected(`${op} operation does not apply: doc is missing path: "${path}": missing value`)
  }
  return { parent: node, key: parts[parts.length - 1]! }
}

function arrayIndex(list: Json[], key: string, op: string, path: string, allowEnd: boolean): number {
  if (key === '-' && allowEnd) return list.length
  const index = Number(key)
  if (!/^\d+$/.test(key) || index > list.length || (!allowEnd && index === list.length)) {
    throw patchRejected(`${op} operation does not apply: doc is missing path: "${path}": missing value`)
  }
  return index
}

function getAt(doc: Json, path: string, op: string): Json | undefined {
  const parts = pointer(path)
  if (parts.length === 0) return doc
  const { parent, key } = parentOf(doc, parts, op, path)
  if (Array.isArray(parent)) return /^\d+$/.test(key) ? parent[Number(key)] : undefined
  return Object.prototype.hasOwnProperty.call(parent, key) ? parent[key] : undefined
}

function removeAt(doc: Json, path: string, op: string): Json {
  const parts = pointer(path)
  const { parent, key } = parentOf(doc, parts, op, path)
  if (Array.isArray(parent)) {
    const index = arrayIndex(parent, key, op, path, false)
    return parent.splice(index, 1)[0]!
  }
  if (!Object.prototype.hasOwnProperty.call(parent, key)) {
    throw patchRejected(`${op} operation does not apply: doc is missing key: ${path}: missing value`)
  }
  const value = parent[key]!
  delete parent[key]
  return value
}

function addAt(doc: Json, path: string, value: Json, op: string, replace: boolean): void {
  const parts = pointer(path)
  const { parent, key } = parentOf(doc, parts, op, path)
  if (Array.isArray(parent)) {
    const index = arrayIndex(parent, key, op, path, !replace)
    if (replace) parent[index] = value
    else parent.splice(index, 0, value)
  } else {
    if (replace && !Object.prototype.hasOwnProperty.call(parent, key)) {
      throw patchRejected(`replace operation does not apply: doc is missing key: ${path}: missing value`)
    }
    parent[key] = value
  }
}

export function applyJsonPatch(target: JsonObject, body: Json): JsonObject {
  if (!Array.isArray(body)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch')
  const doc = structuredClone(target) as JsonObject
  for (const raw of body) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw badRequest('the server rejected our request due to an error in our request')
    }
    const op = raw as unknown as Operation
    switch (op.op) {
      case 'add':
        addAt(doc, op.path, structuredClone(op.value ?? null), 'add', false)
        break
      case 'replace':
        addAt(doc, op.path, structuredClone(op.value ?? null), 'replace', true)
        break
      case 'remove':
        removeAt(doc, op.path, 'remove')
        break
      case 'move': {
        const value = removeAt(doc, op.from ?? '', 'move')
        addAt(doc, op.path, value, 'move', false)
        break
      }
      case 'copy': {
        const value = getAt(doc, op.from ?? '', 'copy')
        if (value === undefined) throw patchRejected(`copy operation does not apply: doc is missing from path: ${op.from}`)
        addAt(doc, op.path, structuredClone(value), 'copy', false)
        break
      }
      case 'test': {
        const actual = getAt(doc, op.path, 'test')
        if (!isDeepStrictEqual(actual ?? null, op.value ?? null) || (actual === undefined && op.value !== null)) {
          throw patchRejected(`testing value ${op.path} failed: test failed`)
        }
        break
      }
      default:
        throw badRequest(`Unexpected kind: ${op.op}`)
    }
  }
  return doc
}
