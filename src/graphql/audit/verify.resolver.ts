import { Authorized, Ctx, Query, Resolver } from 'type-graphql'
import type { AuditService } from '../../app/audit.service.js'
import type { RequestContext } from '../context.js'
import { AuditVerificationType } from './verify-result.type.js'

@Resolver()
export class AuditVerifyResolver {
  constructor(private readonly audit: AuditService) {}

  @Authorized('admin')
  @Query(() => AuditVerificationType, {
    description: 'Walk the audit trail\'s hash chain and report the first event that was edited, inserted or removed (admin only).',
  })
  async verifyAuditTrail(@Ctx() ctx: RequestContext): Promise<AuditVerificationType> {
    const { checked, firstBroken } = await this.audit.verify(ctx.principal)
    if (!firstBroken) return { ok: true, checked, firstBrokenId: null, firstBrokenAt: null, message: null }
    return {
      ok: false,
      checked,
      firstBrokenId: firstBroken.id,
      firstBrokenAt: firstBroken.at,
      message: `the audit trail is broken at event ${firstBroken.id} (#${firstBroken.seq}, ${firstBroken.action}): it was edited, or an event next to it was inserted or removed; ${checked} events checked`,
    }
  }
}
