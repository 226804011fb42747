import { Authorized, Ctx, Query, Resolver } from 'type-graphql'
import type { ClusterOverview, FleetOverview } from '../../app/fleet-overview.js'
import type { RequestContext } from '../context.js'
import { ClusterType } from './cluster.type.js'

@Resolver()
export class FleetResolver {
  constructor(private readonly overview: FleetOverview) {}

  @Authorized('viewer')
  @Query(() => [ClusterType], { description: "Every cluster the caller may see, in the clusters file's order." })
  clusters(@Ctx() ctx: RequestContext): Promise<ClusterOverview[]> {
    return this.overview.clusters(ctx.principal)
  }
}
