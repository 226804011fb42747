import { readFileSync } from 'node:fs'
import { buildSchema } from 'graphql'
import semver from 'semver'
import { describe, expect, it } from 'vitest'
import { changesSince, compatibilityProblems, isBreakingBump, lastRelease } from '../support/schema-compatibility.js'

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')
const release = lastRelease(new URL('../../api/releases/', import.meta.url))
const current = buildSchema(read('schema.graphql'))
const version = (JSON.parse(read('package.json')) as { version: string }).version
const changelog = read('CHANGELOG.md')

describe('schema.graphql against the last release portals build on', () => {
  it('breaks nothing of the last release, and the changelog names every dangerous change', () => {
    expect(compatibilityProblems(release, current, version, changelog)).toEqual([])
  })

  it('is not older than the last release', () => {
    expect(semver.gte(version, release.version), `package.json ${version} is below release ${release.version}`).toBe(true)
  })
})

describe('the compatibility check itself', () => {
  const base = { version: '0.1.0', schema: buildSchema('enum Kind { A B }\ntype Query { plan(id: ID!): String, kind: Kind }') }
  const changelogOf = (unreleased: string) => `# Changelog\n\n${unreleased}\n## 0.1.0\n\nFirst.\n`

  it.each([
    ['a removed field', 'enum Kind { A B }\ntype Query { kind: Kind }', /breaking .*Query\.plan was removed/],
    ['a new required argument', 'enum Kind { A B }\ntype Query { plan(id: ID!, at: Int!): String, kind: Kind }', /breaking .*required arg at on Query\.plan/],
    ['a removed enum value', 'enum Kind { A }\ntype Query { plan(id: ID!): String, kind: Kind }', /breaking .*B was removed from enum type Kind/],
  ])('refuses %s without a breaking bump', (_name, sdl, message) => {
    const problems = compatibilityProblems(base, buildSchema(sdl), '0.1.0', changelogOf('## Unreleased\n'))
    expect(problems.join('\n')).toMatch(message)
  })

  it('accepts a breaking change after a breaking bump with a Breaking line, and only then', () => {
    const removed = buildSchema('enum Kind { A B }\ntype Query { kind: Kind }')
    expect(compatibilityProblems(base, removed, '0.2.0', changelogOf('## 0.2.0\n\n- Breaking: Query.plan removed.\n'))).toEqual([])
    expect(compatibilityProblems(base, removed, '0.2.0', changelogOf('## 0.2.0\n\n- Query.plan removed.\n'))).not.toEqual([])
    expect(compatibilityProblems(base, removed, '0.1.1', changelogOf('## 0.1.1\n\n- Breaking: Query.plan removed.\n'))).not.toEqual([])
  })

  it('asks the changelog to name a dangerous change word for word', () => {
    const added = buildSchema('enum Kind { A B C }\ntype Query { plan(id: ID!): String, kind: Kind }')
    expect(compatibilityProblems(base, added, '0.1.0', changelogOf('## Unreleased\n'))).toEqual([
      'CHANGELOG.md must name this change since 0.1.0, word for word: C was added to enum type Kind.',
    ])
    expect(compatibilityProblems(base, added, '0.1.0', changelogOf('## Unreleased\n\n- C was added to enum type Kind.\n'))).toEqual([])
  })

  it('accepts pure additions silently', () => {
    const grown = buildSchema('enum Kind { A B }\ntype Extra { x: Int }\ntype Query { plan(id: ID!): String, kind: Kind, extra: Extra }')
    expect(compatibilityProblems(base, grown, '0.1.0', changelogOf('## Unreleased\n'))).toEqual([])
  })

  it.each([
    ['0.1.0', '0.2.0', true],
    ['0.1.0', '0.1.1', false],
    ['0.1.0', '1.0.0', true],
    ['1.2.0', '1.3.0', false],
    ['1.2.0', '2.0.0', true],
    ['0.2.0', '0.1.0', false],
  ])('%s -> %s may break: %s', (from, to, expected) => {
    expect(isBreakingBump(from, to)).toBe(expected)
  })

  it('reads the changelog only above the release heading', () => {
    expect(changesSince('# C\n\n## Unreleased\n\n- new\n\n## 0.1.0\n\n- old\n', '0.1.0')).not.toContain('old')
  })
})
