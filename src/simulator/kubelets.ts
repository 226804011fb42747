// The kubelets: what each machine knows about itself (kept after `kubectl delete node`, so it can
// register again), and registering a node with its heartbeat lease.
import { gpuCapacity, kubeletLabels, nodeObject, type KubeletIdentity } from './node-object.js'
import type { SimContext } from './sim-context.js'
import { notFound } from './status.js'
import type { KubeObject } from './store.js'

export class Kubelets {
  readonly identities = new Map<string, KubeletIdentity>()

  constructor(private readonly ctx: SimContext) {}

  /** A machine new to the cluster (kubeadm join of a name never seen). */
  newIdentity(name: string, gpus: number): KubeletIdentity {
    const n = this.identities.size + 1000
    return {
      name,
      gpus,
      cpu: gpus ? 96 : 64,
      memoryGi: gpus ? 768 : 256,
      internalIP: `10.1.${Math.floor(n / 250)}.${(n % 250) + 2}`,
      machineID: this.ctx.random.hex(32),
      systemUUID: this.ctx.random.uuid(),
      bootID: this.ctx.random.uuid(),
    }
  }

  /** A node created through the API has a kubelet too: remember it for restart-kubelet. */
  remember(node: KubeObject): void {
    if (!this.identities.has(node.metadata.name)) this.identities.set(node.metadata.name, identityOf(node))
  }

  /** Machines whose node was deleted, by name. */
  deleted(): string[] {
    return [...this.identities.keys()].filter((n) => !this.ctx.nodes.get(undefined, n)).sort()
  }

  /** A deleted node's kubelet restarts: it registers again with only the kubelet's own labels (no roles). */
  reregister(name: string): void {
    const identity = this.identities.get(name)
    if (!identity) throw notFound({ group: '', plural: 'nodes' }, name)
    this.register(identity, kubeletLabels(name))
  }

  register(identity: KubeletIdentity, labels: Record<string, string>, created = this.ctx.clock.timestamp()): KubeObject {
    const { nodes, leases, clock, random } = this.ctx
    this.identities.set(identity.name, identity)
    const node = nodeObject(identity, labels, created, this.ctx.nextPodCidr(), clock.timestamp())
    node.metadata.uid = random.uuid()
    const stored = nodes.create(node)
    if (!leases.get('kube-node-lease', identity.name)) {
      // The kubelet's heartbeat lease; renewals are not simulated.
      leases.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name: identity.name,
          namespace: 'kube-node-lease',
          uid: random.uuid(),
          creationTimestamp: created,
          ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: identity.name, uid: stored.metadata.uid! }],
        },
        spec: { holderIdentity: identity.name, leaseDurationSeconds: 40, renewTime: clock.now().toISOString().replace('Z', '000Z') },
      })
    }
    return stored
  }
}

function identityOf(node: KubeObject): KubeletIdentity {
  const info = node.status?.nodeInfo ?? {}
  const address = (node.status?.addresses as { type: string; address: string }[] | undefined)?.find((a) => a.type === 'InternalIP')
  return {
    name: node.metadata.name,
    gpus: gpuCapacity(node),
    cpu: Number.parseInt(node.status?.capacity?.cpu ?? '8', 10) || 8,
    memoryGi: Math.round(Number.parseInt(node.status?.capacity?.memory ?? '0', 10) / 1024 / 1024) || 32,
    internalIP: address?.address ?? '10.2.0.2',
    machineID: info.machineID ?? '',
    systemUUID: info.systemUUID ?? '',
    bootID: info.bootID ?? '',
  }
}
