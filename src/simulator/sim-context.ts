// What the controllers of the simulated cluster share: the clock, the seeded randomness, the
// object stores, the names and addresses they hand out, and the settle loop they wake.
// Simulation is this plus the controllers.
import type { SimClock } from './clock.js'
import type { Random } from './random.js'
import { SettleLoop } from './settle-loop.js'
import { RESOURCES, type ResourceType } from './resources.js'
import { ResourceStore, Revision, type KubeObject } from './store.js'

const storeKey = (type: { group: string; plural: string }): string => `${type.group}/${type.plural}`

export class SimContext {
  readonly revision = new Revision()
  readonly stores = new Map<string, ResourceStore>()
  readonly nodes: ResourceStore
  readonly pods: ResourceStore
  readonly secrets: ResourceStore
  readonly configmaps: ResourceStore
  readonly namespaces: ResourceStore
  readonly daemonsets: ResourceStore
  readonly pdbs: ResourceStore
  readonly leases: ResourceStore
  /** True while the seed is loaded: the controllers do not act on what it writes. */
  seeding = false
  /** Runs the controllers after API writes and clock steps. */
  protected readonly loop: SettleLoop
  private ipCounter = 0
  private podCidrCounter = 0

  constructor(
    readonly clock: SimClock,
    readonly random: Random,
    options: { watchHistoryLimit?: number; controllerSliceMs: number },
  ) {
    this.loop = new SettleLoop(options.controllerSliceMs, () => this.seeding)
    for (const type of RESOURCES) {
      const indexKey = type.plural === 'pods' ? (o: KubeObject) => (o.spec?.nodeName as string | undefined) || undefined : undefined
      this.stores.set(storeKey(type), new ResourceStore(type, this.revision, indexKey, options.watchHistoryLimit))
    }
    const store = (plural: string, group = '') => this.stores.get(`${group}/${plural}`)!
    this.nodes = store('nodes')
    this.pods = store('pods')
    this.secrets = store('secrets')
    this.configmaps = store('configmaps')
    this.namespaces = store('namespaces')
    this.daemonsets = store('daemonsets', 'apps')
    this.pdbs = store('poddisruptionbudgets', 'policy')
    this.leases = store('leases', 'coordination.k8s.io')
  }

  /** Wakes the settle loop: the controllers act on what was just written. */
  readonly settle = (): void => this.loop.settle()

  store(type: ResourceType): ResourceStore {
    return this.stores.get(storeKey(type))!
  }

  /** generateName: a random suffix, drawn again on the (rare) collision, as the API server retries. */
  generatedName(store: ResourceStore, namespace: string | undefined, base: string): string {
    for (;;) {
      const name = `${base}${this.random.suffix()}`
      if (!store.get(store.type.namespaced ? namespace : undefined, name)) return name
    }
  }

  nextPodIP(): string {
    const n = this.ipCounter++
    return `10.244.${Math.floor(n / 250) % 256}.${(n % 250) + 2}`
  }

  nextPodCidr(): string {
    return `10.244.${this.podCidrCounter++ % 256}.0/24`
  }
}
