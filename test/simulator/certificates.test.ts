import { execFile } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import * as der from '../../src/simulator/asn1.js'
import { clusterCertificates, generateClusterCertificates } from '../../src/simulator/certificates.js'

describe('DER encoding', () => {
  it.each([
    ['a short sequence', der.sequence(der.boolean(true)), '30030101ff'],
    ['a long length', der.octetString(Buffer.alloc(200)).subarray(0, 3), '0481c8'],
    ['an OID', der.objectIdentifier('1.2.840.10045.4.3.2'), '06082a8648ce3d040302'],
    ['a positive integer with a high bit', der.unsignedInteger(Buffer.from([0x80])), '02020080'],
    ['leading zeros dropped', der.unsignedInteger(Buffer.from([0, 0, 5])), '020105'],
    ['UTCTime', der.time(new Date('2026-01-02T03:04:05Z')), '170d3236303130323033303430355a'],
    ['GeneralizedTime after 2049', der.time(new Date('2050-01-01T00:00:00Z')), '180f32303530303130313030303030305a'],
  ])('%s', (_name, encoded, hex) => {
    expect(encoded.toString('hex')).toBe(hex)
  })
})

describe('cluster certificates', () => {
  it('makes a CA and a server certificate for 127.0.0.1 and localhost signed by it', () => {
    const certs = generateClusterCertificates()
    const ca = new X509Certificate(certs.caPem)
    const server = new X509Certificate(certs.serverCertPem)
    expect(ca.ca).toBe(true)
    expect(server.ca).toBe(false)
    expect(server.verify(ca.publicKey)).toBe(true)
    expect(server.checkIssued(ca)).toBe(true)
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1')
    expect(server.checkHost('localhost')).toBe('localhost')
    expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1'])
  })

  it('passes openssl verify with the server-auth purpose', async () => {
    const certs = generateClusterCertificates()
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

  it('reuses one pair within a process', () => {
    expect(clusterCertificates()).toBe(clusterCertificates())
  })
})
