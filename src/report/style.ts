// The only chalk import: a tiny palette that is a no-op when colour is off.
import chalk from 'chalk';

export interface Style {
  readonly enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  good(s: string): string;
  bad(s: string): string;
  accent(s: string): string;
  warn(s: string): string;
}

export function createStyle(enabled: boolean): Style {
  const c = new chalk.Instance({ level: enabled ? 1 : 0 });
  return {
    enabled,
    bold: (s) => c.bold(s),
    dim: (s) => c.dim(s),
    good: (s) => c.green(s),
    bad: (s) => c.red(s),
    accent: (s) => c.cyan(s),
    warn: (s) => c.yellow(s),
  };
}
