// `mnist-loss info`: which data source was used, and per split the image count, size, label counts
// (np.bincount of the labels) and load time. Flags only; actions/info.ts does the work when info runs.
import type { Command } from 'commander';
import type { Io } from '../io';
import { addCommonOptions, addExample, type CommonOptions } from '../options';

export function registerInfo(program: Command, io: Io): void {
  const cmd = program.command('info').description('where the MNIST data comes from, and per split: count, size, label counts, load time');
  addCommonOptions(cmd);
  addExample(cmd, 'mnist-loss info', 'mnist-loss info --data ~/mnist --json', 'mnist-loss info --source mnist');
  cmd.action(async (raw: CommonOptions) => {
    const { runInfo } = await import('../actions/info');
    runInfo(raw, io);
  });
}
