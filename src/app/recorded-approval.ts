import { NodeplanError } from '../domain/errors.js'
import type { Plan } from '../domain/plan.js'
import type { Policy } from './policy.js'
import type { AuditRepository } from './ports.js'

/**
 * A plan marked approved must have the plan.approved event nodeplan wrote in the same transaction
 * as the approval, by the approver it names: a status or approvedBy set in the database alone is
 * not an approval. (With the audit key that event cannot be forged either; see README.) Checked
 * before an apply starts and before one is resumed.
 */
export class RecordedApproval {
  constructor(
    private readonly audit: Pick<AuditRepository, 'approvalOf'>,
    private readonly policy: Pick<Policy, 'requireApproval'>,
  ) {}

  async require(plan: Plan): Promise<void> {
    if (plan.status !== 'APPROVED' && plan.approvedBy == null && !this.policy.requireApproval.includes(plan.kind)) return
    const approval = await this.audit.approvalOf(plan.id)
    if (approval && plan.approvedBy && approval.actor === plan.approvedBy && approval.actor !== plan.createdBy) return
    throw new NodeplanError(
      'APPROVAL_REQUIRED',
      `plan ${plan.id} (${plan.kind}) is marked approved${plan.approvedBy ? ` by ${plan.approvedBy}` : ''}, but the audit trail holds no plan.approved event that nodeplan recorded for that approval: it was not approved through nodeplan. Discard the plan and plan again.`,
      { planId: plan.id },
    )
  }
}
