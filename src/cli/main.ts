import 'reflect-metadata'
import { commandIndex, OPERATOR_COMMANDS } from './args.js'
import { OPERATOR_USAGE } from './help.js'
import { didYouMean } from './suggest.js'

const USAGE = `usage: nodeplan <command> [options]

commands:
  serve       run the GraphQL service
  simulator   run the simulated Run:ai cluster (a Kubernetes API server)

operator commands (talk to a running server; nodeplan <command> --help for each):
${OPERATOR_USAGE}
global options, before or after the command: --url URL, --token TOKEN, --output text|json (-o), --no-color
`

export async function main(argv: string[]): Promise<number> {
  // Global options may come before the command (nodeplan --token X nodes); the command gets the rest.
  const at = commandIndex(argv)
  const command = at < 0 ? undefined : argv[at]!
  const rest = at < 0 ? argv : [...argv.slice(0, at), ...argv.slice(at + 1)]
  switch (command) {
    case 'serve': {
      const { serveCommand } = await import('./serve.command.js')
      return serveCommand(rest)
    }
    case 'simulator': {
      const { simulatorCommand } = await import('../simulator/simulator.command.js')
      return simulatorCommand(rest)
    }
    case undefined:
    case 'help': {
      process.stdout.write(USAGE)
      const asked = command === 'help' || argv.includes('--help') || argv.includes('-h')
      return asked ? 0 : 1
    }
    default:
      if ((OPERATOR_COMMANDS as readonly string[]).includes(command)) {
        const { operatorCommand } = await import('./operator.command.js')
        return operatorCommand(command, rest)
      }
      process.stderr.write(`nodeplan: unknown command "${command}".${didYouMean(command, ['serve', 'simulator', ...OPERATOR_COMMANDS], (c) => `"nodeplan ${c}"`)}\n\n${USAGE}`)
      return 1
  }
}
