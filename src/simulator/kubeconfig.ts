// A kubeconfig for the simulator: CA inline, bearer token, one context.

export function kubeconfigYaml(server: string, caPem: string, token: string | null): string {
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: runai-sim',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${Buffer.from(caPem).toString('base64')}`,
    'users:',
    '- name: runai-sim-admin',
    `  user:${token === null ? ' {}' : ''}`,
    ...(token === null ? [] : [`    token: ${token}`]),
    'contexts:',
    '- name: runai-sim',
    '  context:',
    '    cluster: runai-sim',
    '    user: runai-sim-admin',
    'current-context: runai-sim',
    'preferences: {}',
    '',
  ]
  return lines.join('\n')
}
