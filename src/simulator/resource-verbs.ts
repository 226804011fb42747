// The REST verbs on a resource: get, list, watch, create, update, patch, delete, deletecollection,
// and the eviction subresource, with dry runs, preconditions and the API server's answers.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { isDeepStrictEqual } from 'node:util'
import type { Route } from './api-server.js'
import { applyPatch, checkPatchType, type Json } from './patch.js'
import { readJson } from './request-body.js'
import { apiVersionOf, RESOURCES, type ResourceType } from './resources.js'
import { filtered, sendTable, serveList, wantsTable, watch } from './resource-reads.js'
import { sendJson } from './responses.js'
import type { Simulation } from './simulation.js'
import { ApiError, badRequest, conflict, methodNotAllowed, successStatus, unknownRoute } from './status.js'
import type { KubeObject } from './store.js'

export async function serveResource(sim: Simulation, req: IncomingMessage, res: ServerResponse, url: URL, route: Route, verb: string): Promise<void> {
  const { type, namespace, name, subresource } = route
  const store = sim.store(type)
  const allowed = subresource ? type.subresources.find((s) => s.name === subresource) : undefined
  if (subresource && !allowed) throw unknownRoute()
  if (!(subresource ? allowed!.verbs : type.verbs).includes(verb)) throw methodNotAllowed()

  if (type.plural === 'pods' && subresource === 'eviction') {
    const body = (await readJson(req)) as { metadata?: { name?: string } } | null
    if (body?.metadata?.name && body.metadata.name !== name) throw badRequest(`name in URL does not match name in Eviction object`)
    sim.evict(namespace!, name!)
    return sendJson(res, 201, successStatus(201))
  }

  switch (verb) {
    case 'get': {
      const obj = store.mustGet(namespace, name!)
      if (wantsTable(req)) return sendTable(res, type, [obj], sim, url, null)
      return sendJson(res, 200, obj)
    }
    case 'list':
      return serveList(req, res, url, store, namespace, sim)
    case 'watch':
      return watch(req, res, url, store, namespace, sim)
    case 'create': {
      const body = asObject(await readJson(req), type)
      const obj = sim.admitCreate(type, body, namespace)
      if (isDryRun(url)) return sendJson(res, 201, obj)
      return sendJson(res, 201, store.create(obj))
    }
    case 'update': {
      const body = asObject(await readJson(req), type)
      if (body.metadata?.name && body.metadata.name !== name) {
        throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`)
      }
      const old = store.mustGet(namespace, name!)
      const next = sim.admitUpdate(type, { ...body, metadata: { ...body.metadata, name: name! } }, old, subresource === 'status' ? 'status' : 'main')
      const expected = body.metadata?.resourceVersion
      if (isDryRun(url)) return sendJson(res, 200, next)
      if (expected && expected !== old.metadata.resourceVersion) throw conflict(type, name!)
      return sendJson(res, 200, unchanged(next, old) ? old : store.update(next, expected || undefined))
    }
    case 'patch': {
      const contentType = req.headers['content-type'] ?? ''
      checkPatchType(contentType)
      const body = (await readJson(req)) as Json
      const old = store.mustGet(namespace, name!)
      const patched = applyPatch(old as unknown as { [key: string]: Json }, contentType, body) as unknown as KubeObject
      if (!patched.metadata || typeof patched.metadata !== 'object') throw badRequest('metadata must be an object')
      if (patched.metadata.name !== undefined && patched.metadata.name !== name) {
        throw badRequest(`the name of the object (${String(patched.metadata.name)}) does not match the name on the URL (${name})`)
      }
      // A resourceVersion in the patch is a precondition, as with an update.
      const patchRv = patched.metadata.resourceVersion
      const expected = patchRv !== old.metadata.resourceVersion ? (patchRv ?? undefined) : undefined
      if (expected !== undefined && expected !== old.metadata.resourceVersion) throw conflict(type, name!)
      const next = sim.admitUpdate(type, { ...patched, metadata: { ...patched.metadata, name: name! } }, old, subresource === 'status' ? 'status' : 'main')
      if (isDryRun(url)) return sendJson(res, 200, next)
      return sendJson(res, 200, unchanged(next, old) ? old : store.update(next, old.metadata.resourceVersion))
    }
    case 'delete': {
      const body = (await readJson(req)) as { preconditions?: { uid?: string; resourceVersion?: string } } | null
      const old = store.mustGet(namespace, name!)
      const pre = body?.preconditions
      if (pre?.uid && pre.uid !== old.metadata.uid) {
        throw new ApiError(409, 'Conflict', `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`, {
          name,
          kind: type.plural,
        })
      }
      if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
        throw new ApiError(409, 'Conflict', `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`, {
          name,
          kind: type.plural,
        })
      }
      if (isDryRun(url)) return sendJson(res, 200, old)
      if (type.plural === 'namespaces') {
        // Terminating first, so no controller recreates what the namespace deletion removes.
        store.update({ ...old, metadata: { ...old.metadata, deletionTimestamp: sim.clock.timestamp() }, status: { phase: 'Terminating' } })
        for (const t of RESOURCES) if (t.namespaced) for (const o of sim.store(t).list(name)) sim.store(t).delete(name, o.metadata.name)
      }
      const deleted = store.delete(namespace, name!)
      // Pods and namespaces answer with the object; nodes, like most, with a Success Status (test/real/differential.test.ts).
      return sendJson(res, 200, type.plural === 'pods' || type.plural === 'namespaces' ? deleted : successStatus(200, { name, kind: type.plural, uid: deleted.metadata.uid }))
    }
    case 'deletecollection': {
      const items = filtered(store, namespace, url, type)
      if (!isDryRun(url)) for (const o of items) store.delete(o.metadata.namespace, o.metadata.name)
      return sendJson(res, 200, { kind: `${type.kind}List`, apiVersion: apiVersionOf(type), metadata: { resourceVersion: String(sim.revision.current()) }, items })
    }
    default:
      throw methodNotAllowed()
  }
}

/** A write that changes nothing is not stored: the resourceVersion stays, no watch event is sent. */
function unchanged(next: KubeObject, old: KubeObject): boolean {
  const { resourceVersion: _a, ...nextMeta } = next.metadata
  const { resourceVersion: _b, ...oldMeta } = old.metadata
  return isDeepStrictEqual({ ...next, metadata: nextMeta }, { ...old, metadata: oldMeta })
}

function asObject(body: unknown, type: ResourceType): KubeObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(body)}'`)
  const obj = body as KubeObject
  if (obj.kind !== undefined && obj.kind !== type.kind) {
    throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(type)})`)
  }
  return { ...obj, metadata: { ...(obj.metadata ?? {}) } as KubeObject['metadata'] }
}

const isDryRun = (url: URL): boolean => url.searchParams.getAll('dryRun').includes('All')
