// Rows <-> domain plans. JSON columns are text; nothing Prisma-typed leaves this module's callers.
import { addressOf } from '../../domain/change.js'
import type { Taint, TaintEffect } from '../../domain/cluster.js'
import type { Change, ChangeAction, ChangeReason, Impact, NodeInputs, NodeValue, Plan, PlanDraft, PlanKind, PlanStatus } from '../../domain/plan.js'
import type { Plan as PlanRow, PlanChange as ChangeRow } from '../../generated/prisma/client.js'

export type PlanWithChanges = PlanRow & { changes: ChangeRow[] }

export const withChanges = { changes: { orderBy: { index: 'asc' as const } } }

const json = (value: unknown): string => JSON.stringify(value)
const jsonOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value))
const parseOrNull = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T))

export function planRowData(id: string, draft: PlanDraft, status: PlanStatus, now: Date) {
  return {
    id,
    kind: draft.kind,
    status,
    reason: draft.reason,
    createdBy: draft.createdBy,
    createdAt: now,
    updatedAt: now,
    nodes: json(draft.nodes),
    impact: json(draft.impact),
    warnings: json(draft.warnings),
    inputs: json(draft.inputs),
    rollbackOf: draft.rollbackOf,
    rolloutId: draft.rolloutId ?? null,
  }
}

export function changeRowData(change: Change, index: number) {
  return {
    index,
    address: change.address,
    node: change.node,
    resource: change.resource,
    action: change.action,
    before: jsonOrNull(change.before),
    after: jsonOrNull(change.after),
    reason: change.reason,
  }
}

export function toPlan(row: PlanWithChanges): Plan {
  return {
    id: row.id,
    cluster: row.cluster,
    kind: row.kind as PlanKind,
    status: row.status as PlanStatus,
    reason: row.reason,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    approvedBy: row.approvedBy,
    appliedBy: row.appliedBy,
    appliedAt: row.appliedAt,
    nodes: JSON.parse(row.nodes) as string[],
    // Plans stored before the return-to-service counts read as returning nothing.
    impact: { nodesReturningToService: 0, gpusReturningToService: 0, ...(JSON.parse(row.impact) as Partial<Impact>) } as Impact,
    warnings: JSON.parse(row.warnings) as string[],
    inputs: JSON.parse(row.inputs) as NodeInputs[],
    rollbackOf: row.rollbackOf,
    rolloutId: row.rolloutId,
    changes: row.changes.map((c) => ({
      ...toChange(c),
      applied: c.applied,
      error: c.error,
      retry: c.retryAttempt === null || c.retryError === null || c.retryUntil === null ? null : { attempt: c.retryAttempt, error: c.retryError, until: c.retryUntil },
    })),
  }
}

/**
 * A change row as the domain's change. The row keeps the change's target only in its address
 * column (the stored form since the first release), so this is the one place that reads an
 * address: `node/<node>/taint/<key>:<Effect>` or `node/<node>/label/<key>`, the row's node known.
 */
function toChange(c: ChangeRow): Change {
  const common = { node: c.node, action: c.action as ChangeAction, reason: c.reason as ChangeReason }
  const subject = (kind: string): string => {
    const prefix = `node/${c.node}/${kind}/`
    if (!c.address.startsWith(prefix)) throw new Error(`stored change ${c.index} of plan ${c.planId}: address ${c.address} does not name a ${kind} of node ${c.node}`)
    return c.address.slice(prefix.length)
  }
  switch (c.resource) {
    case 'TAINT': {
      const id = subject('taint')
      const colon = id.lastIndexOf(':')
      const target = { node: c.node, key: id.slice(0, colon), effect: id.slice(colon + 1) as TaintEffect }
      return { resource: 'TAINT', target, address: addressOf({ resource: 'TAINT', target }), ...common, before: parseOrNull<Taint>(c.before), after: parseOrNull<Taint>(c.after) }
    }
    case 'LABEL': {
      const target = { node: c.node, key: subject('label') }
      return { resource: 'LABEL', target, address: addressOf({ resource: 'LABEL', target }), ...common, before: parseOrNull<string>(c.before), after: parseOrNull<string>(c.after) }
    }
    case 'NODE': {
      const target = { node: c.node }
      return { resource: 'NODE', target, address: addressOf({ resource: 'NODE', target }), ...common, before: parseOrNull<NodeValue>(c.before), after: parseOrNull<NodeValue>(c.after) }
    }
    default:
      throw new Error(`stored change ${c.index} of plan ${c.planId}: unknown resource ${c.resource}`)
  }
}
