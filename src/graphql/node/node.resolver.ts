import { Arg, Authorized, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql'
import type { Fleet } from '../../app/fleet.js'
import { noteRead } from '../cluster-reads.js'
import type { RequestContext } from '../context.js'
import { NodeFilterInput } from './node-filter.input.js'
import { NodeType } from './node.type.js'
import { toNodeType } from './node.mapper.js'
import { PlanType } from '../plan/plan.type.js'
import { firstArg } from '../pagination.js'
import { KeptAsTextList } from '../kept-as-text.js'
import { pageCost, wholeCollectionCost } from '../limits.js'

const CLUSTER_ARG = { nullable: true, description: 'The cluster; left out: every cluster the caller may see.' } as const

@Resolver(() => NodeType)
export class NodeResolver {
  constructor(private readonly fleet: Fleet) {}

  @Authorized('viewer')
  @KeptAsTextList()
  @Query(() => [NodeType], { complexity: wholeCollectionCost, description: 'Nodes of the cluster, sorted by name, from the informer cache; across clusters, cluster by cluster in the clusters file\'s order.' })
  nodes(
    @Arg('filter', () => NodeFilterInput, { nullable: true }) filter: NodeFilterInput | null | undefined,
    @Arg('cluster', () => String, CLUSTER_ARG) cluster: string | null | undefined,
    @Ctx() ctx: RequestContext,
  ): NodeType[] {
    const clusters = this.fleet.scope(ctx.principal, cluster)
    if (this.fleet.guardsReachability) for (const c of clusters) noteRead(ctx, c)
    if (clusters.length === 1) return clusters[0]!.inventory.nodes(filter ?? {}).map((n) => toNodeType(n, clusters[0]!.name))
    // Across clusters, one whose first list has not arrived has nothing to show (`clusters` says why).
    return clusters.filter((c) => c.cache.synced()).flatMap((c) => c.inventory.nodes(filter ?? {}).map((n) => toNodeType(n, c.name)))
  }

  @Authorized('viewer')
  @Query(() => NodeType, { nullable: true, description: 'One node by name; null when the cluster has no such node.' })
  node(
    @Arg('name', () => String) name: string,
    @Arg('cluster', () => String, { nullable: true, description: 'The cluster; may be left out when there is only one.' }) cluster: string | null | undefined,
    @Ctx() ctx: RequestContext,
  ): NodeType | null {
    const c = this.fleet.pick(ctx.principal, cluster, 'node')
    if (this.fleet.guardsReachability) noteRead(ctx, c)
    const node = c.inventory.node(name)
    return node ? toNodeType(node, c.name) : null
  }

  @FieldResolver(() => [PlanType], { complexity: pageCost, description: 'Plans that touch this node, newest first.' })
  async plans(@Root() node: NodeType, @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number): Promise<PlanType[]> {
    const cluster = this.fleet.clusters.find((c) => c.name === node.cluster)!
    return cluster.plans.forNode(node.name, firstArg(first)) as Promise<PlanType[]>
  }
}
