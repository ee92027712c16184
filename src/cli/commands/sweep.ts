// `mnist-loss sweep`: move one weight over a range and watch SSE and CEE change smoothly while accuracy
// jumps — the chapter's reason to train on a loss. Also the model / images plumbing probe and demo share.
import * as path from 'node:path';
import { Option, type Command } from 'commander';
import { sampleIndices } from '../../data/batch';
import { loadSplit, type LoadedSplit } from '../../data/mnist';
import type { SplitName } from '../../data/types';
import { dataError, usageError } from '../../errors';
import { steepestFirstLayerWeight } from '../../experiments/probe';
import { buildSweepCache, linspace, sweepParameter, type SweepMode } from '../../experiments/sweep';
import { fileExists, packageRoot, writeFileAtomic } from '../../io/files';
import { readModel, type LoadedModel } from '../../io/modelFile';
import type { Activation } from '../../nn/network';
import { resolveParamRef, type ParamElement } from '../../nn/paramRef';
import { Mt19937 } from '../../rng/mt19937';
import type { Charset } from '../../report/chart';
import { createStyle } from '../../report/style';
import { renderSweepReport, sweepCsv, sweepJson, sweepSvg, type SweepContext } from '../../report/sweepReport';
import type { Io } from '../io';
import { addCommonOptions, addExample, DEFAULT_SEED, parseFiniteNumber, parsePositiveInt, parseSeed, type CommonOptions } from '../options';
import { BUNDLED_MODEL } from './eval';

/** Without --from/--to: add −2 … +2 to the weight (set mode: the same weights, base − 2 … base + 2). */
export const DEFAULT_SWEEP_HALF_RANGE = 2;
export const DEFAULT_SWEEP_STEPS = 101;

/** Flags sweep, probe and demo share: which model, which images. */
export interface ModelImagesRaw extends CommonOptions {
  model?: string;
  activation?: Activation;
  split: SplitName;
  size?: number;
  seed?: number;
  replace: boolean;
  ascii: boolean;
}

/** Adds --model, --activation, --split, --size, --seed, --no-replace, --ascii and the common flags. */
export function addModelImagesOptions(cmd: Command, seedText: string): Command {
  cmd
    .option('--model <file>', `model file: .safetensors, .npz or the book's .pkl (default: the bundled ${BUNDLED_MODEL})`)
    .addOption(new Option('--activation <name>', 'hidden-layer activation; overrides the file (npz and pkl default to sigmoid)').choices(['sigmoid', 'relu']))
    .addOption(new Option('--split <name>', 'which split').choices(['test', 'train']).default('test'))
    .option('--size <n>', 'use a seeded sample of n images instead of the whole split', parsePositiveInt)
    .option('--seed <n>', seedText, parseSeed)
    .option('--no-replace', 'sample without replacement (np.random.choice(..., replace=False))')
    .option('--ascii', 'plain ASCII charts instead of Unicode braille and blocks', false);
  return addCommonOptions(cmd);
}

/** The model file to read: --model, else the bundled one (which must exist); label: how reports name it. */
export function loadModelOption(model: string | undefined, activation: Activation | undefined): { file: string; label: string; model: LoadedModel } {
  const file = model ?? path.join(packageRoot(), BUNDLED_MODEL);
  if (model === undefined && !fileExists(file))
    throw dataError(`no --model given and the bundled model is missing: ${file}`, 'pass --model FILE (.safetensors, .npz or .pkl), or regenerate the bundled model (see data/README.md)');
  return { file, label: model ?? `bundled ${BUNDLED_MODEL}`, model: readModel(file, activation) };
}

/** The split, and the seeded sample of it (np.random.seed(S); np.random.choice(n, N)) when --size is given. */
export function loadImages(raw: ModelImagesRaw, env: Io['env']): { split: LoadedSplit; indices: Uint32Array | null; seed: number | null } {
  const split = loadSplit({ data: raw.data, source: raw.source, env }, raw.split);
  if (raw.size === undefined) return { split, indices: null, seed: null };
  const seed = raw.seed ?? DEFAULT_SEED;
  return { split, indices: sampleIndices(new Mt19937(seed), split.count, raw.size, raw.replace), seed };
}

/** "784-50-10 sigmoid". */
export function architecture(model: LoadedModel): string {
  return `${[model.net.layers[0].W.rows, ...model.net.layers.map((l) => l.W.cols)].join('-')} ${model.activation}`;
}

/** Unicode unless --ascii or a dumb terminal. */
export function charsetFor(ascii: boolean, env: Io['env']): Charset {
  return ascii || env.TERM === 'dumb' ? 'ascii' : 'unicode';
}

/** Terminal width: $COLUMNS when it is a sensible number, else 80. */
export function terminalWidth(env: Io['env']): number {
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns >= 40 ? columns : 80;
}

interface SweepRaw extends ModelImagesRaw {
  param?: string;
  from?: number;
  to?: number;
  steps: number;
  mode: SweepMode;
  csv: boolean;
  plot?: string;
}

export interface SweepOptions {
  readonly param: string;
  /** null: the default range around the model's weight. */
  readonly range: { readonly from: number; readonly to: number } | null;
  readonly steps: number;
  readonly mode: SweepMode;
  readonly output: 'human' | 'json' | 'csv';
  readonly plot: string | null;
}

export function validateSweep(raw: SweepRaw): SweepOptions {
  if (raw.param === undefined || raw.param.trim() === '')
    throw usageError('sweep needs --param: the weight or bias element to move, e.g. W1[409,18] or b2[3]', "or --param auto for the first-layer weight CEE is steepest in; 'mnist-loss sweep --param x' lists the model's parameters");
  if ((raw.from === undefined) !== (raw.to === undefined))
    throw usageError(`--${raw.from === undefined ? 'to' : 'from'} was given without --${raw.from === undefined ? 'from' : 'to'}`, 'give both ends of the range, or neither for the default (add −2 … +2)');
  if (raw.steps < 2) throw usageError(`--steps ${raw.steps}: a sweep needs at least 2 values`, 'use e.g. --steps 101');
  if (raw.size === undefined && raw.seed !== undefined)
    throw usageError(`--seed ${raw.seed} picks a sample, but no --size was given: without --size sweep uses the whole split`, 'add --size N to use N seeded images, or drop --seed');
  if (raw.size === undefined && !raw.replace) throw usageError('--no-replace applies to a sample, but no --size was given', 'add --size N, or drop --no-replace');
  if (raw.json && raw.csv) throw usageError('--json and --csv both ask for the whole output', 'pick one');
  if (raw.plot !== undefined && !/\.svg$/i.test(raw.plot)) throw usageError(`--plot ${raw.plot}: the plot is an SVG file, so its name must end in .svg`, `e.g. --plot ${raw.plot.replace(/\.[A-Za-z0-9]+$/, '')}.svg`);
  return Object.freeze({
    param: raw.param.trim(),
    range: raw.from === undefined || raw.to === undefined ? null : { from: raw.from, to: raw.to },
    steps: raw.steps,
    mode: raw.mode,
    output: raw.json ? 'json' : raw.csv ? 'csv' : 'human',
    plot: raw.plot ?? null,
  });
}

/** The swept range: as given, or the default ±2 around the model's weight. */
export function sweepRange(opts: SweepOptions, param: ParamElement): { from: number; to: number } {
  if (opts.range !== null) return opts.range;
  const center = opts.mode === 'add' ? 0 : param.value;
  return { from: center - DEFAULT_SWEEP_HALF_RANGE, to: center + DEFAULT_SWEEP_HALF_RANGE };
}

export function registerSweep(program: Command, io: Io): void {
  const cmd = program
    .command('sweep')
    .description('move one weight over a range: SSE and CEE change smoothly, accuracy in jumps (table, chart, verdict)')
    .option('--param <P>', "the element to move: W1[409,18] (row, column of W1: [in, out]), b2[3], ... or 'auto'")
    .option('--from <a>', `start of the range (default: −${DEFAULT_SWEEP_HALF_RANGE} added to the weight)`, parseFiniteNumber)
    .option('--to <b>', `end of the range (default: +${DEFAULT_SWEEP_HALF_RANGE})`, parseFiniteNumber)
    .option('--steps <k>', 'number of values, np.linspace(a, b, k)', parsePositiveInt, DEFAULT_SWEEP_STEPS)
    .addOption(new Option('--mode <how>', "'add': weight = model value + value; 'set': weight = value").choices(['add', 'set']).default('add'))
    .option('--csv', 'CSV on stdout: a header row, then one row per value', false)
    .option('--plot <file.svg>', 'also write an SVG chart (CEE and SSE curves, accuracy steps)');
  addModelImagesOptions(cmd, `seed of the sample, as np.random.seed (default ${DEFAULT_SEED}; needs --size)`);
  addExample(
    cmd,
    "mnist-loss sweep --param 'W1[409,18]' --size 100",
    "mnist-loss sweep --param 'b2[3]' --from -3 --to 3 --steps 201 --plot sweep.svg",
    "mnist-loss sweep --param 'W1[409,18]' --json | jq .summary",
  );
  cmd.action((raw: SweepRaw) => {
    const opts = validateSweep(raw);
    const { file, label, model } = loadModelOption(raw.model, raw.activation);
    const { split, indices, seed } = loadImages(raw, io.env);
    const cache = buildSweepCache(model.net, split, indices);
    const param = opts.param === 'auto' ? steepestFirstLayerWeight(cache).param : resolveParamRef(model.net, opts.param);
    const range = sweepRange(opts, param);
    const result = sweepParameter(cache, param, linspace(range.from, range.to, opts.steps), opts.mode);
    const ctx: SweepContext = {
      model: file, modelLabel: label, architecture: architecture(model), split: raw.split, splitCount: split.count, size: raw.size ?? null, seed,
      from: range.from, to: range.to, steps: opts.steps, defaultRange: opts.range === null,
    };
    if (opts.plot !== null) { writeFileAtomic(opts.plot, sweepSvg(result, ctx)); io.err(`wrote ${opts.plot}\n`); }
    if (opts.output === 'json') io.out(sweepJson(result, ctx));
    else if (opts.output === 'csv') io.out(sweepCsv(result));
    else io.out(renderSweepReport(result, ctx, { style: createStyle(io.color && raw.color), charset: charsetFor(raw.ascii, io.env), width: terminalWidth(io.env) }));
  });
}
