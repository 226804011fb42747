import { Authorized, Ctx, Query, Resolver } from 'type-graphql'
import type { Principal } from '../../auth.js'
import type { RequestContext } from '../context.js'
import { PrincipalType } from './me.type.js'

@Resolver()
export class MeResolver {
  @Authorized('viewer')
  @Query(() => PrincipalType, { description: 'The caller: subject and role (what a client may offer to do).' })
  me(@Ctx() ctx: RequestContext): Principal {
    return { subject: ctx.principal.subject, role: ctx.principal.role }
  }
}
