// The form that plans a change of the chosen nodes (the cluster page's selection, or one node),
// or a rollout of the selection.
import { cluster, gql } from './api.js'
import { h } from './dom.js'
import { count, ROLE_LABEL } from './format.js'

const NODES_MUTATION = { drain: 'planDrain', undrain: 'planUndrain', decommission: 'planDecommission', rejoin: 'planRejoin' }

/** Plans `kind` of `nodes` and returns the new plan's id. Relabel takes one node and its roles after. */
export async function createPlan(kind, nodes, reason, roles = []) {
  if (kind === 'relabel') {
    const data = await gql('mutation($input: PlanRelabelInput!) { planRelabel(input: $input) { id } }', { input: { node: nodes[0], reason, roles, cluster: cluster.get() } })
    return data.planRelabel.id
  }
  const field = NODES_MUTATION[kind]
  const data = await gql(`mutation($input: PlanNodesInput!) { ${field}(input: $input) { id } }`, { input: { nodes, reason, cluster: cluster.get() } })
  return data[field].id
}

/** Plans a rollout of `nodes` (waves of at most `maxUnavailable`) and returns its id. */
async function createRollout(nodes, reason, maxUnavailable) {
  const data = await gql('mutation($input: RolloutInput!) { planRollout(input: $input) { id } }', { input: { nodes, reason, maxUnavailable } })
  return data.planRollout.id
}

/**
 * @param {() => string[]} chosen the nodes the plan is for, read when it is submitted
 * @param {{ currentRoles?: string[], rollout?: boolean }} options rollout: offer a rollout of the nodes too
 */
export function planForm(chosen, { currentRoles = [], rollout = false } = {}) {
  const kind = h('select', { id: 'plan-kind' }, [...Object.keys(NODES_MUTATION), 'relabel', ...(rollout ? ['rollout'] : [])].map((k) => h('option', { value: k }, k)))
  const maxOut = h('input', { id: 'plan-max-unavailable', value: '1', size: 4, title: 'a count (4) or a percentage of the nodes (10%)' })
  const rolloutOptions = h('label', { id: 'plan-rollout-options', hidden: true }, 'in waves of at most ', maxOut)
  const roleBoxes = Object.entries(ROLE_LABEL).map(([role, label]) =>
    h('label', { class: 'role-choice' }, h('input', { type: 'checkbox', value: role, 'data-role': role, checked: currentRoles.includes(role) }), ` ${label}`))
  const roles = h('span', { id: 'plan-roles', hidden: true }, 'roles after: ', roleBoxes)
  kind.addEventListener('change', () => { roles.hidden = kind.value !== 'relabel'; rolloutOptions.hidden = kind.value !== 'rollout' })
  const reason = h('input', { id: 'plan-reason', placeholder: 'reason (ticket, incident)', size: 30 })
  const error = h('div', { id: 'plan-error' })
  return h('form', { class: 'inline', id: 'new-plan', onsubmit: async (e) => {
    e.preventDefault()
    error.replaceChildren()
    const nodes = chosen()
    if (nodes.length === 0) return error.replaceChildren(h('div', { class: 'error' }, 'Select the nodes to plan for first.'))
    if (kind.value === 'relabel' && nodes.length !== 1) {
      return error.replaceChildren(h('div', { class: 'error' }, `Relabel sets one node's roles: select exactly 1 node (${count(nodes.length, 'is', 'are')} selected).`))
    }
    const wanted = roleBoxes.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value)
    try {
      if (kind.value === 'rollout') {
        location.hash = `#/rollout/${encodeURIComponent(await createRollout(nodes, reason.value.trim(), maxOut.value.trim() || '1'))}`
        return
      }
      const id = await createPlan(kind.value, nodes, reason.value.trim(), wanted)
      location.hash = `#/plan/${encodeURIComponent(id)}`
    } catch (err) {
      error.replaceChildren(h('div', { class: 'error' }, `${err.message} (${err.code})`))
    }
  } }, kind, roles, rolloutOptions, reason, h('button', { class: 'primary', type: 'submit', id: 'plan-submit' }, 'Plan'), error)
}
