// The simulator's own PKI: a self-signed CA and a server certificate for 127.0.0.1, localhost and
// kubernetes.default.svc (and any names asked for), ECDSA P-256, built with @peculiar/x509.
import 'reflect-metadata' // @peculiar/x509's dependency injection (tsyringe) needs it loaded first
import { webcrypto } from 'node:crypto'
import * as x509 from '@peculiar/x509'

export interface ClusterCertificates {
  caPem: string
  serverCertPem: string
  serverKeyPem: string
}

type Crypto = NonNullable<Parameters<typeof x509.X509CertificateGenerator.create>[1]>
const crypto = webcrypto as unknown as Crypto
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }

/** A positive 128-bit serial number, as hex. */
function serialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16))
  bytes[0]! &= 0x7f
  return Buffer.from(bytes).toString('hex')
}

const newKeys = () => webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>

/** `dnsNames`: more names the server certificate is valid for (e.g. a compose service name). */
export async function generateClusterCertificates(now = new Date(), dnsNames: string[] = []): Promise<ClusterCertificates> {
  // TLS validity is checked by clients against their wall clock, not the simulated one.
  const notBefore = new Date(now.getTime() - 3600_000)
  const notAfter = new Date(now.getTime() + 10 * 365 * 86400_000)
  const [caKeys, serverKeys] = await Promise.all([newKeys(), newKeys()])
  const { KeyUsageFlags: Usage } = x509
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serialNumber(),
      name: 'CN=nodeplan-simulator-ca',
      notBefore,
      notAfter,
      keys: caKeys,
      signingAlgorithm: ECDSA,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(Usage.digitalSignature | Usage.keyCertSign | Usage.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  )
  const server = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serialNumber(),
      subject: 'CN=kube-apiserver',
      issuer: ca.subject,
      notBefore,
      notAfter,
      publicKey: serverKeys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: ECDSA,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(Usage.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
        new x509.SubjectAlternativeNameExtension([
          ...['localhost', 'kubernetes.default.svc', ...dnsNames].map((value) => ({ type: 'dns' as const, value })),
          { type: 'ip', value: '127.0.0.1' },
        ]),
      ],
    },
    crypto,
  )
  const key = await webcrypto.subtle.exportKey('pkcs8', serverKeys.privateKey)
  return { caPem: ca.toString('pem'), serverCertPem: server.toString('pem'), serverKeyPem: x509.PemConverter.encode(key, 'PRIVATE KEY') }
}

let shared: Promise<ClusterCertificates> | null = null

/** One CA and server certificate per process: every simulator started here reuses them (unless it needs more names). */
export function clusterCertificates(dnsNames: string[] = []): Promise<ClusterCertificates> {
  if (dnsNames.length > 0) return generateClusterCertificates(new Date(), dnsNames)
  shared ??= generateClusterCertificates()
  return shared
}
