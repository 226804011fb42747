// Rows <-> domain plans. JSON columns are text; nothing Prisma-typed leaves this module's callers.
import type { Change, Impact, NodeInputs, Plan, PlanDraft, PlanKind, PlanStatus, ChangeAction, ChangeReason, ResourceType } from '../../domain/plan.js'
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
    changes: row.changes.map((c) => ({
      address: c.address,
      node: c.node,
      resource: c.resource as ResourceType,
      action: c.action as ChangeAction,
      before: parseOrNull<Change['before']>(c.before),
      after: parseOrNull<Change['after']>(c.after),
      reason: c.reason as ChangeReason,
      applied: c.applied,
      error: c.error,
      retry: c.retryAttempt === null || c.retryError === null || c.retryUntil === null ? null : { attempt: c.retryAttempt, error: c.retryError, until: c.retryUntil },
    })),
  }
}
