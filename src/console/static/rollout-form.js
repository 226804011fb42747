// The form that plans a rollout of the chosen cluster: which nodes (a label such as a node pool,
// roles, names), how many out at once, the GPU floor, the drain mode, why. The server answers with
// the rollout to review.
import { cluster, gql } from './api.js'
import { h } from './dom.js'
import { ROLE_LABEL } from './format.js'

const words = (text) => text.split(/[\s,]+/).map((w) => w.trim()).filter(Boolean)

export function rolloutForm() {
  const field = (id, attrs = {}) => h('input', { id, autocomplete: 'off', ...attrs })
  const label = field('rollout-label', { placeholder: 'run.ai/node-pool=a100', size: 24 })
  const roles = Object.entries(ROLE_LABEL).map(([role, name]) => h('label', { class: 'role-choice' }, h('input', { type: 'checkbox', value: role, 'data-rollout-role': role }), ` ${name}`))
  const names = field('rollout-nodes', { placeholder: 'gpu-1, gpu-2', size: 18 })
  const maxUnavailable = field('rollout-max-unavailable', { value: '1', size: 4, title: 'a count (4) or a percentage of the chosen nodes (10%)' })
  const minGpus = field('rollout-min-gpus', { value: '0', size: 5, inputmode: 'numeric' })
  const drainMode = h('select', { id: 'rollout-drain-mode' }, h('option', { value: 'IMMEDIATE' }, 'immediate'), h('option', { value: 'GRACEFUL' }, 'graceful'))
  const reason = field('rollout-reason', { placeholder: 'reason (ticket, change request)', size: 28 })
  const error = h('div', { id: 'rollout-form-error' })
  const submit = async (e) => {
    e.preventDefault()
    error.replaceChildren()
    const labels = words(label.value).map((s) => { const [key, ...value] = s.split('='); return { key, value: value.length ? value.join('=') : null } })
    const input = {
      reason: reason.value.trim(),
      labels: labels.length ? labels : null,
      roles: roles.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value),
      nodes: words(names.value),
      maxUnavailable: maxUnavailable.value.trim() || '1',
      minGpusInService: Number(minGpus.value.trim() || '0'),
      drainMode: drainMode.value,
      cluster: cluster.get(),
    }
    if (!input.roles.length) input.roles = null
    if (!input.nodes.length) input.nodes = null
    try {
      const { planRollout } = await gql('mutation($input: RolloutInput!) { planRollout(input: $input) { id } }', { input })
      location.hash = `#/rollout/${encodeURIComponent(planRollout.id)}`
    } catch (err) {
      error.replaceChildren(h('div', { class: 'error' }, `${err.message} (${err.code})`))
    }
  }
  return h('form', { class: 'inline', id: 'new-rollout', onsubmit: submit },
    h('label', {}, 'Label ', label), h('span', {}, 'roles ', roles), h('label', {}, 'nodes ', names),
    h('label', {}, 'at most out ', maxUnavailable), h('label', {}, 'min GPUs ', minGpus), h('label', {}, 'drain ', drainMode),
    reason, h('button', { class: 'primary', type: 'submit', id: 'rollout-submit' }, 'Plan rollout'), error)
}
