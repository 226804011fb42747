import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, parseServeConfig } from '../../src/config.js'

const dir = mkdtempSync(join(tmpdir(), 'nodeplan-clusters-'))
const file = (name: string, content: string) => {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}
const kubeconfig = file('eu.kubeconfig', 'apiVersion: v1\nkind: Config\n')

describe('the clusters file', () => {
  it('is optional: without it there is no clusters list (one cluster, "default")', () => {
    expect(parseServeConfig([], {}).clusters).toBeNull()
  })

  it('reads YAML or JSON, in order, with kubeconfig paths from the file\'s folder, from the flag or NODEPLAN_CLUSTERS_FILE', () => {
    const yaml = file('clusters.yaml', '- name: train-eu\n  kubeconfig: eu.kubeconfig\n  context: admin@eu\n- name: infer\n  inCluster: true\n- name: staging\n  context: staging\n')
    const expected = [
      { name: 'train-eu', kubeconfig, context: 'admin@eu', inCluster: false },
      { name: 'infer', kubeconfig: null, context: null, inCluster: true },
      { name: 'staging', kubeconfig: null, context: 'staging', inCluster: false },
    ]
    expect(parseServeConfig(['--clusters', yaml], {}).clusters).toEqual(expected)
    const json = file('clusters.json', JSON.stringify([{ name: 'train-eu', kubeconfig: 'eu.kubeconfig', context: 'admin@eu' }]))
    expect(parseServeConfig([], { NODEPLAN_CLUSTERS_FILE: json }).clusters).toEqual([expected[0]])
  })

  it.each([
    ['a missing file', '/nonexistent/clusters.yaml', /clusters file \/nonexistent\/clusters.yaml: ENOENT/],
    ['not YAML', '- name: [', /not YAML or JSON/],
    ['an empty list', '[]', /expected a non-empty list of clusters/],
    ['a bad name', '- name: Train_EU\n  inCluster: true', /\[0\]\.name: must be 1-63 lowercase letters, digits and dashes/],
    ['a name twice', '- name: a\n  context: x\n- name: a\n  context: y', /\[1\]\.name: "a" is given twice/],
    ['an unknown key', '- name: a\n  context: x\n  server: https://x', /\[0\]: unknown key "server" \(known: name, kubeconfig, context, inCluster\)/],
    ['no way to reach it', '- name: a', /\[0\]: give a kubeconfig/],
    ['inCluster and a kubeconfig', '- name: a\n  inCluster: true\n  kubeconfig: eu.kubeconfig', /give either inCluster or a kubeconfig\/context, not both/],
    ['two inCluster', '- name: a\n  inCluster: true\n- name: b\n  inCluster: true', /only one cluster can be the one nodeplan runs in/],
    ['a missing kubeconfig', '- name: a\n  kubeconfig: nope.kubeconfig', /cluster "a": kubeconfig .*nope.kubeconfig does not exist/],
  ])('refuses %s with a clear message', (_what, content, message) => {
    const path = content.startsWith('/') ? content : file(`bad-${Math.random().toString(36).slice(2)}.yaml`, content)
    expect(() => parseServeConfig(['--clusters', path], {})).toThrow(ConfigError)
    expect(() => parseServeConfig(['--clusters', path], {})).toThrow(message)
  })
})
