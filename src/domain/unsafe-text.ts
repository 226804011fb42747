// Characters that must never reach a terminal from stored text: C0 controls (ESC starts the
// sequences that clear a screen, set a window title or move the cursor; reasons are one line, so
// newline and tab too), DEL, C1 controls (U+009B is a one-character CSI), and the invisible or
// reordering formatting characters that make text read other than it is: bidi embeddings,
// overrides and isolates (U+202A–U+202E, U+2066–U+2069, marks), zero-width space, word joiner,
// invisible operators, soft hyphen, BOM, line/paragraph separators, interlinear annotations, and
// the tag characters (U+E0000–U+E007F) that carry hidden ASCII. ZWJ and ZWNJ stay allowed: emoji
// and several scripts need them.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\u{e0000}-\u{e007f}]/gu

/** The first unsafe character of `text`: its index (UTF-16) and code point; null when there is none. */
export function findUnsafeCharacter(text: string): { index: number; codePoint: number } | null {
  UNSAFE.lastIndex = 0
  const match = UNSAFE.exec(text)
  return match ? { index: match.index, codePoint: match[0].codePointAt(0)! } : null
}

/** `U+001B` */
export function codePointName(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`
}

/**
 * `text` with each unsafe character shown as `\u{1b}` instead, so it prints as what it is;
 * characters in `keep` (e.g. '\n' for text that is multi-line by design) stay as they are.
 */
export function escapeUnsafe(text: string, keep = ''): string {
  return replaceUnsafe(text, (ch) => (keep.includes(ch) ? ch : `\\u{${ch.codePointAt(0)!.toString(16)}}`))
}

/** `text` with each unsafe character (one code point) replaced by what `replace` makes of it. */
export function replaceUnsafe(text: string, replace: (ch: string) => string): string {
  return text.replace(UNSAFE, replace)
}
