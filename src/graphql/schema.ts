import type { GraphQLSchema } from 'graphql'
import { buildSchema, type PubSub, type ResolverData } from 'type-graphql'
import { roleAtLeast, type Role } from '../auth.js'
import { NodeplanError } from '../domain/errors.js'
import { validateArgument } from './argument-validation.js'
import { AuditResolver } from './audit/audit.resolver.js'
import { AuditVerifyResolver } from './audit/verify.resolver.js'
import { ClusterResolver } from './cluster/cluster.resolver.js'
import { FleetResolver } from './cluster/fleet.resolver.js'
import type { RequestContext } from './context.js'
import { JoinResolver } from './join/join.resolver.js'
import { MeResolver } from './me/me.resolver.js'
import { NodeResolver } from './node/node.resolver.js'
import { PlanResolver } from './plan/plan.resolver.js'
import { ProgressResolver } from './progress/progress.resolver.js'
import { scalarsMap } from './scalars.js'
import { SignalResolver } from './signal/signal.resolver.js'
import { RolloutProgressResolver } from './rollout/rollout-progress.resolver.js'
import { RolloutResolver, RolloutWaveResolver } from './rollout/rollout.resolver.js'

export const RESOLVERS = [NodeResolver, PlanResolver, AuditResolver, AuditVerifyResolver, JoinResolver, ClusterResolver, FleetResolver, ProgressResolver, MeResolver, SignalResolver, RolloutResolver, RolloutWaveResolver, RolloutProgressResolver] as const

/** Resolver instances by class; built once by the composition root. */
export type ResolverInstances = Map<Function, object>

// An arrow function: type-graphql treats anything with a prototype as a class to instantiate.
const authChecker = ({ context }: ResolverData<RequestContext>, roles: string[]): boolean => {
  const need = (roles[0] ?? 'viewer') as Role
  if (!roleAtLeast(context.principal.role, need)) {
    throw new NodeplanError('FORBIDDEN', `${context.principal.subject} (${context.principal.role}) may not do this: it needs the ${need} role or higher`)
  }
  return true
}

// Every subscription brings its own subscribe function; type-graphql still asks for a PubSub.
const noPubSub: PubSub = {
  publish() {
    throw new Error('nodeplan subscriptions do not use topics')
  },
  subscribe() {
    throw new Error('nodeplan subscriptions do not use topics')
  },
}

// Resolvers without dependencies, built here rather than by the composition root.
const STATELESS = new Map<Function, object>([
  [ProgressResolver, new ProgressResolver()],
  [MeResolver, new MeResolver()],
  [RolloutProgressResolver, new RolloutProgressResolver()],
])

export function buildNodeplanSchema(instances: ResolverInstances = new Map()): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [...RESOLVERS],
    scalarsMap,
    authChecker,
    validateFn: validateArgument,
    pubSub: noPubSub,
    container: {
      get: (cls: Function) => {
        const instance = instances.get(cls) ?? STATELESS.get(cls)
        if (!instance) throw new Error(`no resolver instance for ${cls.name}`)
        return instance
      },
    },
  })
}
