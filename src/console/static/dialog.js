// The one confirmation dialog: every state-changing action goes through it. When `typed` is set,
// the confirm button stays disabled until the person types it (the node count, or a node's name).
import { h } from './dom.js'

/**
 * Resolves to { reason } when confirmed, null when cancelled.
 * @param {{ title: string, lines?: (string|Node)[], typed?: string, typedLabel?: string, reason?: string, confirm: string, danger?: boolean }} options
 */
export function confirmAction({ title, lines = [], typed, typedLabel, reason, confirm, danger = false }) {
  return new Promise((resolve) => {
    const typedInput = typed !== undefined ? h('input', { id: 'confirm-typed', autocomplete: 'off', size: 24 }) : null
    const reasonInput = reason !== undefined ? h('input', { id: 'confirm-reason', value: reason, size: 50 }) : null
    const ok = h('button', { type: 'submit', id: 'confirm-ok', class: danger ? 'danger' : 'primary' }, confirm)
    const valid = () => (typedInput === null || typedInput.value.trim() === typed) && (reasonInput === null || reasonInput.value.trim() !== '')
    const sync = () => { ok.disabled = !valid() }
    typedInput?.addEventListener('input', sync)
    reasonInput?.addEventListener('input', sync)
    const dialog = h('dialog', { id: 'confirm' },
      h('form', { onsubmit: (e) => { e.preventDefault(); if (valid()) finish({ reason: reasonInput?.value.trim() }) } },
        h('h2', {}, title),
        lines.map((line) => h('p', {}, line)),
        reasonInput ? h('label', {}, 'Reason ', reasonInput) : null,
        typedInput ? h('label', { class: 'typed' }, typedLabel ?? `Type ${typed} to confirm `, typedInput) : null,
        h('div', { class: 'buttons' }, ok, h('button', { type: 'button', id: 'confirm-cancel', onclick: () => finish(null) }, 'Cancel')),
      ))
    let done = false
    function finish(value) {
      if (done) return
      done = true
      dialog.close()
      dialog.remove()
      resolve(value)
    }
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); finish(null) })
    document.body.append(dialog)
    sync()
    dialog.showModal()
    ;(typedInput ?? reasonInput ?? ok).focus()
  })
}

/** A dialog that only shows something (the join command). */
export function showInfo(title, ...content) {
  const dialog = h('dialog', { id: 'info' }, h('h2', {}, title), content,
    h('div', { class: 'buttons' }, h('button', { type: 'button', id: 'info-close', onclick: () => { dialog.close(); dialog.remove() } }, 'Close')))
  document.body.append(dialog)
  dialog.showModal()
}
