// A real Kubernetes control plane on loopback, from the binaries scripts/build-control-plane.sh
// builds: etcd, kube-apiserver (own CA, service-account keys, RBAC and Node authorizers,
// bootstrap-token authentication, an audit log), kube-controller-manager (node lifecycle and
// taint-based eviction with short periods), kube-scheduler and kwok for the nodes, seeded with a
// Run:ai-like cluster. Used by test/real and by `scripts/control-plane.sh start|stop DIR`.
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:https'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { generateClusterCertificates } from '../src/simulator/certificates.js'
import { kubeconfigYaml } from '../src/simulator/kubeconfig.js'
import { kubectlPath } from '../test/support/kubectl.js'
import { realClusterFoundation, realClusterSeed } from './control-plane-seed.js'

export const CONTROL_PLANE_DIR = join(import.meta.dirname, '..', 'controlplane')
export const BIN_DIR = join(CONTROL_PLANE_DIR, 'bin')
const BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'] as const

/** The release the binaries were built from (the k8s.io/kubernetes pin). */
export const KUBERNETES_RELEASE = /k8s\.io\/kubernetes (v\S+)/.exec(readFileSync(join(CONTROL_PLANE_DIR, 'go.mod'), 'utf8'))![1]!

/** Why the real control plane cannot run here, or null when its binaries are built and current. */
export function controlPlaneUnavailable(): string | null {
  if (!existsSync(join(BIN_DIR, '.stamp'))) return `no ${join('controlplane', 'bin', '.stamp')}: run scripts/build-control-plane.sh (needs Go)`
  const missing = BINARIES.filter((b) => !existsSync(join(BIN_DIR, b)))
  return missing.length ? `missing binaries in controlplane/bin: ${missing.join(', ')}` : null
}

/** Node lease and monitor periods: short, so the node lifecycle controller notices a dead kwok in seconds. */
export const NODE_LEASE_SECONDS = 10
export const NODE_MONITOR_GRACE_SECONDS = 16

export interface ControlPlane {
  dir: string
  /** https://127.0.0.1:<port> */
  server: string
  caPem: string
  /** A system:masters token: the cluster admin, for seeding and for test assertions. */
  adminToken: string
  adminKubeconfig: string
  /** JSON lines, one per request, from the API server's audit log. */
  auditLogPath: string
  /** Stops the kwok process of a node started with its own (a node whose kubelet dies). */
  stopKubelet(node: string): Promise<void>
  stop(): Promise<void>
}

export interface ControlPlaneOptions {
  dir: string
  /** Nodes that get their own kwok process, so that stopKubelet() can end their heartbeats. */
  ownKubelet?: string[]
  /**
   * false: etcd and kube-apiserver only, nothing seeded (nothing would run the pods): for tests of
   * the API server's own behaviour. Default true.
   */
  controllers?: boolean
  /** Detach the processes (for the CLI): they outlive this Node.js process; stop with stopDetached(). */
  detached?: boolean
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port
      srv.close(() => resolve(port))
    })
  })
}

/** GET with the cluster CA and a bearer token; resolves with the status and body. */
export function apiGet(server: string, caPem: string, token: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, server), { ca: caPem, headers: { authorization: `Bearer ${token}` }, timeout: 5000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end()
  })
}

async function waitFor(what: string, check: () => Promise<boolean>, processes: Map<string, ChildProcess>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    for (const [name, p] of processes) {
      if (p.exitCode !== null) throw new Error(`${name} exited with ${p.exitCode} while waiting for ${what}; see its log`)
    }
    if (await check().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

export function run(file: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { env: options.env ?? process.env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')}: ${stderr || err.message}`))
      else resolve(stdout)
    })
    if (options.input !== undefined) child.stdin!.end(options.input)
  })
}

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const unavailable = controlPlaneUnavailable()
  if (unavailable) throw new Error(unavailable)
  const { dir } = options
  mkdirSync(join(dir, 'logs'), { recursive: true })
  const bin = (name: (typeof BINARIES)[number]) => join(BIN_DIR, name)
  const file = (name: string, content: string) => {
    writeFileSync(join(dir, name), content, { mode: 0o600 })
    return join(dir, name)
  }

  const certs = await generateClusterCertificates()
  const sa = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const adminToken = `admin-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
  const caFile = file('ca.crt', certs.caPem)
  const certFile = file('apiserver.crt', certs.serverCertPem)
  const keyFile = file('apiserver.key', certs.serverKeyPem)
  const saKey = file('sa.key', sa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)
  const saPub = file('sa.pub', sa.publicKey.export({ type: 'spki', format: 'pem' }) as string)
  const tokens = file('tokens.csv', `${adminToken},admin,admin,system:masters\n`)
  const auditLogPath = join(dir, 'audit.log')
  // Every request of nodeplan's ServiceAccount (and nothing else), for the least-privilege proof.
  const auditPolicy = file(
    'audit-policy.json',
    JSON.stringify({
      apiVersion: 'audit.k8s.io/v1',
      kind: 'Policy',
      omitStages: ['RequestReceived'],
      rules: [{ level: 'Metadata', users: ['system:serviceaccount:nodeplan:nodeplan'] }, { level: 'None' }],
    }),
  )

  const [etcdPort, etcdPeerPort, apiPort] = [await freePort(), await freePort(), await freePort()]
  const server = `https://127.0.0.1:${apiPort}`
  const adminKubeconfig = file('admin.kubeconfig', kubeconfigYaml(server, certs.caPem, adminToken))
  const processes = new Map<string, ChildProcess>()
  const start = (name: string, binary: string, args: string[]) => {
    const log = openSync(join(dir, 'logs', `${name}.log`), 'a')
    const child = spawn(binary, args, { stdio: ['ignore', log, log], detached: options.detached ?? false })
    closeSync(log)
    if (options.detached) {
      child.unref()
      appendFileSync(join(dir, 'pids'), `${child.pid}\n`)
    }
    processes.set(name, child)
    return child
  }

  const stop = async () => {
    const order = [...processes.entries()].reverse()
    await Promise.all(
      order.map(
        ([, p]) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve()
            p.once('exit', () => resolve())
            p.kill('SIGTERM')
            setTimeout(() => p.kill('SIGKILL'), 5000).unref()
          }),
      ),
    )
  }

  try {
    start('etcd', bin('etcd'), [
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
    ])
    await waitFor('etcd', async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok, processes)

    // The flags controller-runtime's envtest passes, plus the Node authorizer, bootstrap tokens and an audit log.
    start('kube-apiserver', bin('kube-apiserver'), [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      `--bind-address=127.0.0.1`,
      `--advertise-address=127.0.0.1`,
      `--secure-port=${apiPort}`,
      `--cert-dir=${dir}`,
      `--tls-cert-file=${certFile}`,
      `--tls-private-key-file=${keyFile}`,
      `--client-ca-file=${caFile}`,
      `--token-auth-file=${tokens}`,
      `--service-account-issuer=${server}`,
      `--service-account-key-file=${saPub}`,
      `--service-account-signing-key-file=${saKey}`,
      `--service-cluster-ip-range=10.96.0.0/16`,
      `--authorization-mode=RBAC,Node`,
      `--enable-bootstrap-token-auth`,
      `--allow-privileged=true`,
      // Pods need no ServiceAccount token here (kwok runs no containers), and the
      // controller that creates each namespace's default ServiceAccount would race the seed.
      `--disable-admission-plugins=ServiceAccount`,
      `--enable-admission-plugins=NodeRestriction`,
      `--audit-policy-file=${auditPolicy}`,
      `--audit-log-path=${auditLogPath}`,
      `--audit-log-format=json`,
      `--audit-log-mode=blocking`,
    ])
    await waitFor('kube-apiserver /readyz', async () => (await apiGet(server, certs.caPem, adminToken, '/readyz')).status === 200, processes)

    if (options.controllers === false) return handle()

    // What the controller manager and the scheduler share: the admin's credentials, loopback, no
    // leader election (one of each).
    const componentFlags = [
      `--kubeconfig=${adminKubeconfig}`,
      `--authentication-kubeconfig=${adminKubeconfig}`,
      `--authorization-kubeconfig=${adminKubeconfig}`,
      `--bind-address=127.0.0.1`,
      `--secure-port=0`,
      `--leader-elect=false`,
    ]

    start('kube-controller-manager', bin('kube-controller-manager'), [
      ...componentFlags,
      // The defaults, plus the bootstrap-token signer and cleaner that kubeadm turns on.
      `--controllers=*,bootstrapsigner,tokencleaner`,
      `--service-account-private-key-file=${saKey}`,
      `--root-ca-file=${caFile}`,
      `--node-monitor-period=1s`,
      `--node-monitor-grace-period=${NODE_MONITOR_GRACE_SECONDS}s`,
      `--node-startup-grace-period=30s`,
      `--concurrent-gc-syncs=5`,
    ])
    start('kube-scheduler', bin('kube-scheduler'), [
      ...componentFlags,
    ])

    const kwokConfig = join(CONTROL_PLANE_DIR, 'kwok', 'stages.yaml')
    const kwok = (name: string, manage: string[]) =>
      start(name, bin('kwok'), [
        `--kubeconfig=${adminKubeconfig}`,
        `--config=${kwokConfig}`,
        `--node-lease-duration-seconds=${NODE_LEASE_SECONDS}`,
        `--cidr=10.244.0.1/16`,
        `--node-ip=10.0.0.1`,
        ...manage,
      ])
    const own = options.ownKubelet ?? []
    kwok('kwok', [`--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake`])
    for (const node of own) kwok(`kwok-${node}`, [`--manage-single-node=${node}`])

    const kubectl = (args: string[], input?: string) => run(kubectlPath(), ['--kubeconfig', adminKubeconfig, ...args], { input })
    // POST, as a kubelet registers its Node: create keeps the status (capacity), apply would not.
    const list = (items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items })
    await kubectl(['create', '-f', '-'], list(realClusterFoundation()))
    await kubectl(['create', '-f', '-'], list(realClusterSeed(server, certs.caPem, own)))
    await waitFor(
      'every seeded node Ready and every pod Running',
      async () => {
        const nodes = JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])).items as any[]
        const pods = JSON.parse(await kubectl(['get', 'pods', '-A', '-o', 'json'])).items as any[]
        const ready = nodes.every((n) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'))
        return ready && pods.length > 0 && pods.every((p) => p.status?.phase === 'Running')
      },
      processes,
    )

    return handle()
  } catch (err) {
    await stop()
    throw err
  }

  function handle(): ControlPlane {
    return {
      dir,
      server,
      caPem: certs.caPem,
      adminToken,
      adminKubeconfig,
      auditLogPath,
      async stopKubelet(node) {
        const p = processes.get(`kwok-${node}`)
        if (!p) throw new Error(`node ${node} has no kwok of its own`)
        await new Promise<void>((resolve) => {
          if (p.exitCode !== null || p.signalCode !== null) return resolve()
          p.once('exit', () => resolve())
          p.kill('SIGKILL')
        })
      },
      stop,
    }
  }
}

// CLI: scripts/control-plane.sh start DIR | stop DIR
if (import.meta.url === `file://${process.argv[1]}`) {
  const [command, dir] = process.argv.slice(2)
  if (!dir || (command !== 'start' && command !== 'stop')) {
    console.error('usage: scripts/control-plane.sh start|stop DIR')
    process.exit(2)
  }
  if (command === 'start') {
    const cp = await startControlPlane({ dir, detached: true })
    console.log(`control plane ready: KUBECONFIG=${cp.adminKubeconfig} (${KUBERNETES_RELEASE}); stop with scripts/control-plane.sh stop ${dir}`)
    process.exit(0)
  } else {
    await stopDetached(dir)
  }
}

/** Stops the processes a detached start left (their pids are in DIR/pids): SIGTERM, then SIGKILL after 10 s. */
async function stopDetached(dir: string): Promise<void> {
  const pidsFile = join(dir, 'pids')
  if (!existsSync(pidsFile)) return
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }
  const pids = readFileSync(pidsFile, 'utf8').split('\n').filter(Boolean).map(Number).reverse()
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGTERM')
  const deadline = Date.now() + 10_000
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL')
  rmSync(pidsFile)
}
