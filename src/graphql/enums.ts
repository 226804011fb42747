import { registerEnumType } from 'type-graphql'

// GraphQL enums mirror the domain's string unions; the domain never imports type-graphql.
// Keys are the GraphQL names; values are what the domain uses.

export enum NodeRoleEnum {
  SYSTEM = 'SYSTEM',
  GPU_WORKER = 'GPU_WORKER',
  CPU_WORKER = 'CPU_WORKER',
}
registerEnumType(NodeRoleEnum, { name: 'NodeRole', description: 'A Run:ai role, held as a node-role.kubernetes.io/runai-* label.' })

export enum TaintEffectEnum {
  NO_SCHEDULE = 'NoSchedule',
  PREFER_NO_SCHEDULE = 'PreferNoSchedule',
  NO_EXECUTE = 'NoExecute',
}
registerEnumType(TaintEffectEnum, { name: 'TaintEffect' })

export enum WorkloadKindEnum {
  TRAINING = 'TRAINING',
  INTERACTIVE = 'INTERACTIVE',
  INFERENCE = 'INFERENCE',
  BUILD = 'BUILD',
  SYSTEM = 'SYSTEM',
  OTHER = 'OTHER',
}
registerEnumType(WorkloadKindEnum, { name: 'WorkloadKind' })

export enum RelocationEnum {
  AUTOMATIC = 'AUTOMATIC',
  MANUAL = 'MANUAL',
  NOT_AFFECTED = 'NOT_AFFECTED',
}
registerEnumType(RelocationEnum, { name: 'Relocation', description: 'What happens to a workload when its node is drained.' })

export enum PlanKindEnum {
  DRAIN = 'DRAIN',
  UNDRAIN = 'UNDRAIN',
  DECOMMISSION = 'DECOMMISSION',
  REJOIN = 'REJOIN',
  RELABEL = 'RELABEL',
  ROLLBACK = 'ROLLBACK',
}
registerEnumType(PlanKindEnum, { name: 'PlanKind' })

export enum PlanStatusEnum {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  APPLYING = 'APPLYING',
  APPLIED = 'APPLIED',
  FAILED = 'FAILED',
  DISCARDED = 'DISCARDED',
  NO_CHANGES = 'NO_CHANGES',
}
registerEnumType(PlanStatusEnum, {
  name: 'PlanStatus',
  valuesConfig: {
    DISCARDED: { description: 'Discarded by a person, or by nodeplan when it expired unapplied (audit action plan.expired).' },
    NO_CHANGES: { description: 'The plan changes nothing; final when made, never applied.' },
  },
})

export enum ChangeActionEnum {
  CREATE = 'CREATE',
  UPDATE = 'UPDATE',
  DELETE = 'DELETE',
  NO_OP = 'NO_OP',
}
registerEnumType(ChangeActionEnum, { name: 'ChangeAction' })

export enum ResourceTypeEnum {
  TAINT = 'TAINT',
  LABEL = 'LABEL',
  NODE = 'NODE',
}
registerEnumType(ResourceTypeEnum, { name: 'ResourceType' })

export enum SignalSeverityEnum {
  INFO = 'INFO',
  WARNING = 'WARNING',
  CRITICAL = 'CRITICAL',
}
registerEnumType(SignalSeverityEnum, { name: 'SignalSeverity' })

export enum SignalStateEnum {
  ACTIVE = 'ACTIVE',
  CLEARED = 'CLEARED',
}
registerEnumType(SignalStateEnum, { name: 'SignalState', description: 'Whether the fault is still reported.' })

export enum SignalOutcomeEnum {
  RECORDED = 'RECORDED',
  PROPOSED = 'PROPOSED',
  AUTO_APPLIED = 'AUTO_APPLIED',
  HELD = 'HELD',
}
registerEnumType(SignalOutcomeEnum, {
  name: 'SignalOutcome',
  description: 'RECORDED: kept, nothing proposed; PROPOSED: a DRAIN plan carries it; AUTO_APPLIED: proposed and applied by policy; HELD: the storm guard held its proposal back.',
})
