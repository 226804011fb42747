// "Did you mean …?" for a mistyped command, kind or option: the closest known word by edit distance.

/** Edit distance counting insertions, deletions, substitutions and swaps of neighbours (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  let before: number[] = []
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, before[j - 2]! + 1)
    }
    before = prev
    prev = row
  }
  return prev[b.length]!
}

/** The known word closest to `word`, when it is close enough to be a typo (at most a third of it wrong); else null. */
export function closest(word: string, known: readonly string[]): string | null {
  let best: string | null = null
  let bestDistance = Infinity
  for (const candidate of known) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  const allowed = Math.max(1, Math.floor(Math.max(word.length, 3) / 3))
  return best !== null && bestDistance <= allowed ? best : null
}

/** ` Did you mean "x"?` or nothing. */
export function didYouMean(word: string, known: readonly string[], render: (w: string) => string = (w) => `"${w}"`): string {
  const guess = closest(word, known)
  return guess ? ` Did you mean ${render(guess)}?` : ''
}
