// The work of `mnist-loss demo` (flags in commands/demo.ts): the bundled model on both splits, the tour's
// numbers from experiments/demo.ts, rendered in English, Korean or JSON. Loaded only when demo runs.
import { loadSplit } from '../../data/mnist';
import { computeDemo } from '../../experiments/demo';
import { demoJson, renderDemo, type DemoContext } from '../../report/demoText';
import { createStyle } from '../../report/style';
import type { Io } from '../io';
import type { DemoRaw } from '../commands/demo';
import { BUNDLED_MODEL } from '../commands/shared';
import { architecture, denseNetwork, loadModelOption, modelOptions } from './shared';
import { charsetFor, terminalWidth } from '../terminal';

export function runDemo(raw: DemoRaw, io: Io): void {
  const { file, label, model } = loadModelOption(raw.model, modelOptions(raw));
  const net = denseNetwork(model, 'demo', label);
  const dataOptions = { data: raw.data, source: raw.source, env: io.env };
  const train = loadSplit(dataOptions, 'train');
  const test = loadSplit(dataOptions, 'test');
  const result = computeDemo({ train, test, net, seed: raw.seed });
  const ctx: DemoContext = { model: file, modelLabel: raw.model ?? BUNDLED_MODEL, bundled: raw.model === undefined, architecture: architecture(model), source: train.source };
  const style = createStyle(io.color && raw.color && !raw.json);
  io.out(raw.json ? demoJson(result, ctx) : renderDemo(result, ctx, { lang: raw.lang, style, charset: charsetFor(raw.ascii, io.env), width: terminalWidth(io) }));
}
