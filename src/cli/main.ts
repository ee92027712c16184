// The CLI: builds the commander program and is the one place where throwables become exit codes.
// Mirrors changesets' cli.ts: parse -> run -> map errors; never calls process.exit.
import { Command, CommanderError } from 'commander';
import { ExitCode, MnistLossError } from '../errors';
import { commands } from './commands';
import type { Io } from './io';
import { packageVersion } from '../io/files';


export function buildProgram(io: Io): Command {
  // exitOverride and configureOutput must come before subcommands: commander copies them on creation.
  const program = new Command('mnist-loss')
    .description('MNIST loss evaluator: SSE, CEE and accuracy on seeded, numpy-compatible mini-batches')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: (s, write) => write(`mnist-loss: ${s.replace(/^error: /, '')}hint: see 'mnist-loss --help' or 'mnist-loss <command> --help'\n`),
    });
  for (const register of commands) register(program, io);
  return program;
}

export async function main(argv: string[], io: Io): Promise<number> {
  try {
    await buildProgram(io).parseAsync(argv, { from: 'user' });
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
