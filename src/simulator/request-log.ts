// The Kubernetes API requests the simulator served, for tests that count what a client asked.

export interface RequestRecord {
  /** get, list, watch, create, update, patch, delete, deletecollection */
  verb: string
  resource: string
  subresource: string | null
  namespace: string | null
  name: string | null
  /** The HTTP status; 0 while the request (e.g. a watch) is still open. */
  code: number
}

const LIMIT = 50_000

export class RequestLog {
  private records: RequestRecord[] = []

  record(record: RequestRecord): void {
    this.records.push(record)
    if (this.records.length > LIMIT) this.records = this.records.slice(-LIMIT / 2)
  }

  list(): RequestRecord[] {
    return this.records.map((r) => ({ ...r }))
  }

  clear(): void {
    this.records = []
  }
}
