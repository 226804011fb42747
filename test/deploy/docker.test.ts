// No Docker engine runs here, so the Dockerfile and docker-compose.yml are checked against the
// project instead: the same start command the tests run, only environment variables config.ts
// accepts (with values it accepts), files that exist, one port, the health endpoint.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { DEFAULT_POLICY, parsePolicy } from '../../src/app/policy.js'
import { parseServeConfig } from '../../src/config.js'
import { parseSimulatorFlags } from '../../src/simulator/simulator.command.js'
import { loadManifests } from './manifests.js'

const ROOT = join(import.meta.dirname, '..', '..')
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8')
const START = ['node', 'bin/nodeplan.mjs', 'serve']
/** Read by Node.js itself, not by nodeplan's config. */
const RUNTIME_ENV = ['NODE_ENV']

interface Instruction {
  op: string
  args: string
}

/** Dockerfile instructions: comments dropped, `\` continuations joined. */
function dockerfile(text: string): Instruction[] {
  return text
    .replace(/^\s*#.*$/gm, '')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [, op, args] = /^(\w+)\s+([\s\S]*)$/.exec(line)!
      return { op: op!.toUpperCase(), args: args!.trim() }
    })
}

/** `KEY=value KEY2=value2` of an ENV instruction. */
const envPairs = (args: string): Record<string, string> => Object.fromEntries([...args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]))

/** The environment names src/config.ts reads, from its own source. */
function configEnvNames(): string[] {
  const config = read('src/config.ts')
  return [...config.matchAll(/\b(?:str|setting|whole|list)\((?:'[a-z-]+'|null), '([A-Z_]+)'|\benv\.([A-Z_]+)|seconds\('([A-Z_]+)'/g)].map((m) => (m[1] ?? m[2] ?? m[3])!)
}

const instructions = dockerfile(read('Dockerfile'))
const stages = instructions.reduce<Instruction[][]>((all, i) => (i.op === 'FROM' ? [...all, [i]] : (all.at(-1)!.push(i), all)), [])
const runtime = stages.at(-1)!
const compose = parse(read('docker-compose.yml'))
const nodeplan = compose.services.nodeplan
const dockerEnv = Object.assign({}, ...runtime.filter((i) => i.op === 'ENV').map((i) => envPairs(i.args))) as Record<string, string>

describe('Dockerfile', () => {
  it('should build in one stage (npm ci compiles dist/, then only production dependencies are kept) and run in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2)
    expect(stages[0]!.some((i) => i.op === 'RUN' && /\bnpm ci && npm prune --omit=dev\b/.test(i.args))).toBe(true)
    expect(JSON.parse(read('package.json')).scripts.postinstall).toContain('npm run build')
    for (const built of ['/app/node_modules', '/app/dist']) {
      expect(runtime.some((i) => i.op === 'COPY' && i.args.includes('--from=build') && i.args.includes(built)), built).toBe(true)
    }
    expect(runtime.some((i) => i.op === 'RUN' && /\b(apt-get|npm) /.test(i.args))).toBe(false)
  })

  it('should run as a user other than root', () => {
    const user = runtime.filter((i) => i.op === 'USER').at(-1)?.args
    expect(user).toBeDefined()
    expect(['root', '0']).not.toContain(user!.split(':')[0])
  })

  it('should start with the command the tests and npm start run', () => {
    const cmd = runtime.filter((i) => i.op === 'CMD').at(-1)!
    expect(JSON.parse(cmd.args)).toEqual(START)
    expect(JSON.parse(read('package.json')).scripts.start).toBe(START.join(' '))
    // test/support/nodeplan-process.ts spawns bin/nodeplan.mjs with `serve`, as the image does.
    const support = read('test/support/nodeplan-process.ts')
    expect(support).toContain("'../../bin/nodeplan.mjs'")
    expect(support).toContain("[BIN, 'serve'")
  })

  it('should copy only files that exist', () => {
    const sources = instructions
      .filter((i) => i.op === 'COPY' && !i.args.includes('--from='))
      .flatMap((i) => i.args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1))
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'prisma', 'bin', 'src']))
    for (const source of sources) expect(existsSync(join(ROOT, source)), source).toBe(true)
  })

  it('should set only environment variables config.ts accepts, with values it accepts', () => {
    const names = configEnvNames()
    expect(names).toEqual(expect.arrayContaining(['PORT', 'HOST', 'DATABASE_URL', 'KUBECONFIG', 'NODEPLAN_TOKENS_FILE', 'LOG_LEVEL']))
    for (const name of Object.keys(dockerEnv)) expect([...names, ...RUNTIME_ENV], name).toContain(name)
    // HOST=0.0.0.0 needs a tokens file, which a deployment mounts.
    const config = parseServeConfig([], { ...dockerEnv, NODEPLAN_TOKENS_FILE: join(ROOT, 'deploy/compose/tokens.json') })
    expect(config).toMatchObject({ port: 8080, host: '0.0.0.0', databaseUrl: 'file:/data/nodeplan.db' })
  })

  it('should expose the port it listens on and check /healthz there', () => {
    const exposed = runtime.filter((i) => i.op === 'EXPOSE').map((i) => i.args)
    expect(exposed).toEqual([dockerEnv.PORT])
    const check = runtime.find((i) => i.op === 'HEALTHCHECK')!
    expect(check.args).toMatch(/\bCMD\b/)
    expect(check.args).toContain('/healthz')
    expect(check.args).toContain('process.env.PORT')
  })

  it('should leave node_modules, generated code and databases out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim())
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'src/generated', 'dist', '.nodeplan', '*.db', '.git']))
  })
})

describe('docker-compose.yml', () => {
  it('should start nodeplan with the same command as the Dockerfile', () => {
    expect(nodeplan.command).toEqual(START)
    expect(nodeplan.build).toBe('.')
  })

  it('should set only environment variables config.ts accepts, with values it accepts once the mounted files are in place', () => {
    const names = configEnvNames()
    for (const name of Object.keys(nodeplan.environment)) expect([...names, ...RUNTIME_ENV], name).toContain(name)
    // Each mounted file, back at its place in the repository.
    const mounts = Object.fromEntries(
      (nodeplan.volumes as string[]).filter((v) => v.startsWith('./')).map((v) => v.split(':')).map(([host, container]) => [container!, join(ROOT, host!)]),
    )
    const env = Object.fromEntries(Object.entries(nodeplan.environment as Record<string, string>).map(([k, v]) => [k, mounts[v] ?? v]))
    expect(env.NODEPLAN_TOKENS_FILE).toBe(join(ROOT, 'deploy/compose/tokens.json'))
    const config = parseServeConfig([], env)
    expect(config.auth).not.toBeNull()
    expect(config.port).toBe(Number(dockerEnv.PORT))
    expect(nodeplan.ports).toEqual([`${config.port}:${config.port}`])
  })

  it('should run on the PostgreSQL service with its credentials, on a volume, once it is healthy', () => {
    const postgres = compose.services.postgres
    const url = new URL(nodeplan.environment.DATABASE_URL)
    expect(url.protocol).toBe('postgresql:')
    expect(url.hostname).toBe('postgres')
    expect([url.username, url.password, url.pathname.slice(1)]).toEqual([postgres.environment.POSTGRES_USER, postgres.environment.POSTGRES_PASSWORD, postgres.environment.POSTGRES_DB])
    expect(postgres.image).toMatch(/^postgres:1[5-9]/)
    const [volume, path] = (postgres.volumes[0] as string).split(':')
    expect(path).toBe('/var/lib/postgresql/data')
    expect(Object.keys(compose.volumes)).toContain(volume)
    expect(nodeplan.depends_on.postgres).toEqual({ condition: 'service_healthy' })
    expect(postgres.healthcheck.test.join(' ')).toContain('pg_isready')
  })

  it('should run the simulator only under its profile, and point nodeplan at the kubeconfig it writes', () => {
    const simulator = compose.services.simulator
    expect(simulator.profiles).toEqual(['simulator'])
    expect(nodeplan.profiles).toBeUndefined()
    expect(compose.services.postgres.profiles).toBeUndefined()
    expect(nodeplan.depends_on.simulator).toEqual({ condition: 'service_healthy', required: false })

    const [node, bin, command, ...flags] = simulator.command as string[]
    expect([node, bin, command]).toEqual(['node', 'bin/nodeplan.mjs', 'simulator'])
    const parsed = parseSimulatorFlags(flags)
    if (!parsed.ok) throw new Error(parsed.error)
    const { options } = parsed
    expect(options.host).toBe('0.0.0.0')
    expect(options.advertiseUrl).toBe(`https://simulator:${options.port}`)
    expect(simulator.ports).toEqual([`${options.port}:${options.port}`])

    // The file it writes is where nodeplan's KUBECONFIG looks, through one shared volume.
    const mountOf = (service: any, file: string) =>
      (service.volumes as string[]).map((v) => v.split(':')).find(([, dir]) => file.startsWith(`${dir}/`))?.[0]
    const shared = mountOf(simulator, options.kubeconfigOut!)
    expect(shared).toBeDefined()
    expect(Object.keys(compose.volumes)).toContain(shared)
    expect(mountOf(nodeplan, nodeplan.environment.KUBECONFIG)).toBe(shared)
    // The image prepares that directory for its non-root user, so the new volume is writable.
    expect(runtime.some((i) => i.op === 'RUN' && i.args.includes('chown node:node') && i.args.includes('/simulator'))).toBe(true)
  })
})

describe('deploy/kubernetes Deployment', () => {
  const manifests = loadManifests()
  const deployment = manifests.find((m) => m.kind === 'Deployment')!
  const pod = deployment.spec.template.spec
  const container = pod.containers[0]

  it('should start the image with the same command, on the port the Service targets, with probes on /healthz and /readyz', () => {
    expect(container.command).toEqual(START)
    const env = Object.fromEntries((container.env as { name: string; value?: string }[]).map((e) => [e.name, e.value]))
    for (const name of Object.keys(env)) expect([...configEnvNames(), ...RUNTIME_ENV], name).toContain(name)
    expect(container.ports).toEqual([{ name: 'http', containerPort: Number(env.PORT) }])
    expect(Number(env.PORT)).toBe(Number(dockerEnv.PORT))
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' })
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' })
    const service = manifests.find((m) => m.kind === 'Service')!
    expect(service.spec.ports[0].targetPort).toBe('http')
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels)
  })

  it('should run the image compose builds, tagged with the package version, and be applied whole by kustomize', () => {
    const tag = `nodeplan:${JSON.parse(read('package.json')).version}`
    expect(container.image).toBe(tag)
    expect(nodeplan.image).toBe(tag)
    const listed = parse(read('deploy/kubernetes/kustomization.yaml')).resources as string[]
    const files = readdirSync(join(ROOT, 'deploy/kubernetes')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    expect([...listed].sort()).toEqual(files.sort())
  })

  it('should run as non-root on a read-only root with /tmp on an emptyDir, within requests and limits', () => {
    expect(pod.serviceAccountName).toBe('nodeplan')
    expect(pod.securityContext.runAsNonRoot).toBe(true)
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } })
    const tmp = container.volumeMounts.find((m: any) => m.mountPath === '/tmp')
    expect(pod.volumes.find((v: any) => v.name === tmp.name).emptyDir).toBeDefined()
    expect(Object.keys(container.resources.requests)).toEqual(['cpu', 'memory'])
    expect(Object.keys(container.resources.limits)).toEqual(['cpu', 'memory'])
  })

  it('should take its tokens, database URL and policy from the Secret and ConfigMap it ships, at the paths it is told', () => {
    const secret = manifests.find((m) => m.kind === 'Secret')!
    const configMap = manifests.find((m) => m.kind === 'ConfigMap')!
    const env = Object.fromEntries((container.env as any[]).map((e) => [e.name, e]))
    expect(env.DATABASE_URL.valueFrom.secretKeyRef).toEqual({ name: secret.metadata.name, key: 'database-url' })
    expect(secret.stringData['database-url']).toMatch(/^postgresql:\/\//)
    const fileAt = (path: string) => {
      const mount = container.volumeMounts.find((m: any) => path.startsWith(`${m.mountPath}/`))
      return { volume: pod.volumes.find((v: any) => v.name === mount.name), file: path.slice(mount.mountPath.length + 1) }
    }
    const tokens = fileAt(env.NODEPLAN_TOKENS_FILE.value)
    expect(tokens.volume.secret.secretName).toBe(secret.metadata.name)
    expect(JSON.parse(secret.stringData[tokens.file])).toEqual(expect.arrayContaining([expect.objectContaining({ role: 'approver' })]))
    const policy = fileAt(env.NODEPLAN_POLICY_FILE.value)
    expect(policy.volume.configMap.name).toBe(configMap.metadata.name)
    expect(parsePolicy(JSON.parse(configMap.data[policy.file]), 'the ConfigMap')).toEqual(DEFAULT_POLICY)
  })
})
