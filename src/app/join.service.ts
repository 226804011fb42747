import type { Principal } from '../auth.js'
import { NodeplanError } from '../domain/errors.js'
import type { Logger } from '../logger.js'
import { requireRole } from './access.js'
import type { AuditRepository, BootstrapTokens, Clock } from './ports.js'

export interface JoinCommandRequest {
  ttlHours: number
  description?: string | null
}

/** What a caller gets back: the only place the token's secret half ever appears. */
export interface JoinCommandResult {
  command: string
  tokenId: string
  expiresAt: Date
}

export const JOIN_TOKEN_MAX_TTL_HOURS = 168
const MAX_DESCRIPTION = 200

/**
 * Join commands for (re)joining machines: a bootstrap token in the cluster and the kubeadm
 * command line. The audit trail and the logs get the token id, never the secret.
 */
export class JoinService {
  constructor(
    private readonly tokens: BootstrapTokens,
    private readonly audit: AuditRepository,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly log: Logger,
  ) {}

  async createJoinCommand(by: Principal, req: JoinCommandRequest): Promise<JoinCommandResult> {
    // Whoever holds a join token can add a machine to the cluster.
    requireRole(by, 'admin', 'create a join command')
    const { ttlHours } = req
    if (!Number.isInteger(ttlHours) || ttlHours < 1 || ttlHours > JOIN_TOKEN_MAX_TTL_HOURS) {
      throw new NodeplanError('BAD_USER_INPUT', `ttlHours must be a whole number of hours from 1 to ${JOIN_TOKEN_MAX_TTL_HOURS}, got ${ttlHours}`, { field: 'ttlHours' })
    }
    const description = (req.description ?? '').trim() || `nodeplan join command created by ${by.subject}`
    if (description.length > MAX_DESCRIPTION || /[\u0000-\u001f\u007f]/.test(description)) {
      throw new NodeplanError('BAD_USER_INPUT', `description must be one line of at most ${MAX_DESCRIPTION} characters`, { field: 'description' })
    }

    const issued = await this.tokens.createJoinCommand({ ttlHours, description, now: this.clock.now() })
    const expiresAt = issued.expiresAt!
    await this.audit.append({
      actor: by.subject,
      action: 'join-token.created',
      detail: { tokenId: issued.tokenId, expiresAt: expiresAt.toISOString(), ttlHours, description },
    })
    this.log.info('join token created', { tokenId: issued.tokenId, expiresAt: expiresAt.toISOString(), by: by.subject })
    return { command: issued.command, tokenId: issued.tokenId, expiresAt }
  }
}
