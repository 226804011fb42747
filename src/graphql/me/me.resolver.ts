import { Authorized, Ctx, Query, Resolver } from 'type-graphql'
import { DEFAULT_POLICY, type Policy } from '../../app/policy.js'
import type { Principal, Role } from '../../auth.js'
import type { RequestContext } from '../context.js'
import { PrincipalType } from './me.type.js'

@Resolver()
export class MeResolver {
  constructor(private readonly policy: Pick<Policy, 'approverRole'> = DEFAULT_POLICY) {}

  @Authorized('viewer')
  @Query(() => PrincipalType, { description: 'The caller: subject and role (what a client may offer to do).' })
  me(@Ctx() ctx: RequestContext): Principal & { approverRole: Role } {
    return { subject: ctx.principal.subject, role: ctx.principal.role, approverRole: this.policy.approverRole }
  }
}
