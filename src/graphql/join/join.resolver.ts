import { Arg, Authorized, Ctx, Int, Mutation, Resolver } from 'type-graphql'
import type { JoinCommandResult, JoinService } from '../../app/join.service.js'
import type { RequestContext } from '../context.js'
import { JoinCommandType } from './join-command.type.js'

@Resolver()
export class JoinResolver {
  constructor(private readonly join: JoinService) {}

  @Authorized('admin')
  @Mutation(() => JoinCommandType, { description: 'A bootstrap token and the kubeadm join command that (re)joins a machine to the cluster (admin only; ttlHours 1 to 168).' })
  createJoinCommand(
    @Arg('ttlHours', () => Int, { defaultValue: 24, nullable: true }) ttlHours: number,
    @Arg('description', () => String, { nullable: true }) description: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<JoinCommandResult> {
    return this.join.createJoinCommand(ctx.principal, { ttlHours, description })
  }
}
