// Loading the seeded cluster (seed.ts lays it out) into the stores: namespaces, registered nodes,
// DaemonSets, running pods (seeded training with its run time when asked), PodDisruptionBudgets.
import type { Kubelets } from './kubelets.js'
import { kubeletLabels } from './node-object.js'
import { podObject, runningStatus, type PodTemplate } from './pod-object.js'
import { POOL_LABEL, ROLE_PREFIX, seedCluster, type ClusterShape } from './seed.js'
import type { SimContext } from './sim-context.js'
import type { KubeObject } from './store.js'
import { daemonSetObject } from './workload-controllers.js'
import { RUN_SECONDS_ANNOTATION } from './workload-completion.js'

/** Loads the seed with the controllers paused (ctx.seeding); the caller settles afterwards. */
export function loadSeed(ctx: SimContext, kubelets: Kubelets, shape: ClusterShape): void {
  const { namespaces, daemonsets, pdbs, clock, random } = ctx
  ctx.seeding = true
  try {
    const seed = seedCluster(shape, random)
    const at = (ageSeconds: number) => clock.timestamp(-ageSeconds)
    for (const ns of seed.namespaces) {
      namespaces.create({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: ns.name,
          uid: random.uuid(),
          creationTimestamp: at(120 * 86400),
          labels: { 'kubernetes.io/metadata.name': ns.name, ...ns.labels },
        },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      })
    }
    const nodesByName = new Map<string, KubeObject>()
    for (const n of seed.nodes) {
      const labels = { ...kubeletLabels(n.identity.name), [`${ROLE_PREFIX}${n.role}`]: '', ...(n.pool ? { [POOL_LABEL]: n.pool } : {}) }
      nodesByName.set(n.identity.name, kubelets.register(n.identity, labels, at(n.ageDays * 86400)))
    }
    for (const ds of seed.daemonSets) daemonsets.create(daemonSetObject(ds, seed.nodes.length, at(100 * 86400)))
    const training = shape.trainingSeconds
    for (const p of seed.pods) {
      const runSeconds = training !== undefined && p.template.kind === 'training' ? p.ageHours * 3600 + training : undefined
      createRunningPod(ctx, p.template, nodesByName.get(p.node)!, at(p.ageHours * 3600), runSeconds)
    }
    for (const pdb of seed.pdbs) {
      pdbs.create({
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: pdb.name, namespace: pdb.namespace, uid: random.uuid(), creationTimestamp: at(7 * 86400), generation: 1 },
        spec: {
          ...(pdb.minAvailable !== undefined ? { minAvailable: pdb.minAvailable } : {}),
          ...(pdb.maxUnavailable !== undefined ? { maxUnavailable: pdb.maxUnavailable } : {}),
          selector: { matchLabels: pdb.selector },
        },
      })
    }
  } finally {
    ctx.seeding = false
  }
}

function createRunningPod(ctx: SimContext, template: PodTemplate, node: KubeObject, created: string, runSeconds?: number): void {
  const pod = podObject(template, ctx.generatedName(ctx.pods, template.namespace, template.generateName), ctx.random.uuid(), created)
  if (runSeconds !== undefined) pod.metadata.annotations = { [RUN_SECONDS_ANNOTATION]: String(runSeconds) }
  const hostIP = (node.status.addresses as { type: string; address: string }[])[0]!.address
  const bound = { ...pod, spec: { ...pod.spec, nodeName: node.metadata.name } }
  ctx.pods.create({ ...bound, status: runningStatus(bound, hostIP, ctx.nextPodIP(), created) })
}
