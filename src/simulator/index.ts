// Starting the simulated Run:ai cluster in-process: HTTPS on 127.0.0.1 with its own CA, a
// bearer token, and a kubeconfig that kubectl and @kubernetes/client-node accept unchanged.
// Beside the Kubernetes API, JSON control endpoints under /_sim/ (no token needed; GET /_sim
// lists them) do what `sim` does in-process: fail/recover/restart-kubelet/reboot a node, join with a
// bootstrap token, advance the clock, inject faults, take a cluster off the network, read the
// state and the request log. startFleet serves several clusters from one process.
import { startMember, type RunningSimulator, type SimulatorOptions } from './cluster-server.js'

export type { RunningSimulator, SimulatorOptions } from './cluster-server.js'
export { startFleet, fleetClusterName, type FleetOptions, type RunningFleet } from './fleet.js'
export { Simulation } from './simulation.js'
export type { JoinResult, NodeSummary, RequestRecord, SimulationState } from './simulation.js'
export type { Faults } from './faults.js'
export type { OutageMode } from './listener.js'
export type { RebootOptions, RebootResult } from './node-lifecycle.js'
export type { NodePool } from './seed.js'
export { POOL_LABEL } from './seed.js'
export { RUN_SECONDS_ANNOTATION, type FinishingPod, type PodFilter } from './workload-completion.js'

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  let self: RunningSimulator | null = null
  self = await startMember(options, () => [self!])
  return self
}
