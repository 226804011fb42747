import { Authorized, Ctx, Query, Resolver } from 'type-graphql'
import { DEFAULT_POLICY, type Policy } from '../../app/policy.js'
import type { Fleet } from '../../app/fleet.js'
import type { Principal, Role } from '../../auth.js'
import type { RequestContext } from '../context.js'
import { PrincipalType } from './me.type.js'

@Resolver()
export class MeResolver {
  constructor(
    private readonly policy: Pick<Policy, 'approverRole'> = DEFAULT_POLICY,
    private readonly fleet: Pick<Fleet, 'limits'> | null = null,
  ) {}

  @Authorized('viewer')
  @Query(() => PrincipalType, { description: 'The caller: subject and role (what a client may offer to do).' })
  me(@Ctx() ctx: RequestContext): Principal & { approverRole: Role; clusters: readonly string[] | null } {
    return { subject: ctx.principal.subject, role: ctx.principal.role, approverRole: this.policy.approverRole, clusters: this.fleet?.limits(ctx.principal) ?? null }
  }
}
