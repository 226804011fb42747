// The kubeadm join command for (re)joining a machine (admin): it creates a bootstrap token, so it asks first.
import { cluster, gql } from './api.js'
import { confirmAction, showInfo } from './dialog.js'
import { h } from './dom.js'
import { when } from './format.js'

export function joinButton() {
  return h('button', { type: 'button', id: 'join-button', onclick: async () => {
    const ok = await confirmAction({
      title: 'Create a join command?',
      lines: ['This creates a bootstrap token valid for 24 hours that joins a machine to the cluster (e.g. to rejoin a decommissioned node). It is shown once.'],
      reason: 'rejoin a node',
      confirm: 'Create join command',
    })
    if (!ok) return
    try {
      const { createJoinCommand: join } = await gql('mutation($d: String, $c: String) { createJoinCommand(description: $d, cluster: $c) { command expiresAt tokenId } }', { d: ok.reason, c: cluster.get() })
      showInfo('Join command', h('p', {}, 'Run this on the machine as root:'), h('pre', { id: 'join-command', class: 'command' }, join.command),
        h('p', {}, `Token ${join.tokenId}, valid until ${when(join.expiresAt)}. Then plan a rejoin of the node to restore its roles and labels.`))
    } catch (err) {
      showInfo('No join command', h('div', { class: 'error' }, `${err.message} (${err.code})`))
    }
  } }, 'Join command…')
}
