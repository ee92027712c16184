// The work of `mnist-loss demo` (flags in ./spec.ts): the bundled model on both splits, the tour's
// numbers from experiments/demo.ts, rendered in English, Korean or JSON. Loaded only when demo runs.
import { loadSplit } from '../../data/mnist';
import { computeDemo } from '../../experiments/demo';
import { demoJson, renderDemo, type DemoContext } from '../../report/demoText';
import { createStyle } from '../../report/style';
import type { Io } from '../io';
import { dataOptions } from '../options';
import type { DemoOptions } from './spec';
import { BUNDLED_MODEL } from '../shared/spec';
import { architecture, denseNetwork, loadModelOption, modelOptions } from '../shared/run';
import { charsetFor, terminalWidth } from '../terminal';

export function runDemo(opts: DemoOptions, io: Io): void {
  const { file, label, model } = loadModelOption(opts.model, modelOptions(opts));
  const net = denseNetwork(model, 'demo', label);
  const data = dataOptions(opts, io.env);
  const train = loadSplit(data, 'train');
  const test = loadSplit(data, 'test');
  const result = computeDemo({ train, test, net, seed: opts.seed });
  const ctx: DemoContext = { model: file, modelLabel: opts.model ?? BUNDLED_MODEL, bundled: opts.model === undefined, architecture: architecture(model), source: train.source };
  const style = createStyle(io.color && opts.color && !opts.json);
  io.out(opts.json ? demoJson(result, ctx) : renderDemo(result, ctx, { lang: opts.lang, style, charset: charsetFor(opts.ascii, io.env), width: terminalWidth(io) }));
}
