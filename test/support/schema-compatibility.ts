// The convention GraphQL teams use for a contract: the schema of the last release is kept in the
// repository (api/releases/<version>.graphql), and the current one may only break it through a
// deliberate step — a breaking version bump in package.json and a "Breaking" line in CHANGELOG.md.
import { readdirSync, readFileSync } from 'node:fs'
import { buildSchema, findBreakingChanges, findDangerousChanges, type GraphQLSchema } from 'graphql'
import semver from 'semver'

export interface Release {
  version: string
  schema: GraphQLSchema
}

/** The newest schema in `dir`, by semantic version of its file name. */
export function lastRelease(dir: URL): Release {
  const versions = readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .map((f) => f.slice(0, -'.graphql'.length))
    .filter((v) => semver.valid(v))
    .sort(semver.compare)
  const version = versions.at(-1)
  if (!version) throw new Error(`${dir.pathname}: no release schema (<version>.graphql)`)
  return { version, schema: buildSchema(readFileSync(new URL(`${version}.graphql`, dir), 'utf8')) }
}

/** The part of CHANGELOG.md written since `release`: everything above its `## <version>` heading. */
export function changesSince(changelog: string, release: string): string {
  const heading = new RegExp(`^## \\[?${release.replace(/\./g, '\\.')}\\]?(\\s|$)`, 'm')
  const at = changelog.search(heading)
  return at < 0 ? changelog : changelog.slice(0, at)
}

/** True when going from `from` to `to` is a version bump that may break clients (semver: 0.x bumps the minor). */
export function isBreakingBump(from: string, to: string): boolean {
  if (!semver.gt(to, from)) return false
  return semver.major(from) === 0 ? semver.major(to) > 0 || semver.minor(to) > semver.minor(from) : semver.major(to) > semver.major(from)
}

/**
 * What stands between the current schema and a release: breaking changes without a breaking bump and
 * a "Breaking" entry in the changelog, and dangerous changes (an enum value or optional argument
 * added, a default changed) that the changelog does not name word for word. Empty when all is well.
 */
export function compatibilityProblems(release: Release, current: GraphQLSchema, version: string, changelog: string): string[] {
  const problems: string[] = []
  const since = changesSince(changelog, release.version)
  const breaking = findBreakingChanges(release.schema, current)
  if (breaking.length > 0) {
    const bumped = isBreakingBump(release.version, version)
    const noted = new RegExp(`^## \\[?${version.replace(/\./g, '\\.')}\\]?[^\\n]*\\n[\\s\\S]*?\\bBreaking\\b`, 'm').test(since)
    if (!bumped || !noted) {
      problems.push(
        ...breaking.map((c) => `breaking against release ${release.version}: ${c.description}`),
        bumped
          ? `CHANGELOG.md needs a "## ${version}" section with a "Breaking" line for these`
          : `these need a breaking version bump in package.json (now ${version}) and a "Breaking" line in CHANGELOG.md`,
      )
    }
  }
  for (const change of findDangerousChanges(release.schema, current)) {
    if (!since.includes(change.description)) problems.push(`CHANGELOG.md must name this change since ${release.version}, word for word: ${change.description}`)
  }
  return problems
}
