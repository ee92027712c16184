// `mnist-loss demo` (what `npm start` runs): the chapter's argument as a guided tour on the embedded
// MNIST data and the bundled model, seeded and reproducible: shapes, a mini-batch, the two worked
// examples, the model on the batch, one weight swept, the probe counts, the conclusion. --lang ko in Korean.
import type { Command } from 'commander';
import type { Activation } from '../../nn/network';
import type { DemoLang } from '../../report/demoText';
import type { Io } from '../io';
import { addCommonOptions, addExample, commonOf, DEFAULT_SEED, parsePath, parseSeed, type CommonOptions, type CommonSettings } from '../options';
import { BUNDLED_MODEL } from '../shared/spec';

export interface DemoRaw extends CommonOptions {
  model?: string;
  activation?: Activation;
  seed: number;
  lang: DemoLang;
  ascii: boolean;
}

export interface DemoOptions extends CommonSettings {
  /** undefined: the bundled model. */
  readonly model?: string;
  readonly activation?: Activation;
  readonly seed: number;
  readonly lang: DemoLang;
  readonly ascii: boolean;
}

export function validateDemo(raw: DemoRaw): DemoOptions {
  return Object.freeze({ ...commonOf(raw), model: raw.model, activation: raw.activation, seed: raw.seed, lang: raw.lang, ascii: raw.ascii });
}

export function registerDemo(program: Command, io: Io): void {
  const cmd = program
    .command('demo')
    .description('a guided tour (what npm start runs): why a network is trained on a loss and not on accuracy, with real numbers')
    .option('--model <file>', `model file: .safetensors, .npz or the book's .pkl (default: the bundled ${BUNDLED_MODEL})`, parsePath)
    .addOption(program.createOption('--activation <name>', 'hidden-layer activation; overrides the file (npz and pkl default to sigmoid)').choices(['sigmoid', 'relu']))
    .option('--seed <n>', 'seed of the mini-batch, the 100 sweep images and the probed weights, as np.random.seed', parseSeed, DEFAULT_SEED)
    .addOption(program.createOption('--lang <code>', "language of the tour: 'en' or 'ko' (Korean, the chapter's language)").choices(['en', 'ko']).default('en'))
    .option('--ascii', 'plain ASCII charts instead of Unicode braille', false);
  addCommonOptions(cmd);
  addExample(cmd, 'npm start', 'mnist-loss demo --lang ko', 'mnist-loss demo --json | jq .sweep.summary');
  cmd.action(async (raw: DemoRaw) => {
    const opts = validateDemo(raw);
    const { runDemo } = await import('./run');
    runDemo(opts, io);
  });
}
