// Input checks for plan requests. Every refusal is BAD_USER_INPUT naming the node or field.
import type { NodeState } from './cluster.js'
import { NodeplanError } from './errors.js'
import { NODE_ROLES, type NodeRole } from './roles.js'

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
export const MAX_REASON_LENGTH = 1000

/** A valid Kubernetes node name: an RFC 1123 DNS subdomain of at most 253 characters. */
export function isValidNodeName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && DNS_SUBDOMAIN.test(name)
}

/**
 * The requested nodes: at least one, valid names, no duplicates, and (unless `mustExist` is false)
 * each one known in `nodes`.
 */
export function checkNodes(requested: readonly string[], known: ReadonlyMap<string, NodeState>, mustExist = true): void {
  if (requested.length === 0) throw new NodeplanError('BAD_USER_INPUT', 'nodes: name at least one node', { field: 'nodes' })
  const seen = new Set<string>()
  for (const name of requested) {
    if (!isValidNodeName(name)) {
      throw new NodeplanError(
        'BAD_USER_INPUT',
        `nodes: "${name}" is not a valid node name (lower-case letters, digits, "-" and ".", at most 253 characters)`,
        { field: 'nodes', node: name },
      )
    }
    if (seen.has(name)) throw new NodeplanError('BAD_USER_INPUT', `nodes: "${name}" is named twice`, { field: 'nodes', node: name })
    seen.add(name)
    if (mustExist && !known.has(name)) {
      throw new NodeplanError('BAD_USER_INPUT', `nodes: there is no node "${name}" in the cluster (kubectl get nodes lists them)`, {
        field: 'nodes',
        node: name,
      })
    }
  }
}

export function checkReason(reason: string): void {
  if (reason.trim() === '') throw new NodeplanError('BAD_USER_INPUT', 'reason: say why (it is kept in the audit trail)', { field: 'reason' })
  if (reason.length > MAX_REASON_LENGTH) {
    throw new NodeplanError('BAD_USER_INPUT', `reason: at most ${MAX_REASON_LENGTH} characters (got ${reason.length})`, { field: 'reason' })
  }
}

export function checkRoles(roles: readonly string[]): asserts roles is readonly NodeRole[] {
  const seen = new Set<string>()
  for (const role of roles) {
    if (!(NODE_ROLES as readonly string[]).includes(role)) {
      throw new NodeplanError('BAD_USER_INPUT', `roles: "${role}" is not a role (one of ${NODE_ROLES.join(', ')})`, { field: 'roles' })
    }
    if (seen.has(role)) throw new NodeplanError('BAD_USER_INPUT', `roles: ${role} is named twice`, { field: 'roles' })
    seen.add(role)
  }
}
