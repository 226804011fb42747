// The tokens file is read again when it changes and on SIGHUP, in a real `nodeplan serve` process:
// a removed token stops working over HTTP at once and its open websockets are closed; a file that
// does not parse keeps the tokens in force; SIGHUP never ends the process (before, it did, silently).
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { eventually } from '../support/eventually.js'
import { startNodeplanProcess, type NodeplanProcess } from '../support/nodeplan-process.js'

const ALICE = { token: 'alice-token-0123456789abcdef', subject: 'alice', role: 'admin' }
const BOB = { token: 'bob-token-0123456789abcdef0123', subject: 'bob', role: 'viewer' }
const CAROL = { token: 'carol-token-0123456789abcdef01', subject: 'carol', role: 'viewer' }

describe('tokens file reloaded on change and on SIGHUP (nodeplan serve as a process)', () => {
  let dir: string
  let file: string
  let np: NodeplanProcess
  /** As an editor saves: a new file renamed over the old one. */
  const save = (text: string) => {
    writeFileSync(`${file}.tmp`, text)
    renameSync(`${file}.tmp`, file)
  }
  const me = async (token: string) => {
    const res = await np.gql(`{ me { subject } }`, {}, token)
    return res.data?.me?.subject ?? res.errors?.[0]?.extensions?.code
  }
  /** A graphql-ws connection authenticated with the token: resolves once acknowledged, with its close code to come. */
  const openSocket = (token: string) =>
    new Promise<{ closed: Promise<number> }>((resolve, reject) => {
      const ws = new WebSocket(np.url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws')
      const closed = new Promise<number>((done) => ws.on('close', (code) => done(code)))
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${token}` } })))
      ws.on('message', (data) => {
        if (JSON.parse(String(data)).type === 'connection_ack') resolve({ closed })
      })
      ws.on('error', reject)
    })

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nodeplan-tokens-'))
    file = join(dir, 'tokens.json')
    save(JSON.stringify([ALICE, BOB]))
    np = await startNodeplanProcess(['--port', '0', '--host', '127.0.0.1', '--database', `file:${join(dir, 'np.db')}`, '--tokens', file], { HOME: dir })
  })
  afterAll(async () => {
    await np?.kill()
    rmSync(dir, { recursive: true, force: true })
  })

  it('on SIGHUP, a removed token is refused over HTTP and its open websocket is closed; the process lives on', async () => {
    expect(await me(BOB.token)).toBe('bob')
    const bobSocket = await openSocket(BOB.token)
    const aliceSocket = await openSocket(ALICE.token)
    let aliceClosed = false
    void aliceSocket.closed.then(() => (aliceClosed = true))

    writeFileSync(file, JSON.stringify([ALICE]))
    np.proc.kill('SIGHUP')
    expect(await bobSocket.closed).toBe(4403)
    expect(await me(BOB.token)).toBe('UNAUTHENTICATED')
    expect(await me(ALICE.token)).toBe('alice')
    expect(aliceClosed).toBe(false)
    expect(np.proc.exitCode).toBeNull()
    await eventually(() => expect(np.lines.some((l) => l.includes('"tokens file reloaded"') && l.includes('"why":"SIGHUP"'))).toBe(true))
    expect(np.lines.some((l) => l.includes('closing a websocket: its token was revoked'))).toBe(true)
  })

  it('a tokens file that does not parse keeps the tokens in force and says why in the log', async () => {
    save('[{"token": "short", "subject": "mallory", "role": "admin"}]')
    np.proc.kill('SIGHUP')
    await eventually(() => expect(np.lines.some((l) => l.includes('the tokens file was not reloaded') && l.includes('at least 16 characters'))).toBe(true))
    expect(await me(ALICE.token)).toBe('alice')
    expect(await me('short')).toBe('UNAUTHENTICATED')
    expect(np.proc.exitCode).toBeNull()
  })

  it('a change to the file is seen without a signal (an editor replacing it)', async () => {
    save(JSON.stringify([ALICE, CAROL]))
    await eventually(async () => expect(await me(CAROL.token)).toBe('carol'))
    expect(await me(BOB.token)).toBe('UNAUTHENTICATED')
  })

  it('still stops cleanly on SIGTERM', async () => {
    expect(await np.kill('SIGTERM')).toBe(0)
  })
})
