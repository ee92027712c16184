// Every subcommand's register function, in the order --help lists them.
import type { Command } from 'commander';
import type { Io } from '../io';
import { registerInfo } from './info';
import { registerBatch } from './batch';
import { registerLoss } from './loss';
import { registerEval } from './eval';
import { registerTrain } from './train';
import { registerGradcheck } from './gradcheck';
import { registerSweep } from './sweep';
import { registerProbe } from './probe';
import { registerDemo } from './demo';

export type Register = (program: Command, io: Io) => void;

export const commands: Register[] = [
  registerInfo,
  registerBatch,
  registerLoss,
  registerEval,
  registerTrain,
  registerGradcheck,
  registerSweep,
  registerProbe,
  registerDemo,
];
