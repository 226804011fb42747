import { Arg, Authorized, Ctx, Int, Mutation, Resolver } from 'type-graphql'
import type { Fleet } from '../../app/fleet.js'
import type { JoinCommandResult } from '../../app/join.service.js'
import type { RequestContext } from '../context.js'
import { JoinCommandType } from './join-command.type.js'

@Resolver()
export class JoinResolver {
  constructor(private readonly fleet: Fleet) {}

  @Authorized('admin')
  @Mutation(() => JoinCommandType, { description: 'A bootstrap token and the kubeadm join command that (re)joins a machine to the cluster (admin only; ttlHours 1 to 168).' })
  createJoinCommand(
    @Arg('ttlHours', () => Int, { defaultValue: 24, nullable: true }) ttlHours: number,
    @Arg('description', () => String, { nullable: true }) description: string | null,
    @Ctx() ctx: RequestContext,
    @Arg('cluster', () => String, { nullable: true, description: 'The cluster to join; may be left out when there is only one.' }) cluster?: string | null,
  ): Promise<JoinCommandResult> {
    return this.fleet.reachable(ctx.principal, cluster, 'createJoinCommand').join.createJoinCommand(ctx.principal, { ttlHours, description })
  }
}
