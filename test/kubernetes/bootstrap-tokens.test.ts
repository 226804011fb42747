import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bootstrapTokenSecret, caCertHash, generateBootstrapToken, hostPort } from '../../src/adapters/kubernetes/bootstrap-tokens.js'

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
