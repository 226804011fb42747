// CloudEvents 1.0, structured JSON mode (the envelope and its data in one JSON body). Built here
// from the spec rather than with the JavaScript SDK: nodeplan only emits, in one mode, and the
// envelope is eight attributes; the SDK would add six runtime dependencies (ajv, browser
// polyfills) for that.

/** An event as the outbox stores it. */
export interface OutboxRecord {
  seq: number
  id: string
  type: string
  at: Date
  subject: string | null
  data: Record<string, unknown>
}

export interface CloudEvent {
  specversion: '1.0'
  id: string
  source: string
  type: string
  subject?: string
  time: string
  datacontenttype: 'application/json'
  data: Record<string, unknown>
}

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8'

export function toCloudEvent(event: OutboxRecord, source: string): CloudEvent {
  return {
    specversion: '1.0',
    id: event.id,
    source,
    type: event.type,
    ...(event.subject !== null && { subject: event.subject }),
    time: event.at.toISOString(),
    datacontenttype: 'application/json',
    data: event.data,
  }
}
