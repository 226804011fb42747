// The tokens file, read again when it changes and on SIGHUP: a token removed from it stops
// working at the next request, and the websockets opened with it are closed by their server.
import { statSync, unwatchFile, watchFile, type Stats } from 'node:fs'
import { TokenAuthenticator, type Authenticator, type Principal } from './auth.js'
import type { Logger } from './logger.js'

/** How often the file's status is polled: by path, so an editor that writes a new file and renames it over the old one is seen too. */
export const TOKENS_POLL_MS = 1000

export class TokensFile implements Authenticator {
  private current: TokenAuthenticator
  private readonly listeners = new Set<() => void>()
  private watching = false

  constructor(
    readonly path: string,
    first: TokenAuthenticator,
    private readonly log: Logger,
  ) {
    this.current = first
  }

  authenticate(token: string): Principal | null {
    return this.current.authenticate(token)
  }

  clustersNamed(): string[] {
    return this.current.clustersNamed()
  }

  /** Reads the file again. A file that does not parse keeps the tokens in force and says why in the log. */
  reload(why: string): boolean {
    let next: TokenAuthenticator
    try {
      next = TokenAuthenticator.fromFile(this.path)
    } catch (err) {
      this.log.error('the tokens file was not reloaded: keeping the tokens in force', { why, error: err })
      return false
    }
    this.current = next
    this.log.info('tokens file reloaded', { why, file: this.path })
    for (const listener of this.listeners) listener()
    return true
  }

  /** Called after each successful reload. */
  onReload(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  watch(intervalMs = TOKENS_POLL_MS): void {
    if (this.watching) return
    this.watching = true
    let seen = signature(safeStat(this.path))
    watchFile(this.path, { interval: intervalMs, persistent: false }, (now: Stats) => {
      const next = signature(now)
      if (next === seen) return
      seen = next
      // A file removed (nlink 0) mid-replace: the rename that follows is the change to read.
      if (now.nlink === 0) return
      this.reload('the file changed')
    })
  }

  stop(): void {
    if (this.watching) unwatchFile(this.path)
    this.watching = false
    this.listeners.clear()
  }
}

function safeStat(path: string): Stats | null {
  try {
    return statSync(path)
  } catch {
    return null
  }
}

function signature(stats: Stats | null): string {
  return stats ? `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.nlink}` : 'none'
}
