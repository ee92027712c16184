// Every subcommand, in the order --help lists them: its name and how to load its register function.
// Loading waits for buildProgram, which registers only the command being run when argv names one:
// `mnist-loss eval ...` then reads eval.ts alone, not all nine command files (~1 ms each at start-up).
import type { Command } from 'commander';
import type { Io } from '../io';

export type Register = (program: Command, io: Io) => void;

export interface CommandEntry {
  /** The subcommand's name, as typed after `mnist-loss`. */
  readonly name: string;
  readonly load: () => Register;
}

export const commands: readonly CommandEntry[] = [
  { name: 'info', load: () => (require('./info') as typeof import('./info')).registerInfo },
  { name: 'batch', load: () => (require('./batch') as typeof import('./batch')).registerBatch },
  { name: 'loss', load: () => (require('./loss') as typeof import('./loss')).registerLoss },
  { name: 'eval', load: () => (require('./eval') as typeof import('./eval')).registerEval },
  { name: 'train', load: () => (require('./train') as typeof import('./train')).registerTrain },
  { name: 'gradcheck', load: () => (require('./gradcheck') as typeof import('./gradcheck')).registerGradcheck },
  { name: 'sweep', load: () => (require('./sweep') as typeof import('./sweep')).registerSweep },
  { name: 'probe', load: () => (require('./probe') as typeof import('./probe')).registerProbe },
  { name: 'demo', load: () => (require('./demo') as typeof import('./demo')).registerDemo },
];
