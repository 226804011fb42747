import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql'
import type { Fleet } from '../../app/fleet.js'
import type { SystemNodeStatus } from '../../app/system-nodes.service.js'
import type { RequestContext } from '../context.js'
import { SystemNodeStatusType } from './system-node-status.type.js'

@Resolver()
export class ClusterResolver {
  constructor(private readonly fleet: Fleet) {}

  @Authorized('viewer')
  @Query(() => SystemNodeStatusType, { description: 'How many Run:ai system nodes are Ready, with a warning when fewer than two.' })
  systemNodes(
    @Ctx() ctx: RequestContext,
    @Arg('cluster', () => String, { nullable: true, description: 'The cluster; may be left out when there is only one.' }) cluster?: string | null,
  ): SystemNodeStatus {
    return this.fleet.pick(ctx.principal, cluster, 'systemNodes').systemNodes.status(ctx.principal)
  }
}
