// The real CLI (node bin/nodeplan.mjs …) as a process, its output on pipes.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/nodeplan.mjs', import.meta.url))

export interface Run {
  code: number | null
  stdout: string
  stderr: string
}

export const cliEnv = (url: string, token: string) => ({ PATH: process.env.PATH, HOME: process.env.HOME, NODEPLAN_URL: url, NODEPLAN_TOKEN: token })

/** Runs the CLI; `stopReadingAfter` closes stdout after that many bytes (0: before any), as `| head` does. */
export function runCli(url: string, args: string[], token: string, stopReadingAfter = Infinity): Promise<Run> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, ...args], { env: cliEnv(url, token), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    if (stopReadingAfter === 0) proc.stdout.destroy()
    proc.stdout.on('data', (c: Buffer) => {
      stdout += c.toString()
      if (stdout.length >= stopReadingAfter) proc.stdout.destroy()
    })
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    proc.on('error', reject)
    proc.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}
