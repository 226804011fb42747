// The controllers that own pods: Run:ai's workload controllers resubmit an evicted pod (a training
// workload with the run time it had left), and the DaemonSet controller puts its pod on every new
// node and recreates a deleted one on the same node.
import { isResubmitted, pendingStatus, podObject } from './pod-object.js'
import type { PodScheduler } from './pod-scheduler.js'
import { daemonPodTemplate, type SeedDaemonSet } from './seed.js'
import type { Controller } from './settle-loop.js'
import type { SimContext } from './sim-context.js'
import type { KubeObject } from './store.js'
import { remainingRunSeconds, RUN_SECONDS_ANNOTATION } from './workload-completion.js'

export class WorkloadControllers implements Controller {
  /** Deleted pods whose owner makes a new one. */
  private readonly toReplace: KubeObject[] = []

  constructor(
    private readonly ctx: SimContext,
    private readonly scheduler: PodScheduler,
  ) {}

  /** A pod was deleted: its owner resubmits it unless it had finished (or is not resubmitted). */
  podDeleted(pod: KubeObject): void {
    if (!this.ctx.seeding && isResubmitted(pod) && pod.status?.phase !== 'Succeeded') this.toReplace.push(pod)
  }

  hasWork(): boolean {
    return this.toReplace.length > 0
  }

  step(): void {
    this.replace(this.toReplace.shift()!)
  }

  /** The DaemonSet controller: every DaemonSet's pod on a node that has just registered. */
  runDaemonSets(node: KubeObject): void {
    const { daemonsets, pods, random, clock } = this.ctx
    for (const ds of daemonsets.list()) {
      const template = daemonPodTemplate({
        namespace: ds.metadata.namespace!,
        name: ds.metadata.name,
        uid: ds.metadata.uid!,
        image: ds.spec?.template?.spec?.containers?.[0]?.image ?? 'registry.k8s.io/pause:3.10',
      })
      const name = this.ctx.generatedName(pods, template.namespace, template.generateName)
      const created = pods.create(podObject(template, name, random.uuid(), clock.timestamp()))
      this.scheduler.bind(created, node)
    }
  }

  private replace(old: KubeObject): void {
    const { namespaces, nodes, pods, clock, random } = this.ctx
    const owner = old.metadata.ownerReferences?.[0]
    if (namespaces.get(undefined, old.metadata.namespace!)?.status?.phase !== 'Active') return
    let nodeName: string | undefined
    if (owner?.kind === 'DaemonSet') {
      nodeName = old.spec?.nodeName
      if (!nodeName || !nodes.get(undefined, nodeName)) return
    }
    const base = old.metadata.generateName ?? `${old.metadata.name}-`
    const now = clock.timestamp()
    const { nodeName: _dropped, ...spec } = old.spec ?? {}
    const runSeconds = remainingRunSeconds(old, clock.nowMillis())
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: this.ctx.generatedName(pods, old.metadata.namespace, base),
        generateName: base,
        namespace: old.metadata.namespace,
        uid: random.uuid(),
        creationTimestamp: now,
        ...(old.metadata.labels ? { labels: old.metadata.labels } : {}),
        ...(runSeconds !== undefined ? { annotations: { [RUN_SECONDS_ANNOTATION]: runSeconds } } : {}),
        ...(old.metadata.ownerReferences ? { ownerReferences: old.metadata.ownerReferences } : {}),
      },
      spec: nodeName ? { ...spec, nodeName } : spec,
      status: pendingStatus(now),
    }
    const created = pods.create(pod)
    if (nodeName) this.scheduler.bind(created, nodes.get(undefined, nodeName)!)
  }
}

/** A DaemonSet as the seed creates it: on every node, all scheduled and ready. */
export function daemonSetObject(ds: SeedDaemonSet, nodes: number, created: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: ds.name, namespace: ds.namespace, uid: ds.uid, creationTimestamp: created, generation: 1, labels: { app: ds.name } },
    spec: {
      selector: { matchLabels: { app: ds.name } },
      template: {
        metadata: { labels: { app: ds.name } },
        spec: { containers: [{ name: ds.name, image: ds.image }], tolerations: [{ operator: 'Exists' }], priorityClassName: 'system-node-critical' },
      },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
    },
    status: {
      currentNumberScheduled: nodes,
      desiredNumberScheduled: nodes,
      numberAvailable: nodes,
      numberMisscheduled: 0,
      numberReady: nodes,
      observedGeneration: 1,
      updatedNumberScheduled: nodes,
    },
  }
}
