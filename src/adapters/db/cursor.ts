// Opaque page cursors: base64url text a client hands back unchanged.
import { NodeplanError } from '../../domain/errors.js'

const badCursor = (cursor: string) =>
  new NodeplanError('BAD_USER_INPUT', `after: "${cursor.slice(0, 80)}" is not a cursor this list returned`, { field: 'after' })

export function auditCursor(seq: number): string {
  return Buffer.from(`audit:${seq}`).toString('base64url')
}

export function decodeAuditCursor(cursor: string): number {
  const match = /^audit:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString())
  if (!match) throw badCursor(cursor)
  return Number(match[1])
}

export interface PlanPosition {
  createdAt: Date
  id: string
}

export function planCursor(position: PlanPosition): string {
  return Buffer.from(`plan:${position.createdAt.getTime()}:${position.id}`).toString('base64url')
}

export function decodePlanCursor(cursor: string): PlanPosition {
  const match = /^plan:(\d{1,15}):(plan-[a-z2-7]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString())
  if (!match) throw badCursor(cursor)
  return { createdAt: new Date(Number(match[1])), id: match[2]! }
}
