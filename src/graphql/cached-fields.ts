// Which answers the server may keep as JSON text between requests (src/server/list-answer-cache.ts).
// A list is cached per element object: its resolver must hand out the same frozen object until
// the thing it describes changes, and every field read below it must be a function of that
// object alone: no arguments, no caller, no clock, no database. A field not listed here makes
// the whole selection uncached, so a new field is safe until someone adds it.
export const CACHED_LISTS: ReadonlySet<string> = new Set(['Query.nodes'])

export const ELEMENT_FIELDS: ReadonlySet<string> = new Set([
  ...['name', 'roles', 'ready', 'notReadySince', 'unschedulable', 'draining', 'taints', 'labels', 'gpus', 'gpusInUse', 'workloads'].map((f) => `Node.${f}`),
  ...['key', 'value', 'effect'].map((f) => `Taint.${f}`),
  ...['key', 'value'].map((f) => `Label.${f}`),
  ...['namespace', 'name', 'kind', 'relocation', 'project', 'gpus', 'pods'].map((f) => `Workload.${f}`),
])
