// What `kubeadm token create --print-join-command` does, through the API: a bootstrap token
// stored as a Secret in kube-system, and the join command naming the API server and the
// hash of its CA's public key. The token's secret half is returned to the caller only:
// never logged, never put in an error message.
import { randomInt, createHash, X509Certificate } from 'node:crypto'
import { loadYaml, type KubeConfig, type V1Secret } from '@kubernetes/client-node'
import type { BootstrapTokens } from '../../app/ports.js'
import { NodeplanError } from '../../domain/errors.js'
import { httpStatus, toAdapterError } from './api-error.js'
import { clusterEndpoint } from './kubeconfig.js'
import { KubernetesApi } from './kubernetes-api.js'

export const BOOTSTRAP_TOKEN_TYPE = 'bootstrap.kubernetes.io/token'
export const DEFAULT_NODE_TOKEN_GROUP = 'system:bootstrappers:kubeadm:default-node-token'

export interface CreatedBootstrapToken {
  tokenId: string
  /** `<id>.<secret>`: show it once, store only tokenId. */
  token: string
  /** null when ttlHours is 0 (a token that never expires, as kubeadm has it). */
  expiresAt: Date | null
}

export interface JoinCommand extends CreatedBootstrapToken {
  /** host:port of the API server the node joins. */
  apiServer: string
  caCertHash: string
  command: string
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'
const randomString = (n: number, pick: (max: number) => number) => Array.from({ length: n }, () => ALPHABET[pick(ALPHABET.length)]).join('')

/** A token `[a-z0-9]{6}.[a-z0-9]{16}` from crypto randomness. */
export function generateBootstrapToken(pick: (max: number) => number = randomInt): { id: string; secret: string } {
  return { id: randomString(6, pick), secret: randomString(16, pick) }
}

/** `sha256:<hex>` of the DER SubjectPublicKeyInfo of the (first) CA certificate: kubeadm's --discovery-token-ca-cert-hash. */
export function caCertHash(caPem: string): string {
  const spki = new X509Certificate(caPem).publicKey.export({ type: 'spki', format: 'der' })
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`
}

/** host:port of a server URL; the port defaults to 443 as kubeadm's does. */
export function hostPort(server: string): string {
  const url = new URL(server)
  return `${url.hostname}:${url.port || '443'}` // an IPv6 hostname keeps its brackets in URL
}

/** RFC 3339 in UTC without fractions, as kubeadm writes `expiration`. */
const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z')

export function bootstrapTokenSecret(id: string, secret: string, opts: { expiresAt: Date | null; description: string }): V1Secret {
  const data: Record<string, string> = {
    'token-id': id,
    'token-secret': secret,
    'usage-bootstrap-authentication': 'true',
    'usage-bootstrap-signing': 'true',
    'auth-extra-groups': DEFAULT_NODE_TOKEN_GROUP,
    description: opts.description,
  }
  if (opts.expiresAt) data.expiration = rfc3339(opts.expiresAt)
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
    type: BOOTSTRAP_TOKEN_TYPE,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])),
  }
}

export class KubernetesBootstrapTokens implements BootstrapTokens {
  private readonly api: KubernetesApi

  constructor(source: KubeConfig | KubernetesApi) {
    this.api = source instanceof KubernetesApi ? source : new KubernetesApi(source)
  }

  async createBootstrapToken(opts: { ttlHours: number; description: string; now: Date }): Promise<CreatedBootstrapToken> {
    if (!(opts.ttlHours >= 0) || !Number.isFinite(opts.ttlHours)) {
      throw new NodeplanError('BAD_USER_INPUT', `ttlHours must be 0 (never expires) or more, got ${opts.ttlHours}`)
    }
    const expiresAt = opts.ttlHours > 0 ? new Date(opts.now.getTime() + opts.ttlHours * 3_600_000) : null
    // A 6-character id can collide with an existing token: draw again.
    for (let attempt = 1; ; attempt++) {
      const { id, secret } = generateBootstrapToken()
      try {
        await this.api.core.createNamespacedSecret({ namespace: 'kube-system', body: bootstrapTokenSecret(id, secret, { expiresAt, description: opts.description }) })
        return { tokenId: id, token: `${id}.${secret}`, expiresAt }
      } catch (err) {
        if (httpStatus(err) === 409 && attempt < 3) continue
        throw toAdapterError(err, `create bootstrap token ${id}`)
      }
    }
  }

  /**
   * The API server and CA a joining node should use: the kube-public/cluster-info ConfigMap
   * (what `kubeadm join` discovers), else the kubeconfig this service uses.
   */
  async apiServerAndCa(): Promise<{ server: string; caPem: string }> {
    let embedded: string | undefined
    try {
      const cm = await this.api.core.readNamespacedConfigMap({ namespace: 'kube-public', name: 'cluster-info' })
      embedded = cm.data?.kubeconfig
    } catch (err) {
      if (httpStatus(err) !== 404 && httpStatus(err) !== 403) throw toAdapterError(err, 'read kube-public/cluster-info')
    }
    if (embedded) {
      // kubeadm writes a cluster with an empty name, which KubeConfig refuses: read the YAML as data.
      const doc = loadYaml<{ clusters?: { cluster?: { server?: string; 'certificate-authority-data'?: string } }[] }>(embedded)
      const cluster = doc?.clusters?.[0]?.cluster
      const caData = cluster?.['certificate-authority-data']
      if (cluster?.server && caData) return { server: cluster.server, caPem: Buffer.from(caData, 'base64').toString('utf8') }
    }
    const own = clusterEndpoint(this.api.kc)
    if (!own.caPem) throw new Error('no CA certificate: kube-public/cluster-info is missing and the kubeconfig has no certificate-authority')
    return { server: own.server, caPem: own.caPem }
  }

  /** `kubeadm join <host:port> --token <id.secret> --discovery-token-ca-cert-hash sha256:<hex>` */
  async createJoinCommand(opts: { ttlHours: number; description: string; now: Date }): Promise<JoinCommand> {
    const { server, caPem } = await this.apiServerAndCa()
    const hash = caCertHash(caPem)
    const created = await this.createBootstrapToken(opts)
    const apiServer = hostPort(server)
    return { ...created, apiServer, caCertHash: hash, command: `kubeadm join ${apiServer} --token ${created.token} --discovery-token-ca-cert-hash ${hash}` }
  }
}
