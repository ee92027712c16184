// What the terminal allows, read from the environment: its width and whether Unicode drawing is safe.
// Light on purpose: batch, eval, sweep, probe and demo all read it.
import type { Charset } from '../report/chart';
import type { Io } from './io';

/** The narrowest width reports lay themselves out for: below it, lines wrap. */
export const MIN_WIDTH = 40;

/**
 * The width to lay out for: the terminal's own (stdout a TTY), else $COLUMNS (bash sets it but does not export
 * it, so it is often absent), else 80; never below `minimum` (what a drawing needs).
 */
export function terminalWidth(io: Pick<Io, 'env' | 'columns'>, minimum = MIN_WIDTH): number {
  const fromEnv = Number(io.env.COLUMNS);
  const columns = io.columns !== undefined && io.columns > 0 ? io.columns : Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80;
  return Math.max(minimum, columns);
}

/** The locale's character set is UTF-8: the first set of LC_ALL, LC_CTYPE, LANG (POSIX order) names it; with none set, assumed so. */
export function localeIsUtf8(env: Io['env']): boolean {
  const locale = [env.LC_ALL, env.LC_CTYPE, env.LANG].find((v) => v !== undefined && v !== '');
  // no locale variable at all (many CI containers, ssh without SendEnv): keep Unicode, which every modern terminal draws
  if (locale === undefined) return true;
  return /utf-?8/i.test(locale);
}

/** Unicode unless --ascii, a dumb terminal, or a locale whose character set is not UTF-8 (LC_ALL=C, POSIX, latin1). */
export function charsetFor(ascii: boolean, env: Io['env']): Charset {
  return ascii || env.TERM === 'dumb' || !localeIsUtf8(env) ? 'ascii' : 'unicode';
}
