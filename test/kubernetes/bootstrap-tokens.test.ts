import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bootstrapTokenSecret, caCertHash, generateBootstrapToken, hostPort, KubernetesBootstrapTokens } from '../../src/adapters/kubernetes/bootstrap-tokens.js'
import { kubeConfigFromString } from '../../src/adapters/kubernetes/kubeconfig.js'
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js'

describe('caCertHash', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nodeplan-ca-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it.each(['rsa:2048', 'ec'])('matches the openssl pipeline of the kubeadm documentation (%s key)', (alg) => {
    const key = path.join(dir, `${alg.replace(':', '')}.key`)
    const crt = path.join(dir, `${alg.replace(':', '')}.crt`)
    const newkey = alg === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', alg]
    execFileSync('openssl', ['req', '-x509', ...newkey, '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', '/CN=kubernetes'], { stdio: 'ignore' })
    // openssl x509 -pubkey -in ca.crt | openssl rsa -pubin -outform der | openssl dgst -sha256 -hex  (pkey for any key type)
    const pub = execFileSync('openssl', ['x509', '-pubkey', '-noout', '-in', crt])
    const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: pub })
    const hex = execFileSync('openssl', ['dgst', '-sha256', '-hex'], { input: der }).toString().trim().split(/\s+/).pop()
    expect(hex).toMatch(/^[0-9a-f]{64}$/)
    expect(caCertHash(readFileSync(crt, 'utf8'))).toBe(`sha256:${hex}`)
  })
})

describe('bootstrap token', () => {
  it('has the kubeadm shape [a-z0-9]{6}.[a-z0-9]{16}, fresh each time', () => {
    const a = generateBootstrapToken()
    const b = generateBootstrapToken()
    expect(`${a.id}.${a.secret}`).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/)
    expect(`${a.id}.${a.secret}`).not.toBe(`${b.id}.${b.secret}`)
  })

  it('covers the whole alphabet from the random source', () => {
    let i = 0
    const t = generateBootstrapToken(() => i++ % 36)
    expect(t.id).toBe('abcdef')
    expect(t.secret).toBe('ghijklmnopqrstuv')
  })

  it('is stored as the kube-system Secret kubeadm writes', () => {
    const s = bootstrapTokenSecret('abcdef', '0123456789abcdef', { expiresAt: new Date('2026-11-26T22:30:00.000Z'), description: 'rejoin gpu-3' })
    const data = Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]))
    expect(s.metadata).toEqual({ name: 'bootstrap-token-abcdef', namespace: 'kube-system' })
    expect(s.type).toBe('bootstrap.kubernetes.io/token')
    expect(data).toEqual({
      'token-id': 'abcdef',
      'token-secret': '0123456789abcdef',
      expiration: '2026-11-26T22:30:00Z',
      'usage-bootstrap-authentication': 'true',
      'usage-bootstrap-signing': 'true',
      'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token',
      description: 'rejoin gpu-3',
    })
  })

  it('has no expiration when it never expires', () => {
    const s = bootstrapTokenSecret('abcdef', '0123456789abcdef', { expiresAt: null, description: '' })
    expect(Object.keys(s.data ?? {})).not.toContain('expiration')
  })
})

describe('hostPort', () => {
  it.each([
    ['https://10.0.0.1:6443', '10.0.0.1:6443'],
    ['https://api.example.internal', 'api.example.internal:443'],
    ['https://[fd00::1]:6443/', '[fd00::1]:6443'],
  ])('%s → %s', (server, want) => {
    expect(hostPort(server)).toBe(want)
  })
})

describe('KubernetesBootstrapTokens against the simulator', () => {
  let sim: RunningSimulator
  beforeAll(async () => {
    sim = await startSimulator({ systemNodes: 1, gpuNodes: 1, cpuNodes: 0, startTime: new Date('2026-11-25T12:00:00Z') })
  })
  afterAll(async () => {
    await sim.close()
  })

  it('creates a token a joining node can use, and the join command kubeadm would print', async () => {
    const tokens = new KubernetesBootstrapTokens(kubeConfigFromString(sim.kubeconfig))
    const join = await tokens.createJoinCommand({ ttlHours: 2, description: 'rejoin gpu-9', now: sim.sim.clock.now() })
    expect(join.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/)
    expect(join.token.startsWith(`${join.tokenId}.`)).toBe(true)
    expect(join.expiresAt?.toISOString()).toBe('2026-11-25T14:00:00.000Z')
    expect(join.apiServer).toBe(new URL(sim.url).host)
    expect(join.caCertHash).toBe(caCertHash(sim.caPem))
    expect(join.command).toBe(`kubeadm join ${join.apiServer} --token ${join.token} --discovery-token-ca-cert-hash ${join.caCertHash}`)
    const secret = sim.sim.secrets.get('kube-system', `bootstrap-token-${join.tokenId}`)
    expect(secret?.type).toBe('bootstrap.kubernetes.io/token')
    expect(sim.sim.join('gpu-9', join.token)).toEqual({ node: 'gpu-9', created: true })
  })

  it('a token past its expiration is refused at join', async () => {
    const tokens = new KubernetesBootstrapTokens(kubeConfigFromString(sim.kubeconfig))
    const { token } = await tokens.createBootstrapToken({ ttlHours: 1, description: '', now: sim.sim.clock.now() })
    sim.sim.advance(3601)
    expect(() => sim.sim.join('gpu-10', token)).toThrow(/expired/)
  })

  it('refuses a negative ttl', async () => {
    const tokens = new KubernetesBootstrapTokens(kubeConfigFromString(sim.kubeconfig))
    await expect(tokens.createBootstrapToken({ ttlHours: -1, description: '', now: new Date() })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' })
  })
})
