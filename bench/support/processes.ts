// Child processes for benchmarks: the simulator and nodeplan each in their own process, so
// that figures (and RSS) belong to one program, as they would in production.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { request } from 'node:https'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../bin/nodeplan.mjs', import.meta.url))

export interface SimulatorProcess {
  url: string
  kubeconfig: string
  proc: ChildProcess
  control(method: string, path: string, body?: unknown): Promise<any>
  stop(): Promise<void>
}

export async function startSimulatorProcess(kubeconfigOut: string, flags: string[]): Promise<SimulatorProcess> {
  const proc = spawn(process.execPath, ['--max-old-space-size=4096', BIN, 'simulator', '--port', '0', '--kubeconfig-out', kubeconfigOut, ...flags], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim().split('\n')[0]!))
    proc.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)))
  })
  const ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(readFileSync(kubeconfigOut, 'utf8'))![1]!, 'base64')
  return {
    url,
    kubeconfig: kubeconfigOut,
    proc,
    control: (method, path, body) =>
      new Promise((resolve, reject) => {
        const req = request(`${url}${path}`, { method, ca, headers: { 'content-type': 'application/json' } }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString()
            resolve(text ? JSON.parse(text) : null)
          })
        })
        req.on('error', reject)
        req.end(body === undefined ? undefined : JSON.stringify(body))
      }),
    stop: () => stop(proc),
  }
}

export interface ServiceProcess {
  url: string
  proc: ChildProcess
  gql(query: string, variables?: Record<string, unknown>): Promise<any>
  /** POSTs a query with node:http and resolves with the raw body once its last byte has arrived. */
  rawQuery(query: string): Promise<string>
  rssMb(): { rss: number; peak: number }
  /** The V8 heap as the service's /metrics reports it. */
  heapMb(): Promise<{ used: number; total: number }>
  stop(): Promise<void>
}

/** `nodeOptions`: Node.js/V8 flags for the service process, e.g. ['--heap-growing-percent=25']. */
export async function startServiceProcess(args: string[], nodeOptions: string[] = []): Promise<ServiceProcess> {
  const proc = spawn(process.execPath, [...nodeOptions, BIN, 'serve', '--port', '0', '--log-level', 'info', ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = ''
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString()
      const m = /"url":"(http:\/\/[^"]+)\/graphql"/.exec(buffered)
      if (!m) return
      proc.stdout!.off('data', onData)
      proc.stdout!.resume()
      resolve(m[1]!)
    }
    proc.stdout!.on('data', onData)
    proc.once('exit', (code) => reject(new Error(`nodeplan exited with ${code}`)))
  })
  return {
    url,
    proc,
    async gql(query, variables) {
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
      const body = (await res.json()) as { data?: any; errors?: unknown[] }
      if (body.errors) throw new Error(JSON.stringify(body.errors))
      return body.data
    },
    rawQuery(query) {
      return new Promise((resolve, reject) => {
        const req = httpRequest(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => resolve(Buffer.concat(chunks).toString()))
          res.on('error', reject)
        })
        req.on('error', reject)
        req.end(JSON.stringify({ query }))
      })
    },
    async heapMb() {
      const text = await (await fetch(`${url}/metrics`)).text()
      const mb = (name: string) => Math.round(Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)![1]) / 1048576)
      return { used: mb('nodejs_heap_size_used_bytes'), total: mb('nodejs_heap_size_total_bytes') }
    },
    rssMb() {
      const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8')
      const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1])
      return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) }
    },
    stop: () => stop(proc),
  }
}

function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    proc.once('exit', () => resolve())
    proc.kill('SIGTERM')
  })
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

export const msSince = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6
