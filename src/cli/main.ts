// The CLI: builds the commander program and is the one place where throwables become exit codes.
// Mirrors changesets' cli.ts: parse -> run -> map errors; never calls process.exit.
import { getSystemErrorMap } from 'node:util';
import { Command, CommanderError } from 'commander';
import { ExitCode, MnistLossError, printable, usageError } from '../errors';
import { commands } from './registry';
import type { Io } from './io';
import { formatExamples, helpWidthOf, helpWithAccepts } from './options';
import { terminalWidth } from './terminal';
import { fitLine } from '../report/width';
import { packageVersion } from '../io/files';

/**
 * How many characters of one stderr line main prints at most: whatever a thrower put in a message (a
 * file's content, a hostile name), each printed line is escaped (no control character reaches the
 * terminal or splits the line) and capped.
 */
export const MAX_MESSAGE_LINE = 2000;

const COMMANDS_HINT = "see 'mnist-loss --help' for the commands";

/** A user error as main prints it: one "mnist-loss: " line per message line, then "hint: ", each escaped and capped. */
export function formatUserError(e: MnistLossError): string {
  const lines = e.lines.map((line) => `mnist-loss: ${printable(line, MAX_MESSAGE_LINE)}\n`).join('');
  return e.hint ? `${lines}hint: ${printable(e.hint, MAX_MESSAGE_LINE)}\n` : lines;
}

/**
 * A commander error (`error: unknown option '--x'\n(Did you mean --y?)\n`) as one escaped line plus the hint:
 * the suggestion joins the line, and the user's text in it (an option's name, a value) is escaped.
 */
export function formatCommanderError(text: string, hint: string): string {
  const message = text.replace(/^error: /, '').replace(/\n$/, '').replace(/\n(\(Did you mean [^\n]*\?\))$/, ' $1');
  return `mnist-loss: ${printable(message, MAX_MESSAGE_LINE)}\nhint: ${hint}\n`;
}

/**
 * What bin prints when writing to stdout fails for a reason other than a closed pipe (ENOSPC on a full
 * disk, EIO): one line naming the reason and the code, a hint, and exit code 3.
 */
export function stdoutFailure(e: NodeJS.ErrnoException): { text: string; exitCode: number } {
  const code = typeof e.code === 'string' ? e.code : 'unknown error';
  const known = typeof e.errno === 'number' ? getSystemErrorMap().get(e.errno)?.[1] : undefined;
  const reason = known ?? e.message;
  const hint = code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG'
    ? 'free space where standard output goes, or redirect it to another disk (> FILE)'
    : 'check where standard output goes (a failing disk, device or terminal), or redirect it elsewhere (> FILE)';
  return { text: `mnist-loss: cannot write to standard output: ${printable(reason)} (${printable(code)})\nhint: ${hint}\n`, exitCode: ExitCode.Data };
}

/** No command, or `help X` for a command that does not exist: one line and a hint, not the whole help on stderr. */
function checkCommandWord(argv: readonly string[]): void {
  if (argv.length === 0) throw usageError('no command given', `${COMMANDS_HINT}, e.g. 'mnist-loss info' or 'mnist-loss demo'`);
  const [first, second] = argv;
  if (first === 'help' && second !== undefined && !second.startsWith('-') && second !== 'help' && !commands.some((c) => c.name === second))
    throw usageError(`unknown command '${second}'`, COMMANDS_HINT);
}


const MAIN_HELP_EXAMPLES = [
  'mnist-loss info',
  'mnist-loss batch --size 10 --seed 42          # = np.random.seed(42); np.random.choice(60000, 10)',
  'mnist-loss loss --y 0.1,0.05,0.6,0,0.05,0.1,0,0.1,0,0 --t 2',
  'mnist-loss eval --min-accuracy 0.97 --json    # a CI gate: exit 4 when it fails',
];
const MAIN_HELP_NOTES = [
  'Every command takes --data DIR, --source idx|mnist, --json and --no-color.',
  'Exit codes: 0 ok, 1 internal error, 2 usage, 3 input data, 4 a requested check failed, 130 interrupted.',
];

/** The main --help's footer (examples, common flags, exit codes) for a help `width` columns wide. */
function mainHelpFooter(width: number): string {
  return `\nExamples:\n${formatExamples(MAIN_HELP_EXAMPLES, width)}\n\n${MAIN_HELP_NOTES.map((n) => fitLine(n, width, '  ')).join('\n')}\n`;
}

/**
 * The program with every subcommand, or, when argv starts with a command's name, with that one alone: it
 * parses and reports exactly as with all nine (a subcommand's parsing and help never look at its siblings),
 * and start-up skips loading the other eight. --help, help, an unknown command and no command get all nine.
 */
export function buildProgram(io: Io, argv: readonly string[] = []): Command {
  const named = commands.find((c) => c.name === argv[0]);
  const usageHint = named ? `see 'mnist-loss ${named.name} --help' for its flags and their values` : COMMANDS_HINT;
  // exitOverride and configureOutput must come before subcommands: commander copies them on creation.
  const program = new Command('mnist-loss')
    .description('MNIST loss evaluator: SSE, CEE and accuracy on seeded, numpy-compatible mini-batches')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .showHelpAfterError(false)
    .configureHelp(helpWithAccepts())
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      getOutHelpWidth: () => terminalWidth(io),
      getErrHelpWidth: () => terminalWidth({ env: io.env, columns: io.errColumns }),
      outputError: (s, write) => write(formatCommanderError(s, usageHint)),
    });
  for (const entry of named ? [named] : commands) entry.load()(program, io);
  program.addHelpText('after', (context) => mainHelpFooter(helpWidthOf(context.command, context.error)));
  return program;
}

export async function main(argv: string[], io: Io): Promise<number> {
  try {
    checkCommandWord(argv);
    await buildProgram(io, argv).parseAsync(argv, { from: 'user' });
    return ExitCode.Ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Already printed. 0 is --help / --version.
      return e.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    if (e instanceof MnistLossError) {
      // The library's facts, worded with the flags that fed them; loaded only on this path (it reaches experiments/).
      const { wordError } = require('./wording') as typeof import('./wording');
      io.err(formatUserError(wordError(e)));
      return e.exitCode;
    }
    io.err(`mnist-loss: internal error, please report\n${(e as Error)?.stack ?? String(e)}\n`);
    return ExitCode.Internal;
  }
}
