// A kubeconfig for the simulator: CA inline, bearer token; one context per cluster (a fleet
// gets one file with a context per cluster, named as the cluster).

export interface KubeconfigEntry {
  /** Cluster and context name; the user is `<name>-admin`. */
  name: string
  server: string
  caPem: string
  token: string | null
}

export function kubeconfigYaml(server: string, caPem: string, token: string | null): string {
  return multiKubeconfigYaml([{ name: 'runai-sim', server, caPem, token }])
}

/** One file for several clusters; the first is the current context. */
export function multiKubeconfigYaml(entries: KubeconfigEntry[]): string {
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    ...entries.flatMap((e) => [
      `- name: ${e.name}`,
      '  cluster:',
      `    server: ${e.server}`,
      `    certificate-authority-data: ${Buffer.from(e.caPem).toString('base64')}`,
    ]),
    'users:',
    ...entries.flatMap((e) => [`- name: ${e.name}-admin`, `  user:${e.token === null ? ' {}' : ''}`, ...(e.token === null ? [] : [`    token: ${e.token}`])]),
    'contexts:',
    ...entries.flatMap((e) => [`- name: ${e.name}`, '  context:', `    cluster: ${e.name}`, `    user: ${e.name}-admin`]),
    `current-context: ${entries[0]!.name}`,
    'preferences: {}',
    '',
  ]
  return lines.join('\n')
}
