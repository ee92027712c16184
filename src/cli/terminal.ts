// What the terminal allows, read from the environment: its width and whether Unicode drawing is safe.
// Light on purpose: batch, eval, sweep, probe and demo all read it.
import type { Charset } from '../report/chart';
import type { Io } from './io';

/** $COLUMNS when it is a whole number of at least `minimum` (what the drawing needs), else 80. */
export function terminalWidth(env: Io['env'], minimum = 20): number {
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns >= minimum ? columns : 80;
}

/** Unicode unless --ascii or a dumb terminal. */
export function charsetFor(ascii: boolean, env: Io['env']): Charset {
  return ascii || env.TERM === 'dumb' ? 'ascii' : 'unicode';
}
