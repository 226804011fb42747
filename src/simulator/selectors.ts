// Label and field selectors as the API server parses them from query strings.
import { badRequest } from './status.js'

type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' }

export type Labels = Record<string, string> | undefined

export interface LabelSelector {
  matches(labels: Labels): boolean
}

const EVERYTHING: LabelSelector = { matches: () => true }

/** Splits on commas that are not inside a `(...)` value set. */
function splitTerms(text: string): string[] {
  const terms: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '(') depth++
    else if (c === ')') depth--
    else if (c === ',' && depth === 0) {
      terms.push(text.slice(start, i))
      start = i + 1
    }
  }
  terms.push(text.slice(start))
  return terms.map((t) => t.trim()).filter((t) => t !== '')
}

function parseRequirement(term: string): Requirement {
  let m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term)
  if (m) return { key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()) }
  m = /^!\s*(\S+)$/.exec(term)
  if (m) return { key: m[1]!, op: '!exists' }
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term)
  if (m) return { key: m[1]!, op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]!] }
  m = /^([^=!\s()]+)$/.exec(term)
  if (m) return { key: m[1]!, op: 'exists' }
  throw badRequest(`unable to parse requirement: found '${term}', expected: identifier`)
}

export function parseLabelSelector(text: string | null): LabelSelector {
  if (!text) return EVERYTHING
  const requirements = splitTerms(text).map(parseRequirement)
  return {
    matches(labels) {
      return requirements.every((r) => {
        const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key)
        switch (r.op) {
          case 'exists':
            return has
          case '!exists':
            return !has
          case 'in':
            return has && r.values.includes(labels![r.key]!)
          case 'notin':
            return !has || !r.values.includes(labels![r.key]!)
        }
      })
    },
  }
}

export interface FieldRequirement {
  field: string
  equals: boolean
  value: string
}

/** `spec.nodeName=n,metadata.name!=x`; which fields are allowed is up to the resource. */
export function parseFieldSelector(text: string | null, allowed: readonly string[]): FieldRequirement[] {
  if (!text) return []
  return splitTerms(text).map((term) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term)
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`)
    const field = m[1]!.trim()
    if (!allowed.includes(field)) throw badRequest(`field label not supported: ${field}`)
    return { field, equals: m[2] !== '!=', value: m[3]!.trim() }
  })
}

export function fieldValue(obj: unknown, path: string): string {
  let v: unknown = obj
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return ''
    v = (v as Record<string, unknown>)[part]
  }
  return v === undefined || v === null ? '' : String(v)
}

export function matchesFields(obj: unknown, requirements: readonly FieldRequirement[]): boolean {
  return requirements.every((r) => (fieldValue(obj, r.field) === r.value) === r.equals)
}

/** A label selector object (matchLabels, matchExpressions) as PodDisruptionBudgets hold it; none matches nothing. */
export function selectorMatches(selector: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false
  const terms = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`)
  for (const e of selector.matchExpressions ?? []) {
    const op = e.operator
    if (op === 'In' || op === 'NotIn') terms.push(`${e.key} ${op.toLowerCase()} (${(e.values ?? []).join(',')})`)
    else if (op === 'Exists') terms.push(e.key)
    else if (op === 'DoesNotExist') terms.push(`!${e.key}`)
  }
  return parseLabelSelector(terms.join(',')).matches(labels)
}
