// The one-line text of an event for a chat channel (Slack's incoming-webhook `{"text": …}` body,
// which Mattermost and Rocket.Chat accept too).
import type { OutboxRecord } from './cloud-event.js'
import { EVENT_TYPES } from './event-types.js'

const VERBS: Record<string, string> = {
  [EVENT_TYPES.planCreated]: 'was proposed',
  [EVENT_TYPES.planNeedsApproval]: 'needs approval',
  [EVENT_TYPES.planApproved]: 'was approved',
  [EVENT_TYPES.planApplying]: 'is being applied',
  [EVENT_TYPES.planApplied]: 'was applied',
  [EVENT_TYPES.planFailed]: 'FAILED',
  [EVENT_TYPES.planRolledBack]: 'rolled back its plan',
}

export function slackText(event: OutboxRecord): string {
  const d = event.data
  const detail = (d.detail ?? {}) as Record<string, unknown>
  if (event.type === EVENT_TYPES.signalReceived || event.type === EVENT_TYPES.signalHeld) {
    const what = event.type === EVENT_TYPES.signalHeld ? 'held back by the storm guard' : 'received'
    return `nodeplan: health signal ${what} for ${String(d.node)}: ${String(detail.source)} ${String(detail.code)} (${String(detail.severity)}) ${String(detail.message ?? '')}`.trim()
  }
  const nodes = Array.isArray(detail.nodes) ? (detail.nodes as string[]) : d.node ? [String(d.node)] : []
  const kind = typeof detail.kind === 'string' ? `${detail.kind} ` : ''
  const on = nodes.length === 0 ? '' : ` of ${nodes.length <= 3 ? nodes.join(', ') : `${nodes.slice(0, 3).join(', ')} and ${nodes.length - 3} more`}`
  const reason = typeof detail.reason === 'string' ? `: ${detail.reason}` : ''
  return `nodeplan: ${kind}plan ${String(d.planId)}${on} ${VERBS[event.type] ?? event.type} (by ${String(d.actor)})${reason}`
}
