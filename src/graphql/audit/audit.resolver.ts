import { Arg, Authorized, Ctx, Int, Query, Resolver } from 'type-graphql'
import type { AuditService } from '../../app/audit.service.js'
import type { RequestContext } from '../context.js'
import { firstArg, toConnection } from '../pagination.js'
import { AuditEventConnectionType } from './audit-event.type.js'
import { AuditFilterInput } from './audit-filter.input.js'
import { pageCost } from '../limits.js'

@Resolver()
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Authorized('viewer')
  @Query(() => AuditEventConnectionType, { complexity: pageCost, description: 'The audit trail, newest first.' })
  async auditEvents(
    @Arg('filter', () => AuditFilterInput, { nullable: true }) filter: AuditFilterInput | null,
    @Arg('first', () => Int, { defaultValue: 50, nullable: true }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: RequestContext,
  ) {
    return toConnection(await this.audit.list(ctx.principal, filter ?? {}, firstArg(first), after))
  }
}
