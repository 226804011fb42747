import type { Principal } from '../auth.js'
import { requireRole } from './access.js'
import type { AuditEvent, AuditFilter, AuditRepository, Page } from './ports.js'

export class AuditService {
  constructor(private readonly audit: AuditRepository) {}

  list(by: Principal, filter: AuditFilter, first: number, after: string | null): Promise<Page<AuditEvent>> {
    requireRole(by, 'viewer', 'read the audit trail')
    return this.audit.list(filter, first, after)
  }

  async verify(by: Principal) {
    requireRole(by, 'admin', 'verify the audit trail')
    return this.audit.verify()
  }
}
