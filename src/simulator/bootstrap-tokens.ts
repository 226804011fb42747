// Bootstrap tokens as kubeadm uses them: the bootstrap signer signs kube-public/cluster-info for
// each signing token, the token cleaner deletes expired tokens, and `kubeadm join` registers a
// node with a valid one.
import { createHmac } from 'node:crypto'
import type { Kubelets } from './kubelets.js'
import { isReady, kubeletLabels } from './node-object.js'
import type { SimContext } from './sim-context.js'
import { ApiError, badRequest, forbidden } from './status.js'
import type { KubeObject, StoreEvent } from './store.js'

export interface JoinResult {
  node: string
  created: boolean
}

const TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/

export class BootstrapTokens {
  /** Token id → expiration, for tokens the token cleaner deleted (so a join can say why it fails). */
  private readonly cleanedTokens = new Map<string, string>()

  constructor(
    private readonly ctx: SimContext,
    private readonly kubelets: Kubelets,
  ) {}

  /** What `kubeadm join --token id.secret` does: a matching, unexpired bootstrap token registers the node. */
  join(nodeName: string, token: string, defaultGpus: (name: string) => number, gpus?: number): JoinResult {
    if (!nodeName || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(nodeName)) throw badRequest(`invalid node name "${nodeName}"`)
    const m = TOKEN_PATTERN.exec(token ?? '')
    if (!m) throw badRequest(`the bootstrap token "${token}" was not of the form "^[a-z0-9]{6}\\.[a-z0-9]{16}$"`)
    const [, id, secret] = m as unknown as [string, string, string]
    const tokenSecret = this.ctx.secrets.get('kube-system', `bootstrap-token-${id}`)
    const noSignature = `couldn't validate the identity of the API Server: could not find a JWS signature in the cluster-info ConfigMap for token ID "${id}"`
    if (!tokenSecret || tokenSecret.type !== 'bootstrap.kubernetes.io/token') {
      const cleaned = this.cleanedTokens.get(id)
      throw new ApiError(401, 'Unauthorized', cleaned ? `${noSignature} (the token expired at ${cleaned} and the token cleaner deleted it)` : noSignature)
    }
    const data = decodeData(tokenSecret)
    if (data['token-id'] !== id || data['token-secret'] !== secret) {
      throw new ApiError(401, 'Unauthorized', "couldn't validate the identity of the API Server: failed to verify JWS signature of received cluster info object, can't trust this API Server")
    }
    const expiration = data.expiration
    if (expiration && !(Date.parse(expiration) > this.ctx.clock.nowMillis())) {
      throw new ApiError(401, 'Unauthorized', `${noSignature} (the token expired at ${expiration})`)
    }
    if (data['usage-bootstrap-authentication'] !== 'true') {
      throw forbidden(`bootstrap token "${id}" may not be used for authentication: usage-bootstrap-authentication is not "true"`)
    }
    const existing = this.ctx.nodes.get(undefined, nodeName)
    if (existing) {
      throw new ApiError(
        409,
        'AlreadyExists',
        `a Node with name "${nodeName}" and status "${isReady(existing) ? 'Ready' : 'NotReady'}" already exists in the cluster. You must delete the existing Node or change the name of this new joining Node`,
      )
    }
    const identity = this.kubelets.identities.get(nodeName) ?? this.kubelets.newIdentity(nodeName, gpus ?? defaultGpus(nodeName))
    this.kubelets.register(identity, kubeletLabels(nodeName))
    return { node: nodeName, created: true }
  }

  /** The token cleaner deletes expired bootstrap tokens (and so their cluster-info signatures). */
  cleanExpired(): void {
    for (const secret of this.ctx.secrets.list('kube-system')) {
      if (secret.type !== 'bootstrap.kubernetes.io/token') continue
      const expiration = decodeData(secret).expiration
      if (expiration && !(Date.parse(expiration) > this.ctx.clock.nowMillis())) {
        this.ctx.secrets.delete('kube-system', secret.metadata.name)
        this.cleanedTokens.set(secret.metadata.name.replace(/^bootstrap-token-/, ''), expiration)
      }
    }
  }

  /** The bootstrap signer: cluster-info carries a JWS signature per valid signing token. */
  onSecret(e: StoreEvent): void {
    if (e.object.metadata.namespace !== 'kube-system' || e.object.type !== 'bootstrap.kubernetes.io/token') return
    this.signClusterInfo()
  }

  signClusterInfo(): void {
    const info = this.ctx.configmaps.get('kube-public', 'cluster-info')
    const current = (info?.data ?? {}) as Record<string, string>
    if (!info || !current.kubeconfig) return
    const kubeconfig = current.kubeconfig
    const data: Record<string, string> = { kubeconfig }
    for (const secret of this.ctx.secrets.list('kube-system')) {
      if (secret.type !== 'bootstrap.kubernetes.io/token') continue
      const d = decodeData(secret)
      if (d['usage-bootstrap-signing'] !== 'true' || !d['token-id'] || !d['token-secret']) continue
      if (d.expiration && !(Date.parse(d.expiration) > this.ctx.clock.nowMillis())) continue
      data[`jws-kubeconfig-${d['token-id']}`] = detachedJws(kubeconfig, d['token-id'], d['token-secret'])
    }
    if (JSON.stringify(data) !== JSON.stringify(current)) this.ctx.configmaps.update({ ...info, data })
  }

  /** kube-public/cluster-info, as kubeadm publishes it: the API server URL and CA, no credentials. */
  publishClusterInfo(server: string, caPem: string): void {
    const kubeconfig = [
      'apiVersion: v1',
      'clusters:',
      '- cluster:',
      `    certificate-authority-data: ${Buffer.from(caPem).toString('base64')}`,
      `    server: ${server}`,
      '  name: ""',
      'contexts: null',
      'current-context: ""',
      'kind: Config',
      'preferences: {}',
      'users: null',
      '',
    ].join('\n')
    const existing = this.ctx.configmaps.get('kube-public', 'cluster-info')
    if (existing) this.ctx.configmaps.update({ ...existing, data: { ...(existing.data as Record<string, string>), kubeconfig } })
    else {
      this.ctx.configmaps.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'cluster-info', namespace: 'kube-public', uid: this.ctx.random.uuid(), creationTimestamp: this.ctx.clock.timestamp() },
        data: { kubeconfig },
      })
    }
    this.signClusterInfo()
  }
}

function decodeData(secret: KubeObject): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries((secret.data ?? {}) as Record<string, string>)) out[k] = Buffer.from(v, 'base64').toString('utf8')
  return out
}

function detachedJws(payload: string, keyId: string, secret: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: keyId })).toString('base64url')
  const body = Buffer.from(payload).toString('base64url')
  const signature = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url')
  return `${header}..${signature}`
}
