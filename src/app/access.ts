import { roleAtLeast, type Principal, type Role } from '../auth.js'
import { NodeplanError } from '../domain/errors.js'

/** Throws FORBIDDEN unless the caller holds at least `need`. */
export function requireRole(principal: Principal, need: Role, what: string): void {
  if (!roleAtLeast(principal.role, need)) {
    throw new NodeplanError('FORBIDDEN', `${principal.subject} (${principal.role}) may not ${what}: that needs the ${need} role or higher`)
  }
}
