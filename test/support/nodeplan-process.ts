// Runs `nodeplan serve` as a child process exactly as `npm start` does (bin/nodeplan.mjs), for
// tests that must kill it. Resolves once its log says it is serving.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { graphqlClient } from './graphql-client.js'

const BIN = fileURLToPath(new URL('../../bin/nodeplan.mjs', import.meta.url))

export interface NodeplanProcess {
  url: string
  proc: ChildProcess
  /** Every stdout and stderr line so far. */
  lines: string[]
  exited: Promise<number | null>
  gql: ReturnType<typeof graphqlClient>
  kill(signal?: NodeJS.Signals): Promise<number | null>
}

export async function startNodeplanProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<NodeplanProcess> {
  const proc = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = ''
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8')
      let nl
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        lines.push(line)
        if (line.includes('"nodeplan is serving"')) resolve(String(JSON.parse(line).url).replace(/\/graphql$/, ''))
      }
    }
    proc.stdout!.on('data', onData)
    proc.stderr!.on('data', onData)
    void exited.then((code) => reject(new Error(`nodeplan exited with ${code} before serving:\n${lines.join('\n')}`)))
  })
  return {
    url,
    proc,
    lines,
    exited,
    gql: graphqlClient(url),
    async kill(signal = 'SIGKILL') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
      return exited
    },
  }
}
