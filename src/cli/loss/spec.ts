// `mnist-loss loss --y Y --t T`: SSE, CEE and accuracy of predictions against labels, with the book's
// definitions (ch. 4.2: sum_squared_error, cross_entropy_error), per image; --compare adds other libraries' CEE.
// Flags and their checks only; ./run.ts does the work and is loaded when loss runs.
import type { Command } from 'commander';
import { usageError } from '../../errors';
import type { Io } from '../io';
import { addCommonOptions, addExample, commonOf, parseText, type CommonOptions, type CommonSettings } from '../options';

interface LossRaw extends CommonOptions {
  y?: string;
  t?: string;
  fromLogits: boolean;
  compare: boolean;
}

export interface LossOptions extends CommonSettings {
  readonly y: string;
  readonly t: string;
  readonly fromLogits: boolean;
  readonly compare: boolean;
}

export function validateLoss(raw: LossRaw): LossOptions {
  if (raw.y === undefined || raw.y.trim() === '')
    throw usageError('loss needs --y: the predictions (a comma list of one row, or a .npy, .csv or .json file)', "e.g. mnist-loss loss --y 0.1,0.05,0.6,0.0,0.05,0.1,0.0,0.1,0.0,0.0 --t 2");
  if (raw.t === undefined || raw.t.trim() === '')
    throw usageError('loss needs --t: the labels (a label, a one-hot row, a .npy, .csv or .json file, or train / test)', 'e.g. --t 2, --t labels.npy or --t test');
  return Object.freeze({
    ...commonOf(raw),
    y: raw.y.trim(),
    t: raw.t.trim(),
    fromLogits: raw.fromLogits,
    compare: raw.compare,
  });
}

export function registerLoss(program: Command, io: Io): void {
  const cmd = program
    .command('loss')
    .description('SSE, CEE (both mean per image) and accuracy of predictions y against labels t, as the book defines them')
    .option('--y <spec>', 'predictions: a comma list of one row, or a .npy / .csv / .json file of [N, K] (or [K])', parseText)
    .option('--t <spec>', "labels: a label (2), a one-hot row, a .npy / .csv / .json file (labels [N], (N, 1) or one-hot [N, K]), or 'train' / 'test' for MNIST's labels", parseText)
    .option('--from-logits', 'y holds raw scores: apply softmax (float64) before the losses', false)
    .option('--compare', 'also show CEE as Keras, PyTorch, TensorFlow.js and scikit-learn compute it', false);
  addCommonOptions(cmd);
  addExample(
    cmd,
    'mnist-loss loss --y 0.1,0.05,0.6,0.0,0.05,0.1,0.0,0.1,0.0,0.0 --t 2',
    'mnist-loss loss --y predictions.npy --t test --compare',
    'mnist-loss loss --y=-1.2,3.4,0.5 --t 1 --from-logits   (use --y=... when the first value is negative)',
  );
  cmd.action(async (raw: LossRaw) => {
    const opts = validateLoss(raw);
    const { runLoss } = await import('./run');
    runLoss(opts, io);
  });
}
