import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { clusterEndpoint, kubeConfigFromString, loadKubeConfig } from '../../src/adapters/kubernetes/kubeconfig.js'

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
const kubeconfig = (server: string) => `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: ${server}
    certificate-authority-data: ${Buffer.from(CA).toString('base64')}
users:
- name: u
  user:
    token: t
contexts:
- name: ctx
  context: { cluster: c, user: u }
current-context: ctx
`

describe('loadKubeConfig', () => {
  let dir: string
  let home: string
  let sa: string
  const write = (name: string, server: string) => {
    const file = path.join(dir, name)
    writeFileSync(file, kubeconfig(server))
    return file
  }

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nodeplan-kc-'))
    home = path.join(dir, 'home')
    sa = path.join(dir, 'sa')
    mkdirSync(home)
    mkdirSync(sa)
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  const homeConfig = () => {
    mkdirSync(path.join(home, '.kube'))
    writeFileSync(path.join(home, '.kube', 'config'), kubeconfig('https://home:6443'))
  }
  const serviceAccount = () => {
    writeFileSync(path.join(sa, 'token'), 'sa-token')
    writeFileSync(path.join(sa, 'ca.crt'), CA)
  }
  const inClusterEnv = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }

  it('takes the flag first', () => {
    homeConfig()
    serviceAccount()
    const got = loadKubeConfig({ kubeconfigPath: write('flag', 'https://flag:6443'), env: { KUBECONFIG: write('env', 'https://env:6443'), ...inClusterEnv }, homeDir: home, serviceAccountDir: sa })
    expect(got?.source).toBe('flag')
    expect(got?.kc.getCurrentCluster()?.server).toBe('https://flag:6443')
  })

  it('then KUBECONFIG, skipping files that do not exist', () => {
    homeConfig()
    const env = { KUBECONFIG: [path.join(dir, 'missing'), write('env', 'https://env:6443')].join(path.delimiter) }
    const got = loadKubeConfig({ env, homeDir: home, serviceAccountDir: sa })
    expect(got?.source).toBe('env')
    expect(got?.kc.getCurrentCluster()?.server).toBe('https://env:6443')
  })

  it('then ~/.kube/config', () => {
    homeConfig()
    const got = loadKubeConfig({ env: { KUBECONFIG: path.join(dir, 'missing') }, homeDir: home, serviceAccountDir: sa })
    expect(got?.source).toBe('home')
    expect(got?.kc.getCurrentCluster()?.server).toBe('https://home:6443')
  })

  it('then the pod service account', () => {
    serviceAccount()
    const got = loadKubeConfig({ env: inClusterEnv, homeDir: home, serviceAccountDir: sa })
    expect(got?.source).toBe('in-cluster')
    expect(got?.kc.getCurrentCluster()?.server).toBe('https://10.96.0.1:443')
    expect(clusterEndpoint(got!.kc).caPem).toBe(CA)
  })

  it('is null when there is nothing (the service then runs the simulator)', () => {
    serviceAccount()
    expect(loadKubeConfig({ env: {}, homeDir: home, serviceAccountDir: sa })).toBeNull()
  })

  it('refuses a --kubeconfig that does not exist', () => {
    expect(() => loadKubeConfig({ kubeconfigPath: path.join(dir, 'nope'), env: {}, homeDir: home })).toThrow(/does not exist/)
  })
})

describe('kubeConfigFromString and clusterEndpoint', () => {
  it('reads the server and the CA from embedded data', () => {
    const kc = kubeConfigFromString(kubeconfig('https://127.0.0.1:41234'))
    expect(clusterEndpoint(kc)).toEqual({ server: 'https://127.0.0.1:41234', caPem: CA })
  })

  it('refuses a kubeconfig without a current cluster', () => {
    expect(() => kubeConfigFromString(kubeconfig('https://x:1').replace('current-context: ctx', 'current-context: other'))).toThrow(/no current cluster/)
  })
})
