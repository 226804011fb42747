// The simulator's own PKI: a self-signed CA and a server certificate for 127.0.0.1 and
// localhost, ECDSA P-256 (fast to generate). Node can sign but cannot build X.509, so the
// certificates are assembled with the DER encoder in asn1.ts.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import * as der from './asn1.js'

export interface ClusterCertificates {
  caPem: string
  serverCertPem: string
  serverKeyPem: string
}

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
}

const name = (commonName: string): Buffer =>
  der.sequence(der.set(der.sequence(der.objectIdentifier(OID.commonName), der.utf8String(commonName))))

const extension = (oid: string, critical: boolean, value: Buffer): Buffer =>
  der.sequence(der.objectIdentifier(oid), ...(critical ? [der.boolean(true)] : []), der.octetString(value))

// KeyUsage bits, numbered from the most significant bit of the first byte.
const DIGITAL_SIGNATURE = 0x80
const KEY_CERT_SIGN = 0x04
const CRL_SIGN = 0x02

function keyUsage(bits: number): Buffer {
  let unused = 0
  while (unused < 7 && !(bits & (1 << unused))) unused++
  return der.bitString(Buffer.from([bits]), unused)
}

function ipAddress(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number))
}

interface CertificateInput {
  subject: string
  issuer: string
  publicKey: KeyObject
  signingKey: KeyObject
  extensions: Buffer[]
  notBefore: Date
  notAfter: Date
}

function certificateDer(input: CertificateInput): Buffer {
  const algorithm = der.sequence(der.objectIdentifier(OID.ecdsaWithSha256))
  const serial = randomBytes(16)
  serial[0]! &= 0x7f
  const tbs = der.sequence(
    der.explicit(0, der.smallInteger(2)),
    der.unsignedInteger(serial),
    algorithm,
    name(input.issuer),
    der.sequence(der.time(input.notBefore), der.time(input.notAfter)),
    name(input.subject),
    input.publicKey.export({ type: 'spki', format: 'der' }),
    der.explicit(3, der.sequence(...input.extensions)),
  )
  const signature = sign('sha256', tbs, input.signingKey)
  return der.sequence(tbs, algorithm, der.bitString(signature))
}

function pem(label: string, body: Buffer): string {
  const lines = body.toString('base64').match(/.{1,64}/g) ?? []
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}

function keyId(publicKey: KeyObject): Buffer {
  return createHash('sha1').update(publicKey.export({ type: 'spki', format: 'der' })).digest()
}

/** `dnsNames`: more names the server certificate is valid for (e.g. a compose service name). */
export function generateClusterCertificates(now = new Date(), dnsNames: string[] = []): ClusterCertificates {
  // TLS validity is checked by clients against their wall clock, not the simulated one.
  const notBefore = new Date(now.getTime() - 3600_000)
  const notAfter = new Date(now.getTime() + 10 * 365 * 86400_000)
  const ca = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const server = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const caKeyId = keyId(ca.publicKey)

  const caDer = certificateDer({
    subject: 'nodeplan-simulator-ca',
    issuer: 'nodeplan-simulator-ca',
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
    notBefore,
    notAfter,
    extensions: [
      extension(OID.basicConstraints, true, der.sequence(der.boolean(true))),
      extension(OID.keyUsage, true, keyUsage(DIGITAL_SIGNATURE | KEY_CERT_SIGN | CRL_SIGN)),
      extension(OID.subjectKeyIdentifier, false, der.octetString(caKeyId)),
    ],
  })
  const serverDer = certificateDer({
    subject: 'kube-apiserver',
    issuer: 'nodeplan-simulator-ca',
    publicKey: server.publicKey,
    signingKey: ca.privateKey,
    notBefore,
    notAfter,
    extensions: [
      extension(OID.basicConstraints, true, der.sequence()),
      extension(OID.keyUsage, true, keyUsage(DIGITAL_SIGNATURE)),
      extension(OID.extKeyUsage, false, der.sequence(der.objectIdentifier(OID.serverAuth))),
      extension(OID.authorityKeyIdentifier, false, der.sequence(der.implicit(0, caKeyId))),
      extension(
        OID.subjectAltName,
        false,
        der.sequence(
          der.implicit(2, Buffer.from('localhost')),
          der.implicit(2, Buffer.from('kubernetes.default.svc')),
          ...dnsNames.map((name) => der.implicit(2, Buffer.from(name))),
          der.implicit(7, ipAddress('127.0.0.1')),
        ),
      ),
    ],
  })
  return {
    caPem: pem('CERTIFICATE', caDer),
    serverCertPem: pem('CERTIFICATE', serverDer),
    serverKeyPem: server.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  }
}

let shared: ClusterCertificates | null = null

/** One CA and server certificate per process: every simulator started here reuses them (unless it needs more names). */
export function clusterCertificates(dnsNames: string[] = []): ClusterCertificates {
  if (dnsNames.length > 0) return generateClusterCertificates(new Date(), dnsNames)
  shared ??= generateClusterCertificates()
  return shared
}
