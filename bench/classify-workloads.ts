// Workload classification speed: 100,000 pods over 5,000 nodes, classified per node
// (as the inventory does for Node.workloads) and all at once (as a big plan impact does).
import type { PodState } from '../src/domain/cluster.js'
import { classifyWorkloads } from '../src/domain/workloads.js'

const NODES = 5_000
const PODS = 100_000
const PRIORITIES = ['train', 'interactive-preemptible', 'build', 'inference', null]
const OWNERS = ['TrainingWorkload', 'InteractiveWorkload', 'ReplicaSet', 'DaemonSet', 'Job', null]

const pods: PodState[] = []
for (let i = 0; i < PODS; i++) {
  const owner = OWNERS[i % OWNERS.length]
  pods.push({
    namespace: `runai-team-${i % 40}`,
    name: `pod-${i}`,
    nodeName: `node-${i % NODES}`,
    phase: 'Running',
    labels: { project: `team-${i % 40}`, 'pod-template-hash': 'abc12' },
    priorityClassName: PRIORITIES[i % PRIORITIES.length] ?? null,
    schedulerName: 'runai-scheduler',
    owner: owner ? { kind: owner, name: owner === 'ReplicaSet' ? `w-${i >> 3}-abc12` : `w-${i >> 3}`, controller: true } : null,
    tolerations: i % 7 === 0 ? [{ key: 'runai', operator: 'Exists' }] : [],
    gpus: i % 4,
  })
}
const byNode = new Map<string, PodState[]>()
for (const pod of pods) {
  const list = byNode.get(pod.nodeName!) ?? []
  list.push(pod)
  byNode.set(pod.nodeName!, list)
}

function time(label: string, runs: number, fn: () => void): void {
  for (let i = 0; i < 3; i++) fn() // warm-up
  const ms: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    fn()
    ms.push(performance.now() - start)
  }
  ms.sort((a, b) => a - b)
  console.log(`${label}: p50 ${ms[Math.floor(runs / 2)]!.toFixed(1)} ms, max ${ms[runs - 1]!.toFixed(1)} ms (${runs} runs)`)
}

let sink = 0
time(`per node, ${NODES} nodes, ${PODS} pods`, 20, () => {
  for (const list of byNode.values()) sink += classifyWorkloads(list).length
})
time(`all at once, ${PODS} pods`, 20, () => {
  sink += classifyWorkloads(pods).length
})
if (sink === 0) console.log('nothing classified')
