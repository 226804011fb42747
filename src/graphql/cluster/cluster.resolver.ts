import { Authorized, Ctx, Query, Resolver } from 'type-graphql'
import type { SystemNodeStatus, SystemNodesService } from '../../app/system-nodes.service.js'
import type { RequestContext } from '../context.js'
import { SystemNodeStatusType } from './system-node-status.type.js'

@Resolver()
export class ClusterResolver {
  constructor(private readonly systemNodeService: SystemNodesService) {}

  @Authorized('viewer')
  @Query(() => SystemNodeStatusType, { description: 'How many Run:ai system nodes are Ready, with a warning when fewer than two.' })
  systemNodes(@Ctx() ctx: RequestContext): SystemNodeStatus {
    return this.systemNodeService.status(ctx.principal)
  }
}
