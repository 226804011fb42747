import 'reflect-metadata'
import { OPERATOR_COMMANDS, OPERATOR_USAGE } from './args.js'

const USAGE = `usage: nodeplan <command> [options]

commands:
  serve       run the GraphQL service
  simulator   run the simulated Run:ai cluster (a Kubernetes API server)

operator commands (talk to a running server; nodeplan <command> --help for each):
${OPERATOR_USAGE}`

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
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
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE)
      return command === undefined ? 1 : 0
    default:
      if ((OPERATOR_COMMANDS as readonly string[]).includes(command)) {
        const { operatorCommand } = await import('./operator.command.js')
        return operatorCommand(command, rest)
      }
      process.stderr.write(`nodeplan: unknown command "${command}"\n\n${USAGE}`)
      return 1
  }
}
