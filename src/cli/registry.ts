// Every subcommand, in the order --help lists them: its name and how to load its register function (its spec.ts).
// Loading waits for buildProgram, which registers only the command being run when argv names one:
// `mnist-loss eval ...` then reads eval/spec.ts alone, not all nine specs (~1 ms each at start-up); a spec
// loads its run.ts only when its action runs.
import type { Command } from 'commander';
import type { Io } from './io';

export type Register = (program: Command, io: Io) => void;

export interface CommandEntry {
  /** The subcommand's name, as typed after `mnist-loss`. */
  readonly name: string;
  readonly load: () => Register;
}

export const commands: readonly CommandEntry[] = [
  { name: 'info', load: () => (require('./info/spec') as typeof import('./info/spec')).registerInfo },
  { name: 'batch', load: () => (require('./batch/spec') as typeof import('./batch/spec')).registerBatch },
  { name: 'loss', load: () => (require('./loss/spec') as typeof import('./loss/spec')).registerLoss },
  { name: 'eval', load: () => (require('./eval/spec') as typeof import('./eval/spec')).registerEval },
  { name: 'train', load: () => (require('./train/spec') as typeof import('./train/spec')).registerTrain },
  { name: 'gradcheck', load: () => (require('./gradcheck/spec') as typeof import('./gradcheck/spec')).registerGradcheck },
  { name: 'sweep', load: () => (require('./sweep/spec') as typeof import('./sweep/spec')).registerSweep },
  { name: 'probe', load: () => (require('./probe/spec') as typeof import('./probe/spec')).registerProbe },
  { name: 'demo', load: () => (require('./demo/spec') as typeof import('./demo/spec')).registerDemo },
];
