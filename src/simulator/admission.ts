// Admission: what the API server fills in and checks on a write made through the API (defaults,
// generated names, uids, timestamps; taint and label validation; fields an update may not change).
import { DEFAULT_TOLERATIONS, pendingStatus } from './pod-object.js'
import type { ResourceType } from './resources.js'
import type { Taint, Toleration } from './scheduling.js'
import { taintsOf } from './scheduling.js'
import type { SimContext } from './sim-context.js'
import { badRequest, forbidden, invalid, notFound, type InvalidCause } from './status.js'
import type { KubeObject } from './store.js'

const apiVersionOf = (type: ResourceType): string => (type.group ? `${type.group}/${type.version}` : type.version)

export class Admission {
  constructor(private readonly ctx: SimContext) {}

  /** Fills what the API server fills on create: uid, timestamps, generated names, defaults. */
  admitCreate(type: ResourceType, obj: KubeObject, namespace: string | undefined): KubeObject {
    if (type.plural === 'leases') checkLeaseTimes(obj)
    const meta = { ...obj.metadata }
    if (!meta.name && meta.generateName) meta.name = this.ctx.generatedName(this.ctx.store(type), namespace ?? meta.namespace, meta.generateName)
    if (!meta.name) {
      throw invalid({ group: type.group, kind: type.kind }, '', [
        { reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' },
      ])
    }
    if (type.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request')
      }
      meta.namespace = namespace ?? meta.namespace ?? 'default'
      const ns = this.ctx.namespaces.get(undefined, meta.namespace)
      if (!ns) throw notFound({ group: '', plural: 'namespaces' }, meta.namespace)
      if (ns.status?.phase === 'Terminating') {
        throw forbidden(`${type.plural} "${meta.name}" is forbidden: unable to create new content in namespace ${meta.namespace} because it is being terminated`)
      }
    } else delete meta.namespace
    meta.uid = this.ctx.random.uuid()
    meta.creationTimestamp = this.ctx.clock.timestamp()
    delete meta.resourceVersion
    let out: KubeObject = { ...obj, apiVersion: apiVersionOf(type), kind: type.kind, metadata: meta }
    if (type.plural === 'nodes') out = this.admitNode(out, null, 'main')
    if (type.plural === 'pods') {
      out = {
        ...out,
        spec: { schedulerName: 'default-scheduler', ...out.spec, tolerations: withDefaultTolerations(out.spec?.tolerations ?? []) },
        status: pendingStatus(meta.creationTimestamp),
      }
    }
    if (type.plural === 'secrets') out = normaliseSecret(out)
    if (type.plural === 'namespaces') {
      out = { ...out, metadata: { ...out.metadata, labels: { ...out.metadata.labels, 'kubernetes.io/metadata.name': meta.name } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }
    }
    return out
  }

  /** Keeps what an update may not change, per resource and subresource. */
  admitUpdate(type: ResourceType, obj: KubeObject, old: KubeObject, subresource: 'main' | 'status'): KubeObject {
    if (type.plural === 'leases') checkLeaseTimes(obj)
    const meta = {
      ...obj.metadata,
      name: old.metadata.name,
      uid: old.metadata.uid,
      creationTimestamp: old.metadata.creationTimestamp,
      ...(old.metadata.namespace ? { namespace: old.metadata.namespace } : {}),
    }
    let out: KubeObject = { ...obj, apiVersion: apiVersionOf(type), kind: type.kind, metadata: meta }
    const hasStatus = type.subresources.some((s) => s.name === 'status')
    if (hasStatus && subresource === 'main') out.status = old.status
    if (subresource === 'status') out = { ...old, status: out.status, metadata: { ...old.metadata } }
    if (type.plural === 'nodes') out = this.admitNode(out, old, subresource)
    if (type.plural === 'secrets') out = normaliseSecret(out)
    if (type.plural === 'pods' && subresource === 'main') {
      out.spec = { ...old.spec, ...pickMutablePodSpec(out.spec) }
    }
    return out
  }

  private admitNode(node: KubeObject, old: KubeObject | null, _subresource: string): KubeObject {
    const taints = node.spec?.taints as Taint[] | undefined | null
    const causes: InvalidCause[] = []
    validateLabels(node.metadata.labels, causes)
    if (taints === null || (Array.isArray(taints) && taints.length === 0)) {
      const { taints: _drop, ...spec } = node.spec ?? {}
      return causes.length ? failInvalid(node, causes) : { ...node, spec }
    }
    if (taints === undefined) return causes.length ? failInvalid(node, causes) : node
    if (!Array.isArray(taints)) {
      causes.push({ reason: 'FieldValueInvalid', field: 'spec.taints', message: 'Invalid value: must be a list' })
      return failInvalid(node, causes)
    }
    const seen = new Set<string>()
    const oldTaints = old ? taintsOf(old) : []
    const now = this.ctx.clock.timestamp()
    const normalised = taints.map((taint, i) => {
      const field = `spec.taints[${i}]`
      if (!taint || typeof taint.key !== 'string' || taint.key === '') {
        causes.push({ reason: 'FieldValueRequired', field: `${field}.key`, message: 'Required value' })
        return taint
      }
      if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(taint.effect)) {
        causes.push({
          reason: 'FieldValueNotSupported',
          field: `${field}.effect`,
          message: `Unsupported value: "${taint.effect ?? ''}": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"`,
        })
        return taint
      }
      const id = `${taint.key}:${taint.effect}`
      if (seen.has(id)) {
        causes.push({
          reason: 'FieldValueDuplicate',
          field,
          message: `Duplicate value: ${JSON.stringify({ key: taint.key, value: taint.value ?? '', effect: taint.effect })}: taints must be unique by key and effect pair`,
        })
      }
      seen.add(id)
      const clean: Taint = { key: taint.key, ...(taint.value ? { value: taint.value } : {}), effect: taint.effect }
      if (taint.effect === 'NoExecute') {
        // The API server stamps NoExecute taints; an unchanged taint keeps its original time.
        const before = oldTaints.find((t) => t.key === taint.key && t.effect === taint.effect && (t.value ?? '') === (taint.value ?? ''))
        clean.timeAdded = taint.timeAdded ?? before?.timeAdded ?? now
      }
      return clean
    })
    if (causes.length) return failInvalid(node, causes)
    return { ...node, spec: { ...node.spec, taints: normalised } }
  }
}

/**
 * A Lease's times are MicroTime: RFC 3339 with exactly six fractional digits. The real API server
 * refuses anything else while decoding the body (400), e.g. a JavaScript Date's three.
 */
function checkLeaseTimes(lease: KubeObject): void {
  for (const field of ['acquireTime', 'renewTime'] as const) {
    const value = (lease.spec as Record<string, unknown> | undefined)?.[field]
    if (value !== undefined && value !== null && (typeof value !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/.test(value))) {
      throw badRequest(`Lease in version "v1" cannot be handled as a Lease: parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05.000000Z07:00": cannot parse MicroTime`)
    }
  }
}

/** The DefaultTolerationSeconds admission plugin: 300 s for not-ready/unreachable unless the pod says otherwise. */
function withDefaultTolerations(tolerations: Toleration[]): Toleration[] {
  const out = [...tolerations]
  for (const d of DEFAULT_TOLERATIONS) {
    const covered = tolerations.some((t) => (t.key === d.key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'))
    if (!covered) out.push(d)
  }
  return out
}

function failInvalid(node: KubeObject, causes: InvalidCause[]): never {
  throw invalid({ group: '', kind: 'Node' }, node.metadata.name, causes)
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

function validateLabels(labels: Record<string, string> | undefined, causes: InvalidCause[]): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'metadata.labels',
        message: `Invalid value: "${String(value)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      })
    }
    if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(key) || key.length > 316) {
      causes.push({ reason: 'FieldValueInvalid', field: 'metadata.labels', message: `Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.'` })
    }
  }
}

/** Secrets store `data` base64-encoded; `stringData` is merged in on write, as the API server does. */
function normaliseSecret(secret: KubeObject): KubeObject {
  const { stringData, ...rest } = secret as KubeObject & { stringData?: Record<string, string> }
  const data: Record<string, string> = { ...((rest.data ?? {}) as Record<string, string>) }
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
      throw badRequest(`Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0 (key ${k})`)
    }
  }
  for (const [k, v] of Object.entries(stringData ?? {})) data[k] = Buffer.from(String(v)).toString('base64')
  return { ...rest, type: rest.type ?? 'Opaque', ...(Object.keys(data).length ? { data } : {}) }
}

function pickMutablePodSpec(spec: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of ['activeDeadlineSeconds', 'tolerations', 'terminationGracePeriodSeconds']) if (spec && k in spec) out[k] = spec[k]
  return out
}
