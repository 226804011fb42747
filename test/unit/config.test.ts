import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_POLICY } from '../../src/app/policy.js'
import { ConfigError, DEFAULT_DATABASE_URL, parseServeConfig } from '../../src/config.js'

const dir = mkdtempSync(join(tmpdir(), 'nodeplan-config-'))
const file = (name: string, content: unknown) => {
  const path = join(dir, name)
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}
const tokens = file('tokens.json', [{ token: 'a-token-of-sufficient-length', subject: 'alice', role: 'operator' }])

describe('serve configuration', () => {
  it('has defaults a newcomer can run with: loopback, SQLite, no tokens, the default policy', () => {
    const config = parseServeConfig([], {})
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8080, databaseUrl: DEFAULT_DATABASE_URL, kubeconfigPath: null, auth: null, policy: DEFAULT_POLICY, logLevel: 'info', applyParallelism: 16 })
  })

  it('takes environment variables, and flags over them', () => {
    const env = { PORT: '9000', DATABASE_URL: 'postgresql://u:p@db:5432/n', KUBECONFIG: '/k', LOG_LEVEL: 'debug', NODEPLAN_TOKENS_FILE: tokens }
    expect(parseServeConfig([], env)).toMatchObject({ port: 9000, databaseUrl: 'postgresql://u:p@db:5432/n', kubeconfigPath: '/k', logLevel: 'debug', host: '0.0.0.0' })
    expect(parseServeConfig(['--port', '9100', '--host', '127.0.0.2'], env)).toMatchObject({ port: 9100, host: '127.0.0.2' })
  })

  it('takes the audit key from a file (one line), or from NODEPLAN_AUDIT_KEY; none by default', () => {
    const key = 'f'.repeat(64)
    expect(parseServeConfig([], {}).auditKey).toBeNull()
    expect(parseServeConfig(['--audit-key-file', file('audit.key', `${key}\n`)], {}).auditKey).toBe(key)
    expect(parseServeConfig([], { NODEPLAN_AUDIT_KEY_FILE: file('audit2.key', key) }).auditKey).toBe(key)
    expect(parseServeConfig([], { NODEPLAN_AUDIT_KEY: key }).auditKey).toBe(key)
  })

  it.each([
    ['a short audit key', [], { NODEPLAN_AUDIT_KEY: 'short' }, /the audit key must be at least 32 characters .* got 5/],
    ['an audit key given twice', ['--audit-key-file', '/k'], { NODEPLAN_AUDIT_KEY: 'f'.repeat(32) }, /give the audit key once/],
    ['a missing audit key file', ['--audit-key-file', '/nonexistent/audit.key'], {}, /audit key file \/nonexistent\/audit.key: ENOENT/],
    ['--audit-reseal without a key', ['--audit-reseal'], {}, /--audit-reseal needs the audit key/],
  ])('refuses %s', (_name, argv, env, message) => {
    expect(() => parseServeConfig(argv, env)).toThrow(ConfigError)
    expect(() => parseServeConfig(argv, env)).toThrow(message)
  })

  it('answers to loopback names only without a tokens file, to any Host with one unless told; no mutations over the websocket unless told', () => {
    expect(parseServeConfig([], {}).network).toMatchObject({ allowedHosts: ['localhost', '127.0.0.1', '[::1]'], allowedOrigins: [], websocketMutations: false })
    expect(parseServeConfig(['--tokens', tokens], {}).network.allowedHosts).toBeNull()
    const told = parseServeConfig(['--tokens', tokens, '--allowed-hosts', 'Nodeplan.example.com, np.internal', '--websocket-mutations', 'true'], { NODEPLAN_ALLOWED_ORIGINS: 'https://portal.example.com/' })
    expect(told.network).toMatchObject({ allowedHosts: ['nodeplan.example.com', 'np.internal'], allowedOrigins: ['https://portal.example.com'], websocketMutations: true })
    expect(parseServeConfig([], { NODEPLAN_MAX_RESPONSE_MB: '8', NODEPLAN_MAX_REQUEST_SECONDS: '5' }).network).toMatchObject({ maxResponseBytes: 8 * 1024 * 1024, maxRequestMs: 5000 })
  })

  it('reads a policy file', () => {
    const policy = file('policy.json', { requireApproval: ['DECOMMISSION', 'DRAIN'], autoApplyUnplannedDrain: true })
    expect(parseServeConfig(['--policy', policy], {}).policy).toEqual({ ...DEFAULT_POLICY, requireApproval: ['DECOMMISSION', 'DRAIN'], autoApplyUnplannedDrain: true })
    expect(DEFAULT_POLICY.planMaxAgeHours).toBe(168)
    expect(parseServeConfig(['--policy', file('age.json', { planMaxAgeHours: 0 })], {}).policy.planMaxAgeHours).toBe(0)
  })

  it.each([
    ['a port that is not a number', ['--port', 'http'], {}, /--port\/PORT must be a TCP port from 0 to 65535, got "http"/],
    ['a port out of range', [], { PORT: '70000' }, /got "70000"/],
    ['an unknown flag', ['--colour', 'red'], {}, /Unknown option '--colour'/],
    ['a stray argument', ['now'], {}, /Unexpected argument 'now'/],
    ['a database URL of another kind', ['--database', 'mysql://u:secret@x/db'], {}, /DATABASE_URL must be a SQLite .* got "mysql:\/\/u:\*\*\*@x\/db"/],
    ['a public address without tokens', ['--host', '0.0.0.0'], {}, /refusing to listen on 0.0.0.0 without authentication/],
    ['a missing tokens file', ['--tokens', '/nonexistent/tokens.json'], {}, /tokens file \/nonexistent\/tokens.json/],
    ['a weak token', ['--tokens', file('weak.json', [{ token: 'short', subject: 'a', role: 'admin' }])], {}, /tokens file .*weak.json: \[0\]\.token: must be a string of at least 16 characters/],
    ['an unknown role', ['--tokens', file('role.json', [{ token: 'a-token-of-sufficient-length', subject: 'a', role: 'root' }])], {}, /\[0\]\.role: must be one of viewer, operator, approver, admin/],
    ['a duplicate token', ['--tokens', file('dup.json', [{ token: 'a-token-of-sufficient-length', subject: 'a', role: 'admin' }, { token: 'a-token-of-sufficient-length', subject: 'b', role: 'viewer' }])], {}, /\[1\]: duplicate token/],
    ['the reserved subject system', ['--tokens', file('sys.json', [{ token: 'a-token-of-sufficient-length', subject: 'system', role: 'admin' }])], {}, /reserved/],
    ['a tokens file that is not JSON', ['--tokens', file('bad.json', '[{')], {}, /tokens file .*bad.json/],
    ['a policy with an unknown key', ['--policy', file('p1.json', { requireAproval: [] })], {}, /unknown key "requireAproval"/],
    ['a policy with an unknown plan kind', ['--policy', file('p2.json', { requireApproval: ['NUKE'] })], {}, /requireApproval\[0\]: must be one of DRAIN, UNDRAIN/],
    ['a policy with a negative grace time', ['--policy', file('p3.json', { unplannedDrainAfterSeconds: -1 })], {}, /unplannedDrainAfterSeconds: must be a whole number of seconds from 0 to 604800/],
    ['a policy with a fractional plan age', ['--policy', file('p4.json', { planMaxAgeHours: 1.5 })], {}, /planMaxAgeHours: must be a whole number of hours from 0 to 8760 \(0: never expire\)/],
    ['a policy with a plan age over a year', ['--policy', file('p5.json', { planMaxAgeHours: 9000 })], {}, /planMaxAgeHours: must be a whole number of hours from 0 to 8760 \(0: never expire\)/],
    ['an unknown log level', ['--log-level', 'loud'], {}, /--log-level\/LOG_LEVEL must be one of/],
    ['zero apply parallelism', ['--apply-parallelism', '0'], {}, /--apply-parallelism\/NODEPLAN_APPLY_PARALLELISM must be a whole number from 1 to 256/],
    ['an allowed origin with a path', ['--allowed-origins', 'https://portal.example.com/app'], {}, /--allowed-origins\/NODEPLAN_ALLOWED_ORIGINS takes origins .* got "https:\/\/portal.example.com\/app"/],
    ['an allowed origin that is not a URL', [], { NODEPLAN_ALLOWED_ORIGINS: '*' }, /NODEPLAN_ALLOWED_ORIGINS takes origins/],
    ['an allowed host with a port', ['--allowed-hosts', 'nodeplan.example.com:8080'], {}, /--allowed-hosts\/NODEPLAN_ALLOWED_HOSTS takes host names without port/],
    ['websocket mutations other than true or false', ['--websocket-mutations', 'yes'], {}, /--websocket-mutations\/NODEPLAN_WEBSOCKET_MUTATIONS must be true or false/],
    ['a zero idle timeout', [], { NODEPLAN_IDLE_TIMEOUT_SECONDS: '0' }, /--idle-timeout-seconds\/NODEPLAN_IDLE_TIMEOUT_SECONDS must be a whole number from 1/],
    ['a connection cap that is not a number', ['--max-connections-per-address', 'many'], {}, /--max-connections-per-address\/NODEPLAN_MAX_CONNECTIONS_PER_ADDRESS must be a whole number/],
  ])('refuses %s with a message naming it', (_name, argv, env, message) => {
    expect(() => parseServeConfig(argv, env)).toThrow(ConfigError)
    expect(() => parseServeConfig(argv, env)).toThrow(message)
  })
})
