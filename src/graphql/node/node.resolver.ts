import { Arg, Authorized, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql'
import type { InventoryService } from '../../app/inventory.service.js'
import type { PlanService } from '../../app/plan.service.js'
import { NodeFilterInput } from './node-filter.input.js'
import { NodeType } from './node.type.js'
import { toNodeType } from './node.mapper.js'
import { PlanType } from '../plan/plan.type.js'
import { firstArg } from '../pagination.js'
import { KeptAsTextList } from '../kept-as-text.js'
import { pageCost, wholeCollectionCost } from '../limits.js'

@Resolver(() => NodeType)
export class NodeResolver {
  constructor(
    private readonly inventory: InventoryService,
    private readonly planService: PlanService,
  ) {}

  @Authorized('viewer')
  @KeptAsTextList()
  @Query(() => [NodeType], { complexity: wholeCollectionCost, description: 'Nodes of the cluster, sorted by name, from the informer cache.' })
  nodes(@Arg('filter', () => NodeFilterInput, { nullable: true }) filter?: NodeFilterInput | null): NodeType[] {
    return this.inventory.nodes(filter ?? {}).map(toNodeType)
  }

  @Authorized('viewer')
  @Query(() => NodeType, { nullable: true, description: 'One node by name; null when the cluster has no such node.' })
  node(@Arg('name', () => String) name: string): NodeType | null {
    const node = this.inventory.node(name)
    return node ? toNodeType(node) : null
  }

  @FieldResolver(() => [PlanType], { complexity: pageCost, description: 'Plans that touch this node, newest first.' })
  async plans(@Root() node: NodeType, @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number): Promise<PlanType[]> {
    return this.planService.forNode(node.name, firstArg(first)) as Promise<PlanType[]>
  }
}
