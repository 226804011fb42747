// The Kubernetes manifests under deploy/kubernetes, parsed, and the RBAC rules they grant.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'

export const MANIFEST_DIR = join(import.meta.dirname, '..', '..', 'deploy', 'kubernetes')

export interface KubeManifest {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace?: string; [k: string]: unknown }
  [k: string]: any
}

export function loadManifests(dir = MANIFEST_DIR): KubeManifest[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc) => {
        if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`)
        return doc.toJS() as KubeManifest
      }),
    )
    .filter(Boolean)
}

export interface PolicyRule {
  apiGroups: string[]
  resources: string[]
  verbs: string[]
  resourceNames?: string[]
}

/** One rule as granted to a subject: cluster-wide (ClusterRole via ClusterRoleBinding) or in one namespace (Role). */
export interface Grant {
  role: string
  /** null: every namespace and cluster-scoped resources. */
  namespace: string | null
  rule: PolicyRule
}

/** Every rule bound to the ServiceAccount `namespace/name`. */
export function grantsFor(manifests: KubeManifest[], serviceAccount: { namespace: string; name: string }): Grant[] {
  const bindsIt = (m: KubeManifest) =>
    (m.subjects as { kind: string; name: string; namespace?: string }[]).some(
      (s) => s.kind === 'ServiceAccount' && s.name === serviceAccount.name && s.namespace === serviceAccount.namespace,
    )
  const find = (kind: string, name: string, namespace?: string) => {
    const role = manifests.find((m) => m.kind === kind && m.metadata.name === name && m.metadata.namespace === namespace)
    if (!role) throw new Error(`binding refers to a missing ${kind} ${namespace ? `${namespace}/` : ''}${name}`)
    return role
  }
  const grants: Grant[] = []
  for (const binding of manifests.filter((m) => (m.kind === 'ClusterRoleBinding' || m.kind === 'RoleBinding') && bindsIt(m))) {
    const ref = binding.roleRef as { kind: string; name: string }
    const namespace = binding.kind === 'RoleBinding' ? binding.metadata.namespace! : null
    const role = find(ref.kind, ref.name, ref.kind === 'Role' ? namespace! : undefined)
    for (const rule of role.rules as PolicyRule[]) grants.push({ role: `${role.kind}/${role.metadata.name}`, namespace, rule })
  }
  return grants
}

export interface ApiRequest {
  verb: string
  group: string
  resource: string
  subresource: string | null
  namespace: string | null
  name: string | null
}

/** Kubernetes RBAC's match: group, resource (or resource/subresource), verb, and resourceNames (which never cover create, list or watch). */
export function allows(grant: Grant, req: ApiRequest): boolean {
  const { rule } = grant
  if (grant.namespace !== null && grant.namespace !== req.namespace) return false
  const resource = req.subresource ? `${req.resource}/${req.subresource}` : req.resource
  if (!rule.apiGroups.includes(req.group) && !rule.apiGroups.includes('*')) return false
  if (!rule.resources.includes(resource) && !rule.resources.includes('*')) return false
  if (!rule.verbs.includes(req.verb) && !rule.verbs.includes('*')) return false
  if (rule.resourceNames?.length) return req.name !== null && rule.resourceNames.includes(req.name)
  return true
}
