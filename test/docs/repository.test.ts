// A clone of the repository stands alone: its documents link only to files it has, and nothing
// in it reads or names a path beside it.
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { marked, type Token } from 'marked'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** Made, installed or local: not part of the repository. */
const NOT_OURS = new Set(['.git', 'node_modules', 'dist', 'coverage', 'test-results', '.nodeplan', 'generated', 'bin-cache'])

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (NOT_OURS.has(entry.name)) return []
    const path = join(dir, entry.name)
    return entry.isDirectory() ? files(path) : [path]
  })
}

const documents = files(ROOT).filter((f) => f.endsWith('.md') && (dirname(f) === ROOT.replace(/\/$/, '') || relative(ROOT, f).startsWith(`docs${sep}`)))

/** The link and image targets of a Markdown document, as a Markdown parser reads them. */
function linkTargets(markdown: string): string[] {
  const targets: string[] = []
  marked.walkTokens(marked.lexer(markdown), (token: Token) => {
    if (token.type === 'link' || token.type === 'image') targets.push(token.href)
  })
  return targets
}

const isRelative = (href: string) => !/^[a-z][a-z0-9+.-]*:/i.test(href) && !href.startsWith('#') && !href.startsWith('//')

describe('the repository’s documents', () => {
  it('are found (README.md and docs/)', () => {
    expect(documents.map((f) => relative(ROOT, f))).toEqual(expect.arrayContaining(['README.md', join('docs', 'runai-procedure.md')]))
  })

  it.each(documents.map((f) => [relative(ROOT, f), f]))('%s links only to files in the repository', (_name, file) => {
    const broken = linkTargets(readFileSync(file, 'utf8'))
      .filter(isRelative)
      .filter((href) => {
        const target = resolve(dirname(file), decodeURIComponent(href.split('#')[0]!))
        return !target.startsWith(ROOT) || !existsSync(target)
      })
    expect(broken).toEqual([])
  })

  it('finds a broken link when there is one', () => {
    expect(linkTargets('see [x](docs/nowhere.md), ![y](a.png) and [z](https://example.org)').filter(isRelative)).toEqual(['docs/nowhere.md', 'a.png'])
  })
})

describe('the repository', () => {
  // Spelled in two parts so that this file does not name it either.
  const outside = ['..', '/shared'].join('')

  it('names no path beside it in any of its files', () => {
    const naming = files(ROOT)
      .filter((f) => statSync(f).size < 5_000_000)
      .filter((f) => readFileSync(f).includes(outside))
      .map((f) => relative(ROOT, f))
    expect(naming).toEqual([])
  })
})
