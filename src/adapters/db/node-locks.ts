// One writer per node. A node lock belongs to an APPLYING plan: taken, all of a plan's nodes or
// none, in the write that moves the plan to APPLYING (startApply), and released in the write that
// moves it on (transition, finishApply). Its holder dying is handled by the plan's apply lease
// (apply-lease.ts): the replica that takes the plan over inherits its locks, and no other plan
// ever takes a locked node. Both run inside a write transaction, which queues every writer on the
// audit head's row lock first, so the locks read here are the committed ones.
import { insertRows } from './insert-rows.js'
import type { Tx } from './write-transaction.js'

/** Takes every node's lock for the plan in its cluster; the first node another plan holds, or null when all are the plan's now. */
export async function takeNodeLocks(tx: Tx, planId: string, cluster: string, nodes: string[], now: Date): Promise<{ node: string; heldBy: string } | null> {
  const wanted = [...new Set(nodes)].sort()
  const held = await tx.nodeLock.findMany({ where: { cluster, node: { in: wanted } }, orderBy: { node: 'asc' } })
  const conflict = held.find((lock) => lock.planId !== planId)
  if (conflict) return { node: conflict.node, heldBy: conflict.planId }
  const mine = new Set(held.map((lock) => lock.node))
  await insertRows(tx, 'NodeLock', ['cluster', 'node', 'planId', 'acquiredAt'], wanted.filter((node) => !mine.has(node)).map((node) => ({ cluster, node, planId, acquiredAt: now })))
  return null
}

export async function releaseNodeLocks(tx: Tx, planId: string): Promise<void> {
  await tx.nodeLock.deleteMany({ where: { planId } })
}
