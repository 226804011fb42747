// Writes one planned change to the API server: re-read, skip if already there, otherwise a
// guarded JSON Patch (or a uid-preconditioned DELETE). Given the node as last seen (the cache),
// a taint or label change is first patched from that state without a read, guarded by its
// resourceVersion and uid; refused because the node changed since, it is read and written as
// without it. Conflicts (409/422) re-read and retry at once; 429, 5xx and network failures back
// off with jitter until the deadline.
import { PatchStrategy, type KubeConfig } from '@kubernetes/client-node'
import type { ApplyOutcome, Clock, NodeWriteOptions, NodeWriter } from '../../app/ports.js'
import { formatTaint } from '../../domain/change.js'
import { NodeplanError } from '../../domain/errors.js'
import type { Change } from '../../domain/plan.js'
import { apiServerError, describeApiError, httpStatus, isTransient, isUnreachable, toAdapterError } from './api-error.js'
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js'
import { KubernetesApi, nodePath } from './kubernetes-api.js'
import { knownNodePatch, nodePatch, type JsonPatchOp, type PatchDecision, type RawNode } from './node-patch.js'
import type { Logger } from '../../logger.js'
import { systemClock } from '../../app/system-clock.js'

export interface NodeWriterOptions {
  clock?: Clock
  random?: () => number
  backoff?: BackoffPolicy
  /** Per-request timeout when the writer builds its own KubernetesApi from a KubeConfig; default 5 s. */
  requestTimeoutMs?: number
  /** Conflicts retried at once before the writer starts backing off between them too. */
  immediateConflictRetries?: number
  fieldManager?: string
  /** Where each backed-off retry is told (a long outage is otherwise silent until the deadline). */
  log?: Logger
}

/** A failure that retrying cannot fix. */
class Permanent extends Error {
  constructor(readonly error: Error) {
    super(error.message)
  }
}

/** How long before its deadline a change makes its last attempt. */
const FINAL_ATTEMPT_MARGIN_MS = 100

export class KubernetesNodeWriter implements NodeWriter {
  readonly api: KubernetesApi
  private readonly clock: Clock
  private readonly random: () => number
  private readonly backoff: BackoffPolicy
  private readonly immediateConflictRetries: number
  private readonly fieldManager: string
  private readonly log: Logger | null

  /** Give it a KubeConfig, or a KubernetesApi to share its transport and request counts with the cache. */
  constructor(source: KubeConfig | KubernetesApi, opts: NodeWriterOptions = {}) {
    this.api = source instanceof KubernetesApi ? source : new KubernetesApi(source, { timeoutMs: opts.requestTimeoutMs ?? 5_000 })
    this.clock = opts.clock ?? systemClock
    this.random = opts.random ?? Math.random
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF
    this.immediateConflictRetries = opts.immediateConflictRetries ?? 3
    this.fieldManager = opts.fieldManager ?? 'nodeplan'
    this.log = opts.log ?? null
  }

  /** Requests sent so far, by verb and status. */
  requestCounts() {
    return this.api.counter.rows()
  }

  /**
   * 'already' when the node was found in the change's target state and nothing was written.
   * `deadline` is epoch milliseconds on the writer's clock.
   */
  async apply(change: Change, options: NodeWriteOptions): Promise<ApplyOutcome> {
    if (change.action === 'NO_OP') return 'already'
    if (change.resource === 'NODE' && change.action !== 'DELETE') {
      throw new Error(`${describeChange(change)}: only node deletion is written by nodeplan; a node is created by its kubelet joining`)
    }
    const what = describeChange(change)
    let attempts = 0
    let conflicts = 0
    // A write that got no definite answer (timeout, 5xx) may have been applied.
    let maybeWritten = false
    // The node version a patch was refused with 422: refused again on the same version, the
    // patch itself is invalid rather than based on a stale read.
    let refusedAt = null as { rv: string | undefined; err: unknown } | null
    // Tried once, and only for the node the plan was made for.
    let known = change.resource !== 'NODE' && options.known?.name === change.node && (!options.uid || options.known.uid === options.uid) ? options.known : null
    let knownRefused = false
    for (;;) {
      attempts++
      let last: unknown
      try {
        const from = known
        known = null
        // 'already' or 'conflict' on a state that may be old: the live node decides.
        const fromKnown = from ? knownNodePatch(change, from, options.annotations ?? null) : null
        let decision: PatchDecision
        let basedOn: string | undefined
        if (from && fromKnown?.kind === 'patch') {
          decision = fromKnown
          basedOn = from.resourceVersion
        } else {
          const node = await this.read(change.node)
          const refused = refusedAt as { rv: string | undefined; err: unknown } | null
          if (refused && node && node.metadata?.resourceVersion === refused.rv) throw new Permanent(toAdapterError(refused.err, what))
          refusedAt = null
          // The node the plan was made for was deleted and one of the same name registered since.
          const replaced = Boolean(node && options.uid && node.metadata?.uid !== options.uid)
          if (change.resource === 'NODE') {
            if (!node || replaced) return maybeWritten ? 'applied' : 'already'
            maybeWritten = true
            await this.deleteNode(change.node, options.uid ?? node.metadata?.uid)
            return 'applied'
          }
          if (replaced) throw new Permanent(new Error(`${what}: node ${change.node} was deleted and registered again since the plan was made (uid changed); plan again`))
          if (!node) throw new Permanent(new Error(`${what}: node ${change.node} not found (404); it was deleted since the plan was made`))
          decision = nodePatch(change, node, options.annotations ?? null)
          if (decision.kind === 'already') return maybeWritten ? 'applied' : 'already'
          if (decision.kind === 'conflict') throw new Permanent(new Error(`${what}: ${decision.message}; not overwriting another writer's change`))
          basedOn = node.metadata?.resourceVersion
        }
        try {
          await this.patch(change.node, decision.ops)
        } catch (err) {
          if (isTransient(err)) maybeWritten = true
          const status = httpStatus(err)
          // Refused from the state it was given, the patch may rest on what that state does not
          // know (the annotations): only a patch made from the live node is judged invalid.
          if (status === 422 && decision !== fromKnown) refusedAt = { rv: basedOn, err }
          // Patched from the state it was given: the node changed since it was seen (or the patch
          // is invalid, which the read then shows).
          if (decision === fromKnown && (status === 409 || status === 422)) knownRefused = true
          throw err
        }
        return 'applied'
      } catch (err) {
        if (err instanceof Permanent) throw err.error
        const status = httpStatus(err)
        if (change.resource === 'NODE' && status === 404) return maybeWritten ? 'applied' : 'already'
        last = err
        let wait: number
        if (knownRefused) {
          // Not contention: the state it was given was older than the node. Read it now.
          knownRefused = false
          wait = 0
        } else if (status === 409 || status === 422) {
          conflicts++
          wait = conflicts <= this.immediateConflictRetries ? 0 : backoffDelay(conflicts - this.immediateConflictRetries, this.backoff, this.random)
        } else if (isTransient(err)) {
          wait = backoffDelay(attempts, this.backoff, this.random)
        } else {
          throw toAdapterError(err, what)
        }
        // Never sleep past the deadline, but do not give up early either: when the next backoff
        // would cross it, make one last attempt just before it (an API server back after an outage).
        const remaining = options.deadline - FINAL_ATTEMPT_MARGIN_MS - this.clock.now().getTime()
        if (remaining <= 0) throw this.gaveUp(what, attempts, last)
        wait = Math.min(wait, remaining)
        if (wait > 0) {
          this.log?.warn(`retrying ${what}: attempt ${attempts + 1} in ${wait} ms, giving up in ${Math.ceil(remaining / 1000)} s: ${describeApiError(last)}`, {
            change: change.address,
            attempt: attempts + 1,
            waitMs: wait,
          })
          await options.onRetry?.({ attempt: attempts + 1, error: describeApiError(last), until: new Date(options.deadline) })
          await this.clock.sleep(wait)
        }
      }
    }
  }

  private async patch(name: string, ops: JsonPatchOp[]): Promise<void> {
    await this.api.patch(nodePath(name), ops, PatchStrategy.JsonPatch, { fieldManager: this.fieldManager })
  }

  private async read(name: string): Promise<RawNode | null> {
    try {
      return await this.api.getJson<RawNode>(nodePath(name))
    } catch (err) {
      if (httpStatus(err) === 404) return null
      throw err
    }
  }

  private async deleteNode(name: string, uid: string | undefined): Promise<void> {
    // The uid precondition: if the node was deleted and registered again meanwhile, this is a
    // different node and the server answers 409; the retry then re-reads it.
    await this.api.core.deleteNode({ name, body: uid ? { preconditions: { uid } } : {} })
  }

  private gaveUp(what: string, attempts: number, last: unknown): Error {
    const message = `${what}: gave up at the deadline after ${attempts} attempt${attempts === 1 ? '' : 's'}; last error: ${describeApiError(last)}`
    return isUnreachable(last) ? new NodeplanError('KUBERNETES_UNAVAILABLE', message) : apiServerError(last, message)
  }
}

/** "add taint runai=drain:NoExecute to node gpu-1", "remove label x from node gpu-1", "delete node gpu-1". */
export function describeChange(change: Change): string {
  if (change.resource === 'NODE') return `${change.action === 'DELETE' ? 'delete' : change.action.toLowerCase()} node ${change.node}`
  const verb = change.action === 'CREATE' ? 'add' : change.action === 'DELETE' ? 'remove' : 'update'
  const prep = change.action === 'CREATE' ? 'to' : change.action === 'DELETE' ? 'from' : 'on'
  if (change.resource === 'TAINT') {
    return `${verb} taint ${formatTaint(change.after ?? change.before ?? change.target)} ${prep} node ${change.node}`
  }
  const value = change.after === null ? '' : `=${change.after}`
  return `${verb} label ${change.target.key}${value} ${prep} node ${change.node}`
}
