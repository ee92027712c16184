// `mnist-loss info`: which data source was used, and per split the image count, size, label counts
// (np.bincount of the labels) and load time. Flags only; ./run.ts does the work and is loaded when info runs.
import type { Command } from 'commander';
import type { Io } from '../io';
import { addCommonOptions, addExample, commonOf, type CommonOptions, type CommonSettings } from '../options';

/** info has the common flags only. */
export type InfoOptions = CommonSettings;

export function validateInfo(raw: CommonOptions): InfoOptions {
  return Object.freeze(commonOf(raw));
}

export function registerInfo(program: Command, io: Io): void {
  const cmd = program.command('info').description('where the MNIST data comes from, and per split: count, size, label counts, load time');
  addCommonOptions(cmd);
  addExample(cmd, 'mnist-loss info', 'mnist-loss info --data ~/mnist --json', 'mnist-loss info --source mnist');
  cmd.action(async (raw: CommonOptions) => {
    const opts = validateInfo(raw);
    const { runInfo } = await import('./run');
    runInfo(opts, io);
  });
}
