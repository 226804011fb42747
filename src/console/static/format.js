// How the console spells numbers, times and names.

/** "1 GPU", "2 GPUs", "5,000 nodes". */
export const count = (n, word, many = `${word}s`) => `${Number(n).toLocaleString('en')} ${n === 1 ? word : many}`

const TIME = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' })

/** A time with its zone, in the browser's zone: "6 Dec 2026, 02:55:03 UTC". */
export const when = (iso) => (iso ? TIME.format(new Date(iso)) : '')

/** gpu-2 < gpu-10 < gpu-257 < gpu-2570: numbers inside names compare as numbers. */
export const byName = new Intl.Collator('en', { numeric: true }).compare

export const ROLE_LABEL = { SYSTEM: 'system', GPU_WORKER: 'gpu-worker', CPU_WORKER: 'cpu-worker' }
export const roleList = (roles) => (roles.length ? roles.map((r) => ROLE_LABEL[r] ?? r).join(', ') : '<none>')

export const RANK = { viewer: 0, operator: 1, approver: 2, admin: 3 }
