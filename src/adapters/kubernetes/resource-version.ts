/**
 * True when `a` is known to be older than `b`. resourceVersions are opaque in the API, but
 * every server in practice issues increasing integers; anything else compares as "not older".
 */
export function isOlderVersion(a: string, b: string): boolean {
  if (!/^[0-9]+$/.test(a) || !/^[0-9]+$/.test(b)) return false
  const x = a.replace(/^0+(?=.)/, '')
  const y = b.replace(/^0+(?=.)/, '')
  return x.length !== y.length ? x.length < y.length : x < y
}
