import type { Principal } from '../auth.js'
import type { Logger } from '../logger.js'

export interface RequestContext {
  principal: Principal
  requestId: string
  log: Logger
}
