/** Kubernetes API requests by verb and outcome (HTTP status, or a network error code such as ECONNREFUSED). */
export class ApiRequestCounter {
  private readonly counts = new Map<string, number>()

  record(verb: string, code: number | string): void {
    const key = `${verb} ${code}`
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1)
  }

  /** Sorted rows, e.g. { verb: 'PATCH', code: '422', count: 2 }. */
  rows(): { verb: string; code: string; count: number }[] {
    return [...this.counts.entries()]
      .map(([key, count]) => {
        const [verb, code] = key.split(' ') as [string, string]
        return { verb, code, count }
      })
      .sort((a, b) => a.verb.localeCompare(b.verb) || a.code.localeCompare(b.code))
  }

  total(verb?: string): number {
    let n = 0
    for (const [key, count] of this.counts) if (verb === undefined || key.startsWith(`${verb} `)) n += count
    return n
  }

  reset(): void {
    this.counts.clear()
  }
}
