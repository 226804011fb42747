import { execFile } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { clusterCertificates, generateClusterCertificates } from '../../src/simulator/certificates.js'

describe('cluster certificates', () => {
  it('makes a CA and a server certificate for 127.0.0.1 and localhost signed by it', async () => {
    const certs = await generateClusterCertificates(new Date(), ['simulator'])
    const ca = new X509Certificate(certs.caPem)
    const server = new X509Certificate(certs.serverCertPem)
    expect(ca.ca).toBe(true)
    expect(server.ca).toBe(false)
    expect(server.verify(ca.publicKey)).toBe(true)
    expect(server.checkIssued(ca)).toBe(true)
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1')
    expect(server.checkHost('localhost')).toBe('localhost')
    expect(server.checkHost('kubernetes.default.svc')).toBe('kubernetes.default.svc')
    expect(server.checkHost('simulator')).toBe('simulator')
    expect(server.checkHost('elsewhere.example')).toBeUndefined()
    expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1'])
    expect(server.subject).toBe('CN=kube-apiserver')
    expect(ca.subject).toBe('CN=nodeplan-simulator-ca')
    expect(Date.parse(server.validTo) - Date.now()).toBeGreaterThan(9 * 365 * 86400_000)
  })

  it('passes openssl verify with the server-auth purpose', async () => {
    const certs = await generateClusterCertificates()
    const dir = mkdtempSync(join(tmpdir(), 'nodeplan-certs-'))
    try {
      writeFileSync(join(dir, 'ca.pem'), certs.caPem)
      writeFileSync(join(dir, 'server.pem'), certs.serverCertPem)
      const out = await new Promise<string>((resolve, reject) =>
        execFile('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', join(dir, 'ca.pem'), join(dir, 'server.pem')], (e, stdout, stderr) =>
          e ? reject(new Error(stderr)) : resolve(stdout),
        ),
      )
      expect(out.trim()).toBe(`${join(dir, 'server.pem')}: OK`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('reuses one pair within a process', async () => {
    expect(await clusterCertificates()).toBe(await clusterCertificates())
  })
})
