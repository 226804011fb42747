// DOM builders for the console's pages. Text always goes in as text nodes, never as HTML.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value)
    else if (key === 'checked' || key === 'value' || key === 'disabled') el[key] = value
    else el.setAttribute(key, value === true ? '' : String(value))
  }
  for (const child of children.flat(Infinity)) if (child !== null && child !== undefined && child !== false) el.append(child instanceof Node ? child : String(child))
  return el
}

export const card = (n, label, id) => h('div', { class: 'card', 'data-metric': id }, h('div', { class: 'n' }, typeof n === 'number' ? n.toLocaleString('en') : n), h('div', { class: 'l' }, label))

/** A list that shows its first `keep` items and folds the rest into "and N more". */
export function foldedList(items, keep, attrs = {}) {
  const li = (x) => h('li', {}, x)
  if (items.length <= keep) return h('ul', attrs, items.map(li))
  return h('div', attrs,
    h('ul', {}, items.slice(0, keep).map(li)),
    h('details', { class: 'more' }, h('summary', {}, `and ${items.length - keep} more`), h('ul', {}, items.slice(keep).map(li))))
}

/** Names as one line: "gpu-1, gpu-2, gpu-3 and 97 more". */
export function nameLine(names, keep = 3) {
  return names.length <= keep ? names.join(', ') : `${names.slice(0, keep).join(', ')} and ${names.length - keep} more`
}
