// Every subcommand's register function, in the order --help lists them.
import type { Command } from 'commander';
import type { Io } from '../io';
import { registerInfo } from './info';
import { registerBatch } from './batch';
import { registerLoss } from './loss';

export type Register = (program: Command, io: Io) => void;

export const commands: Register[] = [
  registerInfo,
  registerBatch,
  registerLoss,
];
