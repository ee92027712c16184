// The CLI: builds the commander program and is the one place where throwables become exit codes.
// Mirrors changesets' cli.ts: parse -> run -> map errors; never calls process.exit.
import { Command, CommanderError } from 'commander';
import { ExitCode, MnistLossError } from '../errors';
import { commands } from './commands';
import type { Io } from './io';
import { packageVersion } from '../io/files';


const MAIN_HELP_FOOTER = `
Examples:
  $ mnist-loss info
  $ mnist-loss batch --size 10 --seed 42          # = np.random.seed(42); np.random.choice(60000, 10)
  $ mnist-loss loss --y 0.1,0.05,0.6,0,0.05,0.1,0,0.1,0,0 --t 2
  $ mnist-loss eval --min-accuracy 0.97 --json    # a CI gate: exit 4 when it fails

Every command takes --data DIR, --source idx|mnist, --json and --no-color.
Exit codes: 0 ok, 1 internal error, 2 usage, 3 input data, 4 a requested check failed, 130 interrupted.
`;

/**
 * The program with every subcommand, or, when argv starts with a command's name, with that one alone: it
 * parses and reports exactly as with all nine (a subcommand's parsing and help never look at its siblings),
 * and start-up skips loading the other eight. --help, help, an unknown command and no command get all nine.
 */
export function buildProgram(io: Io, argv: readonly string[] = []): Command {
  const named = commands.find((c) => c.name === argv[0]);
  const usageHint = named ? `see 'mnist-loss ${named.name} --help' for its flags and their values` : "see 'mnist-loss --help' for the commands";
  // exitOverride and configureOutput must come before subcommands: commander copies them on creation.
  const program = new Command('mnist-loss')
    .description('MNIST loss evaluator: SSE, CEE and accuracy on seeded, numpy-compatible mini-batches')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: (s, write) => write(`mnist-loss: ${s.replace(/^error: /, '')}hint: ${usageHint}\n`),
    });
  for (const entry of named ? [named] : commands) entry.load()(program, io);
  program.addHelpText('after', MAIN_HELP_FOOTER);
  return program;
}

export async function main(argv: string[], io: Io): Promise<number> {
  try {
    await buildProgram(io, argv).parseAsync(argv, { from: 'user' });
    return ExitCode.Ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Already printed. 0 is --help / --version; "no command given" prints help and is a usage error.
      return e.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    if (e instanceof MnistLossError) {
      io.err(`mnist-loss: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ''}`);
      return e.exitCode;
    }
    io.err(`mnist-loss: internal error, please report\n${(e as Error)?.stack ?? String(e)}\n`);
    return ExitCode.Internal;
  }
}
