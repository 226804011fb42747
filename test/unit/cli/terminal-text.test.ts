import { describe, expect, it } from 'vitest'
import { safeJson, terminalSafe } from '../../../src/cli/terminal-text.js'

const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200b]/u

describe('terminal text', () => {
  it('escapes every string of an answer, keys too, keeping newlines only in the diff', () => {
    const answer = {
      plan: { reason: 'x\x1b[2J\nApproved by alice', diff: 'Reason: y\n  + taint\x1b]0;t\x07', nodes: ['gpu-1\u202e'] },
      detail: { 'k\x1b': 'v\u2066', n: 3, ok: true, none: null },
    }
    const safe = terminalSafe(answer)
    expect(safe).toEqual({
      plan: { reason: 'x\\u{1b}[2J\\u{a}Approved by alice', diff: 'Reason: y\n  + taint\\u{1b}]0;t\\u{7}', nodes: ['gpu-1\\u{202e}'] },
      detail: { 'k\\u{1b}': 'v\\u{2066}', n: 3, ok: true, none: null },
    })
  })

  it('writes JSON whose text holds no raw unsafe character and parses back to the same values', () => {
    const value = { reason: 'a\x1b[2J\u009b\u202e\u200b\u{e0041}\x7f', lines: 'x\ny' }
    const text = safeJson(value)
    expect(text).not.toMatch(RAW)
    expect(text).not.toMatch(/\u{e0041}/u)
    expect(JSON.parse(text)).toEqual(value)
  })
})
