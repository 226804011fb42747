import { registerEnumType } from 'type-graphql'

// GraphQL enums of rollouts (issue 21), mirroring src/domain/rollout.ts.

export enum RolloutStatusEnum {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  SCHEDULED = 'SCHEDULED',
  RUNNING = 'RUNNING',
  PAUSED = 'PAUSED',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  ABORTED = 'ABORTED',
  DISCARDED = 'DISCARDED',
}
registerEnumType(RolloutStatusEnum, {
  name: 'RolloutStatus',
  description: 'Where a rollout is. PENDING → (APPROVED) → SCHEDULED → RUNNING ⇄ PAUSED → COMPLETED | FAILED | ABORTED; DISCARDED before it starts.',
  valuesConfig: {
    PENDING: { description: 'Planned, not yet approved (when policy asks) or not yet started.' },
    SCHEDULED: { description: 'Started, waiting for notBefore or its window to open.' },
    PAUSED: { description: 'By a person (pauseRollout), or at the end of a window (resumes by itself; waitingFor says which).' },
    FAILED: { description: 'A check failed or a wave was stale: stopped, node(s) left drained, error says why.' },
    ABORTED: { description: 'abortRollout: drained nodes stay drained (listed in leftDrained).' },
  },
})

export enum DrainModeEnum {
  IMMEDIATE = 'IMMEDIATE',
  GRACEFUL = 'GRACEFUL',
}
registerEnumType(DrainModeEnum, {
  name: 'DrainMode',
  valuesConfig: {
    IMMEDIATE: { description: 'The runai=drain:NoExecute taint at once, as the Run:ai procedure says.' },
    GRACEFUL: { description: "runai=drain:NoSchedule first; wait until the node's training workloads finish or drainTimeoutSeconds passes; then the NoExecute taint." },
  },
})

export enum RolloutNodeStageEnum {
  WAITING = 'WAITING',
  DRAINING = 'DRAINING',
  IN_MAINTENANCE = 'IN_MAINTENANCE',
  CHECKING = 'CHECKING',
  DONE = 'DONE',
  FAILED = 'FAILED',
  SKIPPED = 'SKIPPED',
}
registerEnumType(RolloutNodeStageEnum, {
  name: 'RolloutNodeStage',
  description: 'Where one node of a rollout is.',
  valuesConfig: {
    WAITING: { description: 'Its wave has not started.' },
    DRAINING: { description: 'Taint applied (GRACEFUL: waiting for training workloads to finish).' },
    IN_MAINTENANCE: { description: 'Drained, handed over; waiting for completeMaintenance or a reboot (bootID changed, Ready again).' },
    CHECKING: { description: 'Back: checking Ready and GPUs allocatable.' },
    DONE: { description: 'Undrained, back in service.' },
    FAILED: { description: 'Check failed: left drained, error says why.' },
    SKIPPED: { description: 'Aborted before its wave.' },
  },
})

export enum WaveStatusEnum {
  WAITING = 'WAITING',
  RUNNING = 'RUNNING',
  DONE = 'DONE',
  FAILED = 'FAILED',
  ABORTED = 'ABORTED',
}
registerEnumType(WaveStatusEnum, { name: 'WaveStatus' })
