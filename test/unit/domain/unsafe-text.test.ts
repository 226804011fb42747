import { describe, expect, it } from 'vitest'
import { escapeUnsafe, findUnsafeCharacter } from '../../../src/domain/unsafe-text.js'

describe('unsafe text', () => {
  it.each([
    ['ESC of a clear-screen sequence', 'ok \x1b[2J', 3, 0x1b],
    ['newline (reasons are one line)', 'line one\nApproved by alice', 8, 0x0a],
    ['tab', 'a\tb', 1, 0x09],
    ['NUL', 'a\0', 1, 0x00],
    ['DEL', 'a\x7f', 1, 0x7f],
    ['C1 CSI', 'a\u009b2J', 1, 0x9b],
    ['right-to-left override', 'txt.\u202eexe', 4, 0x202e],
    ['first strong isolate', 'x\u2068y', 1, 0x2068],
    ['pop directional isolate', 'x\u2069', 1, 0x2069],
    ['zero-width space', 'a\u200bb', 1, 0x200b],
    ['line separator', 'a\u2028b', 1, 0x2028],
    ['byte order mark', '\ufeffa', 0, 0xfeff],
    ['tag character (hidden ASCII)', 'a\u{e0041}', 1, 0xe0041],
  ])('finds %s', (_name, text, index, codePoint) => {
    expect(findUnsafeCharacter(text)).toEqual({ index, codePoint })
  })

  it.each([
    ['plain ASCII', 'CHG-42: replace PSU (rack 7)'],
    ['accents and other scripts', 'Wartung – café, 维护, صيانة'],
    ['emoji joined with ZWJ', 'on call: 👩\u200d🔧'],
    ['Persian with ZWNJ', 'می\u200cخواهم'],
  ])('allows %s', (_name, text) => {
    expect(findUnsafeCharacter(text)).toBeNull()
  })

  it('escapes each unsafe character visibly, keeping the ones asked for', () => {
    expect(escapeUnsafe('a\x1b]0;owned\x07b\u202ec')).toBe('a\\u{1b}]0;owned\\u{7}b\\u{202e}c')
    expect(escapeUnsafe('one\ntwo\x1b', '\n')).toBe('one\ntwo\\u{1b}')
  })
})
