import { Authorized, Ctx, Query, Resolver } from 'type-graphql'
import type { AuditService } from '../../app/audit.service.js'
import type { RequestContext } from '../context.js'
import { AuditVerificationType } from './verify-result.type.js'

@Resolver()
export class AuditVerifyResolver {
  constructor(private readonly audit: AuditService) {}

  @Authorized('admin')
  @Query(() => AuditVerificationType, {
    description: 'Walk the audit trail\'s hash chain and report the first event that was edited, inserted or removed, or a head moved outside nodeplan (admin only).',
  })
  async verifyAuditTrail(@Ctx() ctx: RequestContext): Promise<AuditVerificationType> {
    const { checked, firstBroken, problem, keyed } = await this.audit.verify(ctx.principal)
    if (problem === null) return { ok: true, checked, firstBrokenId: null, firstBrokenAt: null, message: null, keyed }
    return {
      ok: false,
      checked,
      firstBrokenId: firstBroken?.id ?? null,
      firstBrokenAt: firstBroken?.at ?? null,
      message: `the audit trail is broken: ${problem}; ${checked} events checked`,
      keyed,
    }
  }
}
